//go:build race

package lpm

// raceEnabled scales long tests down under the race detector, which makes
// every table store a call into its runtime.
const raceEnabled = true
