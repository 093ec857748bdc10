//go:build race

package fib6

const raceEnabled = true
