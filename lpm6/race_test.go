//go:build race

package lpm6

const raceEnabled = true
