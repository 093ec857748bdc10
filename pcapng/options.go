package pcapng

import "fmt"

// optionIter walks the options area of a block. Option errors name the
// option's file offset.
type optionIter struct {
	be   bool
	b    []byte
	pos  int
	base int64 // file offset of b[0]
}

// next returns the next option. done is true at opt_endofopt or at the end of
// the area. It allocates only to report an error.
func (it *optionIter) next() (code uint16, val []byte, done bool, err error) {
	rest := len(it.b) - it.pos
	if rest == 0 {
		return 0, nil, true, nil
	}
	off := it.base + int64(it.pos)
	if rest < 4 {
		return 0, nil, true, fmt.Errorf("option at offset %d: %d bytes left, too few for a header", off, rest)
	}
	code = get16(it.be, it.b[it.pos:])
	n := int(get16(it.be, it.b[it.pos+2:]))
	if code == optEndOfOpt {
		return 0, nil, true, nil
	}
	if n > rest-4 {
		return 0, nil, true, fmt.Errorf("option %d at offset %d: length %d exceeds the %d bytes left in the block", code, off, n, rest-4)
	}
	val = it.b[it.pos+4 : it.pos+4+n]
	it.pos += min(4+pad4(n), rest)
	return code, val, false, nil
}

// optionWriter encodes options into a reusable buffer.
type optionWriter struct {
	be  bool
	buf []byte
}

func (w *optionWriter) reset() { w.buf = w.buf[:0] }

// add appends one option, padded to 4 bytes. The caller checks the length.
func (w *optionWriter) add(code uint16, val []byte) {
	var h [4]byte
	put16(w.be, h[:], code)
	put16(w.be, h[2:], uint16(len(val)))
	w.buf = append(w.buf, h[:]...)
	w.buf = append(w.buf, val...)
	w.buf = append(w.buf, make([]byte, pad4(len(val))-len(val))...)
}

func (w *optionWriter) add32(code uint16, v uint32) {
	var b [4]byte
	put32(w.be, b[:], v)
	w.add(code, b[:])
}

func (w *optionWriter) add64(code uint16, v uint64) {
	var b [8]byte
	put64(w.be, b[:], v)
	w.add(code, b[:])
}

// end appends opt_endofopt if any option was written.
func (w *optionWriter) end() {
	if len(w.buf) > 0 {
		w.buf = append(w.buf, 0, 0, 0, 0)
	}
}

const maxOptionLen = 0xffff
