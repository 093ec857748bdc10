//go:build race

package hash

// raceEnabled shortens the heavier tests under the race detector.
const raceEnabled = true
