package pcapng

import (
	"fmt"
	"math/bits"
	"time"
)

// Resolution is a pcapng if_tsresol value: the unit of an interface's
// timestamps. If the most significant bit is clear, the unit is 10^-v
// seconds; if it is set, 2^-(v&0x7f) seconds.
//
// On an Interface given to a writer, the zero value means the format's
// default, microseconds, and no if_tsresol option is written (so whole-second
// resolution, 10^0, cannot be written). A reader reports ResolutionMicro for
// an interface without the option.
type Resolution uint8

// Common resolutions.
const (
	ResolutionMicro Resolution = 6 // 10^-6 s, the pcapng default and classic pcap's
	ResolutionNano  Resolution = 9 // 10^-9 s
)

// BinaryResolution returns the resolution 2^-exp seconds (exp below 64).
func BinaryResolution(exp uint8) Resolution { return Resolution(0x80 | exp&0x7f) }

// DecimalResolution returns the resolution 10^-exp seconds (exp below 20).
func DecimalResolution(exp uint8) Resolution { return Resolution(exp & 0x7f) }

// IsBinary reports whether the unit is a power of two.
func (r Resolution) IsBinary() bool { return r&0x80 != 0 }

// Exponent returns the power of ten or of two by which a second is divided.
func (r Resolution) Exponent() uint8 { return uint8(r & 0x7f) }

// String returns e.g. "10^-6" or "2^-20".
func (r Resolution) String() string {
	if r.IsBinary() {
		return fmt.Sprintf("2^-%d", r.Exponent())
	}
	return fmt.Sprintf("10^-%d", r.Exponent())
}

// valid reports whether one second is a whole number of units below 2^64.
func (r Resolution) valid() bool {
	if r.IsBinary() {
		return r.Exponent() < 64
	}
	return r.Exponent() < 20
}

var pow10 = [20]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// clock converts between timestamps in units of a Resolution and time.Time.
type clock struct {
	res    Resolution
	offset int64 // if_tsoffset, seconds
}

// split returns whole seconds and nanoseconds of a timestamp in units. r
// must be valid.
func (r Resolution) split(units uint64) (sec, nsec uint64) {
	e := uint(r.Exponent())
	if r.IsBinary() {
		sec = units >> e
		frac := units & (1<<e - 1)
		hi, lo := bits.Mul64(frac, 1e9)
		// (hi:lo) >> e; frac < 2^e so the result is below 1e9. For
		// e == 0 both shifts give 0, as frac is 0.
		return sec, hi<<(64-e) | lo>>e
	}
	ups := pow10[e]
	sec, frac := units/ups, units%ups
	if e <= 9 {
		return sec, frac * pow10[9-e]
	}
	return sec, frac / pow10[e-9]
}

// units converts seconds and nanoseconds to a timestamp in units, reporting
// false on overflow. r must be valid.
func (r Resolution) units(sec, nsec uint64) (uint64, bool) {
	e := uint(r.Exponent())
	var whole, frac uint64
	if r.IsBinary() {
		if e > 0 && sec>>(64-e) != 0 {
			return 0, false
		}
		whole = sec << e
		// nsec * 2^e / 1e9, with nsec < 1e9 and e < 64: fits.
		hi, lo := bits.Mul64(nsec, 1<<e)
		frac, _ = bits.Div64(hi, lo, 1e9)
	} else {
		hi, lo := bits.Mul64(sec, pow10[e])
		if hi != 0 {
			return 0, false
		}
		whole = lo
		if e <= 9 {
			frac = nsec / pow10[9-e]
		} else {
			frac = nsec * pow10[e-9]
		}
	}
	sum, carry := bits.Add64(whole, frac, 0)
	return sum, carry == 0
}

// time converts a timestamp in units to a time.Time.
func (c clock) time(units uint64) time.Time {
	sec, nsec := c.res.split(units)
	return time.Unix(int64(sec)+c.offset, int64(nsec)).UTC()
}

// stamp converts t to a timestamp in units, or reports false if t is before
// the epoch (plus offset) or too far in the future.
func (c clock) stamp(t time.Time) (uint64, bool) {
	u := t.Unix()
	sec := u - c.offset
	if sec < 0 || (c.offset < 0) != (sec > u) && c.offset != 0 {
		return 0, false // before the epoch, or the subtraction overflowed
	}
	return c.res.units(uint64(sec), uint64(t.Nanosecond()))
}
