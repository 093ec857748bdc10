//go:build !race

package main

// raceEnabled skips the allocation checks: the race detector allocates.
const raceEnabled = false
