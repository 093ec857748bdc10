package pcapng

import (
	"errors"
	"io"
)

// input is the read side's buffering: like bufio.Reader, but a whole record
// or block can be made contiguous in its buffer, so it is parsed and handed
// out in place. The buffer grows only as data actually arrives, never beyond
// limit, so a hostile length field cannot make it allocate more than twice
// the bytes the stream really holds (and never more than limit).
type input struct {
	r     io.Reader
	buf   []byte
	start int   // first unread byte
	end   int   // end of buffered data
	base  int64 // stream offset of buf[0]
	limit int   // largest buffer size
	err   error // sticky error from r
}

const initialBufSize = 64 << 10

func newInput(r io.Reader, limit int) *input {
	return &input{r: r, limit: max(limit, initialBufSize)}
}

// offset returns the stream offset of the next unread byte.
func (in *input) offset() int64 { return in.base + int64(in.start) }

// peek returns the next n bytes without consuming them. The slice is valid
// until the next peek. If fewer than n bytes remain, it returns the error
// that stopped it: io.EOF if none were left, io.ErrUnexpectedEOF if some
// were, ErrTooLarge if n exceeds the limit, or the io.Reader's error.
func (in *input) peek(n int) ([]byte, error) {
	if in.end-in.start >= n {
		return in.buf[in.start : in.start+n], nil
	}
	if err := in.fill(n); err != nil {
		return nil, err
	}
	return in.buf[in.start : in.start+n], nil
}

// discard consumes n bytes, which must be buffered.
func (in *input) discard(n int) { in.start += n }

// fill reads until n bytes are buffered. It is the slow path of peek.
func (in *input) fill(n int) error {
	if n > in.limit {
		return ErrTooLarge
	}
	if in.buf == nil {
		in.buf = make([]byte, min(initialBufSize, in.limit))
	}
	// Move the unread bytes to the front when the request would run past
	// the end of the buffer.
	if in.start+n > len(in.buf) && in.start > 0 {
		copy(in.buf, in.buf[in.start:in.end])
		in.end -= in.start
		in.base += int64(in.start)
		in.start = 0
	}
	zeroReads := 0
	for in.end-in.start < n {
		if in.err != nil {
			err := in.err
			if err == io.EOF && in.end > in.start {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if in.end == len(in.buf) {
			// Full of real data and still short: grow by doubling,
			// up to what is needed and no more than the limit.
			// (Here start is 0 and len(buf) < n <= limit.)
			nb := make([]byte, min(2*len(in.buf), in.limit))
			copy(nb, in.buf[:in.end])
			in.buf = nb
		}
		m, err := in.r.Read(in.buf[in.end:])
		if m < 0 || m > len(in.buf)-in.end {
			in.err = errors.New("pcapng: invalid count from io.Reader")
			continue
		}
		in.end += m
		if err != nil {
			in.err = err
			continue
		}
		if m == 0 {
			if zeroReads++; zeroReads >= 100 {
				in.err = io.ErrNoProgress
			}
		}
	}
	return nil
}

// unexpected turns io.EOF into io.ErrUnexpectedEOF: for a caller that had
// started reading a structure, running out is never a clean end.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
