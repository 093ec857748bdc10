package pcapng

import (
	"errors"
	"fmt"
)

// ErrMalformed is matched (with errors.Is) by every error that reports a
// malformed or truncated capture file. The concrete error is a *FormatError
// that says where the problem is.
var ErrMalformed = errors.New("malformed capture file")

// ErrUnknownFormat is returned by NewReader when the stream starts with
// neither a pcap nor a pcapng magic number.
var ErrUnknownFormat = errors.New("unknown capture file format")

// ErrTooLarge is wrapped by the error a reader returns for a block or record
// longer than its limit (see WithMaxBlockSize), and by the error a writer
// returns for a packet or option that does not fit the format.
var ErrTooLarge = errors.New("too large")

// FormatError describes a malformed capture file: which format, the byte
// offset and kind of the structure at fault, and what is wrong with it.
//
// It matches ErrMalformed with errors.Is and unwraps to its cause, if any
// (io.ErrUnexpectedEOF for a truncated file, ErrTooLarge for a length over
// the reader's limit).
type FormatError struct {
	Format    Format // FormatPcap or FormatPcapng
	Offset    int64  // byte offset of the file header, record or block
	What      string // "file header", "record", "block", ...
	BlockType uint32 // pcapng block type; meaningful when What is "block"
	Msg       string // what is wrong
	Err       error  // underlying cause, or nil
}

// Error returns e.g. "pcapng: block at offset 1234 (type 0x00000006): total
// length 7 too small".
func (e *FormatError) Error() string {
	s := fmt.Sprintf("%s: %s at offset %d", e.Format, e.What, e.Offset)
	if e.Format == FormatPcapng && e.What == "block" {
		s += fmt.Sprintf(" (type 0x%08x)", e.BlockType)
	}
	s += ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *FormatError) Unwrap() error { return e.Err }

// Is reports whether target is ErrMalformed.
func (e *FormatError) Is(target error) bool { return target == ErrMalformed }
