package pcapng

import "encoding/binary"

// Byte order helpers that branch on a flag instead of calling through the
// binary.ByteOrder interface, so they inline on the packet path.

func get16(be bool, b []byte) uint16 {
	if be {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func get32(be bool, b []byte) uint32 {
	if be {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func get64(be bool, b []byte) uint64 {
	if be {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

func put16(be bool, b []byte, v uint16) {
	if be {
		binary.BigEndian.PutUint16(b, v)
	} else {
		binary.LittleEndian.PutUint16(b, v)
	}
}

func put32(be bool, b []byte, v uint32) {
	if be {
		binary.BigEndian.PutUint32(b, v)
	} else {
		binary.LittleEndian.PutUint32(b, v)
	}
}

func put64(be bool, b []byte, v uint64) {
	if be {
		binary.BigEndian.PutUint64(b, v)
	} else {
		binary.LittleEndian.PutUint64(b, v)
	}
}

func orderOf(be bool) binary.ByteOrder {
	if be {
		return binary.BigEndian
	}
	return binary.LittleEndian
}
