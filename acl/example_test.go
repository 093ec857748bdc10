package acl_test

import (
	"encoding/binary"
	"fmt"

	"dpk/acl"
)

// Example classifies IPv4 5-tuples laid out as struct ipv4_5tuple of
// DPDK's test-acl: protocol at 0, addresses at 4 and 8, ports at 12 and 14,
// all in network byte order.
func Example() {
	defs := []acl.FieldDef{
		{Type: acl.Bitmask, Size: 1, FieldIndex: 0, InputIndex: 0, Offset: 0}, // protocol
		{Type: acl.Mask, Size: 4, FieldIndex: 1, InputIndex: 1, Offset: 4},    // source address
		{Type: acl.Mask, Size: 4, FieldIndex: 2, InputIndex: 2, Offset: 8},    // destination address
		{Type: acl.Range, Size: 2, FieldIndex: 3, InputIndex: 3, Offset: 12},  // source port
		{Type: acl.Range, Size: 2, FieldIndex: 4, InputIndex: 3, Offset: 14},  // destination port
	}
	anyPort := acl.Field{Value: 0, MaskRange: 65535}
	rules := []acl.Rule{
		{ // TCP from 192.168.0.0/16 to ports 0-1023: userdata 1
			CategoryMask: 1, Priority: 10, Userdata: 1,
			Fields: []acl.Field{{Value: 6, MaskRange: 0xff}, {Value: 0xc0a80000, MaskRange: 16}, {}, anyPort, {Value: 0, MaskRange: 1023}},
		},
		{ // anything from 192.168.1.0/24 to 10.0.0.1: userdata 2, wins over 1
			CategoryMask: 1, Priority: 20, Userdata: 2,
			Fields: []acl.Field{{}, {Value: 0xc0a80100, MaskRange: 24}, {Value: 0x0a000001, MaskRange: 32}, anyPort, anyPort},
		},
	}
	ctx, err := acl.NewContext(acl.Params{Name: "example", MaxRules: 16, NumFields: len(defs)})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ctx.Free()
	if err := ctx.AddRules(rules); err != nil {
		fmt.Println(err)
		return
	}
	if err := ctx.Build(acl.Config{NumCategories: 1, Defs: defs}); err != nil {
		fmt.Println(err)
		return
	}

	tuple := func(proto uint8, src, dst uint32, sport, dport uint16) []byte {
		b := make([]byte, 16)
		b[0] = proto
		binary.BigEndian.PutUint32(b[4:], src)
		binary.BigEndian.PutUint32(b[8:], dst)
		binary.BigEndian.PutUint16(b[12:], sport)
		binary.BigEndian.PutUint16(b[14:], dport)
		return b
	}
	burst := [][]byte{
		tuple(6, 0xc0a80203, 0x08080808, 40000, 443),  // 192.168.2.3 -> 8.8.8.8:443/tcp
		tuple(17, 0xc0a80109, 0x0a000001, 40000, 53),  // 192.168.1.9 -> 10.0.0.1:53/udp
		tuple(6, 0xc0a80203, 0x08080808, 40000, 8080), // 192.168.2.3 -> 8.8.8.8:8080/tcp
	}
	results := make([]uint32, len(burst))
	if err := ctx.Classify(burst, results, 1); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(results)
	// Output: [1 2 0]
}
