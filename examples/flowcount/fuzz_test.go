package main

import (
	"encoding/binary"
	"testing"

	"dpk/pkt"
)

// refExtract is a plain, byte-offset reading of the rules extract
// documents, written apart from it (and from dpk/pkt) as the fuzz
// target's oracle. It returns the class and the key bytes.
func refExtract(b []byte, frameLen int) (class, []byte) {
	if len(b) < 14 {
		return classOther, nil
	}
	off := 12
	et := binary.BigEndian.Uint16(b[off:])
	for tags := 0; et == 0x8100 || et == 0x88a8 || et == 0x9100 || et == 0x9200 || et == 0x9300; tags++ {
		if tags == 4 || len(b) < off+2+4 {
			return classOther, nil
		}
		off += 4
		et = binary.BigEndian.Uint16(b[off:])
	}
	l3 := off + 2
	ip, avail := b[l3:], frameLen-l3
	switch et {
	case 0x0800:
		if len(ip) < 20 || ip[0]>>4 != 4 || ip[0]&15 < 5 || int(ip[0]&15)*4 > len(ip) {
			return classMalformed, nil
		}
		hl, tl := int(ip[0]&15)*4, int(binary.BigEndian.Uint16(ip[2:]))
		if tl < hl || tl > avail {
			return classMalformed, nil
		}
		key := append(append([]byte{}, ip[12:20]...), 0, 0, 0, 0, ip[9])
		if binary.BigEndian.Uint16(ip[6:])&0x1fff != 0 {
			return classIPv4, key
		}
		if !refPorts(ip[hl:min(tl, len(ip))], ip[9], key[8:12]) {
			return classMalformed, nil
		}
		return classIPv4, key
	case 0x86dd:
		if len(ip) < 40 || ip[0]>>4 != 6 {
			return classMalformed, nil
		}
		pl := int(binary.BigEndian.Uint16(ip[4:]))
		if 40+pl > avail {
			return classMalformed, nil
		}
		pay := ip[40:]
		if pl != 0 && 40+pl <= len(ip) {
			pay = ip[40 : 40+pl]
		}
		next, p := ip[6], 0
		fragLater := false
		for n := 0; next == 0 || next == 43 || next == 44 || next == 60 || next == 51; n++ {
			if n == 8 || len(pay)-p < 8 {
				return classMalformed, nil
			}
			h := pay[p:]
			size := (int(h[1]) + 1) * 8
			switch next {
			case 44:
				size = 8
			case 51:
				if h[1] == 0 {
					return classMalformed, nil
				}
				size = (int(h[1]) + 2) * 4
			}
			if size > len(h) {
				return classMalformed, nil
			}
			if next == 44 && binary.BigEndian.Uint16(h[2:])&^7 != 0 {
				fragLater = true
			}
			next = h[0]
			p += size
			if fragLater {
				break
			}
		}
		key := append(append([]byte{}, ip[8:40]...), 0, 0, 0, 0, next)
		if fragLater {
			return classIPv6, key
		}
		if !refPorts(pay[p:], next, key[32:36]) {
			return classMalformed, nil
		}
		return classIPv6, key
	}
	return classOther, nil
}

func refPorts(l4 []byte, proto uint8, dst []byte) bool {
	need := map[uint8]int{6: 20, 17: 8, 132: 12}[proto]
	if need == 0 {
		return true
	}
	if len(l4) < need {
		return false
	}
	copy(dst, l4[:4])
	return true
}

// FuzzExtract runs the 5-tuple extractor on arbitrary frames (and frame
// lengths beyond the bytes given, as in a chained mbuf) and compares it
// with refExtract; it must never panic.
func FuzzExtract(f *testing.F) {
	u4 := frame(spec{key: flowKey{Src: v4a, Dst: v4b, SrcPort: 1, DstPort: 2, Proto: pkt.IPProtoUDP}, payload: 4})
	t6 := frame(spec{key: flowKey{Src: v6a, Dst: v6b, SrcPort: 3, DstPort: 4, Proto: pkt.IPProtoTCP}, vlan: true})
	f.Add(u4, uint16(0))
	f.Add(t6, uint16(0))
	f.Add(u4[:40], uint16(len(u4)-40))
	f.Add(insertV6Ext(frame(spec{key: flowKey{Src: v6a, Dst: v6b, SrcPort: 5, DstPort: 6, Proto: pkt.IPProtoUDP}}), pkt.IPProtoFragment, fragHdr(8)), uint16(0))
	f.Fuzz(func(t *testing.T, b []byte, extra uint16) {
		frameLen := len(b) + int(extra)
		var k4 key4
		var k6 key6
		got := extract(b, frameLen, &k4, &k6)
		want, wkey := refExtract(b, frameLen)
		if got != want {
			t.Fatalf("class %v, reference %v (frame %x, length %d)", got, want, b, frameLen)
		}
		var key []byte
		switch got {
		case classIPv4:
			key = k4[:]
		case classIPv6:
			key = k6[:]
		default:
			return
		}
		if string(key) != string(wkey) {
			t.Fatalf("key %x, reference %x (frame %x)", key, wkey, b)
		}
	})
}
