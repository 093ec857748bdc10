//go:build race

package checksum

// The race detector slows the Go kernel tenfold; long tests cut down.
const raceEnabled = true
