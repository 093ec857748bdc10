//go:build !race

package ipfrag

// raceEnabled reports a -race build, whose instrumentation allocates.
const raceEnabled = false
