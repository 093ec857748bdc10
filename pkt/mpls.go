package pkt

import "encoding/binary"

// MPLS label stack entry (RFC 3032, rte_mpls_hdr):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                Label                  | TC  |S|      TTL      |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	// MPLSLen is the length of one label stack entry.
	MPLSLen = 4
	// MaxMPLSLabels bounds the entries SkipMPLS walks.
	MaxMPLSLabels = 16
)

// MPLS is a view of an MPLS label stack entry and what follows it.
type MPLS []byte

var (
	errMPLSTrunc  = hdrErr("MPLS", ErrTruncated)
	errMPLSMany   = hdrErrf("MPLS", "label stack too deep", ErrMalformed)
	errMPLSNoRoom = hdrErr("MPLS", ErrNoRoom)
)

// ParseMPLS returns b as an MPLS view; ErrTruncated if b is shorter than
// 4 bytes.
func ParseMPLS(b []byte) (MPLS, error) {
	if len(b) < MPLSLen {
		return nil, errMPLSTrunc
	}
	return MPLS(b), nil
}

// Entry returns the 32-bit label stack entry.
func (m MPLS) Entry() uint32 { return binary.BigEndian.Uint32(m) }

// Label returns the 20-bit label.
func (m MPLS) Label() uint32 { return m.Entry() >> 12 }

// TC returns the 3-bit traffic class.
func (m MPLS) TC() uint8 { return m[2] >> 1 & 7 }

// BottomOfStack reports whether the S bit is set: this is the last entry.
func (m MPLS) BottomOfStack() bool { return m[2]&1 != 0 }

// TTL returns the time to live.
func (m MPLS) TTL() uint8 { return m[3] }

// HeaderLen returns MPLSLen.
func (m MPLS) HeaderLen() int { return MPLSLen }

// Payload returns what follows this entry: the next entry, or the
// payload after the bottom of the stack.
func (m MPLS) Payload() []byte { return m[MPLSLen:] }

// SetLabel sets the label (its low 20 bits).
func (m MPLS) SetLabel(l uint32) {
	binary.BigEndian.PutUint32(m, m.Entry()&0xfff|l<<12)
}

// SetTC sets the traffic class.
func (m MPLS) SetTC(tc uint8) { m[2] = m[2]&^0x0e | (tc&7)<<1 }

// SetBottomOfStack sets or clears the S bit.
func (m MPLS) SetBottomOfStack(s bool) {
	if s {
		m[2] |= 1
	} else {
		m[2] &^= 1
	}
}

// SetTTL sets the time to live.
func (m MPLS) SetTTL(ttl uint8) { m[3] = ttl }

// Encode writes a label stack entry; ErrNoRoom if m is shorter than 4
// bytes.
func (m MPLS) Encode(label uint32, tc uint8, bottom bool, ttl uint8) error {
	if len(m) < MPLSLen {
		return errMPLSNoRoom
	}
	e := label<<12 | uint32(tc&7)<<9 | uint32(ttl)
	if bottom {
		e |= 1 << 8
	}
	binary.BigEndian.PutUint32(m, e)
	return nil
}

// SkipMPLS walks a label stack to its bottom entry and returns the
// stack's length in bytes (the payload's offset in b) and the number of
// entries. It fails with ErrTruncated if b ends before the bottom of the
// stack, ErrMalformed after MaxMPLSLabels entries.
func SkipMPLS(b []byte) (off, n int, err error) {
	for n = 0; n < MaxMPLSLabels; n++ {
		if len(b) < off+MPLSLen {
			return off, n, errMPLSTrunc
		}
		bottom := b[off+2]&1 != 0
		off += MPLSLen
		if bottom {
			return off, n + 1, nil
		}
	}
	return off, n, errMPLSMany
}
