package pkt

import (
	"errors"
	"fmt"
)

// Errors of the Parse constructors. Each constructor returns one of them
// wrapped with the header's name ("pkt: IPv4: truncated header"), so test
// with errors.Is.
var (
	// ErrTruncated means the buffer is shorter than the header, or than the
	// length its own length fields announce.
	ErrTruncated = errors.New("truncated header")
	// ErrMalformed means a length, version or flag field holds a value the
	// header cannot have (an IPv4 IHL below 5, a TCP data offset below 5,
	// a zero-length option, an unknown GRE version, ...).
	ErrMalformed = errors.New("malformed header")
	// ErrNoRoom means a builder was given a buffer or mbuf too small for
	// the packet, or an mbuf that already holds data.
	ErrNoRoom = errors.New("no room for packet")
)

// hdrErr wraps a sentinel with a header name. The results are made once at
// package initialisation, so returning them does not allocate.
func hdrErr(hdr string, err error) error { return fmt.Errorf("pkt: %s: %w", hdr, err) }

// hdrErrf wraps a sentinel with a header name and a detail.
func hdrErrf(hdr, detail string, err error) error {
	return fmt.Errorf("pkt: %s: %s: %w", hdr, detail, err)
}
