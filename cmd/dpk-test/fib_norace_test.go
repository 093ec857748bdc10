//go:build !race

package main

const fibRaceOn = false
