package hash_test

import (
	"encoding/binary"
	"fmt"

	"dpk/hash"
)

// fiveTuple packs an IPv4 5-tuple into a 13-byte key.
func fiveTuple(src, dst uint32, sport, dport uint16, proto uint8) []byte {
	k := make([]byte, 13)
	binary.BigEndian.PutUint32(k[0:], src)
	binary.BigEndian.PutUint32(k[4:], dst)
	binary.BigEndian.PutUint16(k[8:], sport)
	binary.BigEndian.PutUint16(k[10:], dport)
	k[12] = proto
	return k
}

// A flow table: 5-tuples to flow numbers kept in the data word.
func Example() {
	flows, err := hash.Create(hash.Params{
		Name:    "flows",
		Entries: 1024,
		KeyLen:  13,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer flows.Free()

	web := fiveTuple(0x0a000001, 0x0a000002, 40000, 443, 6)
	dns := fiveTuple(0x0a000001, 0x08080808, 40001, 53, 17)
	flows.AddKeyData(web, 1)
	flows.AddKeyData(dns, 2)

	if id, ok := flows.LookupData(web); ok {
		fmt.Println("web flow", id)
	}

	// A burst: one call for several packets' keys.
	other := fiveTuple(0x0a000003, 0x0a000002, 40002, 80, 6)
	keys := [][]byte{dns, other, web}
	ids := make([]uint64, len(keys))
	var hits uint64
	n, _ := flows.LookupBulkData(keys, &hits, ids)
	fmt.Printf("%d hits, mask %03b, ids %v\n", n, hits, ids)

	flows.Delete(web)
	_, err = flows.Lookup(web)
	fmt.Println(err, flows.Count())
	// Output:
	// web flow 1
	// 2 hits, mask 101, ids [2 0 1]
	// hash: not found 1
}

// The hash functions give DPDK's values: rte_jhash and rte_hash_crc of the
// key 00 01 02 03.
func Example_hashFunctions() {
	key := []byte{0, 1, 2, 3}
	fmt.Printf("jhash %#08x\n", hash.JHash(key, 0))
	fmt.Printf("crc   %#08x\n", hash.CRC32C(key, 0))
	// Output:
	// jhash 0xe4cf1d42
	// crc   0x91545164
}

// Positions index an application's own array.
func ExampleHash_Add() {
	h, _ := hash.Create(hash.Params{Name: "macs", Entries: 64, KeyLen: 6, HashFunc: hash.JHash})
	defer h.Free()
	ports := make([]int, h.MaxKeyID())

	mac := []byte{0x02, 0, 0, 0, 0, 1}
	pos, _ := h.Add(mac)
	ports[pos] = 3

	pos, err := h.Lookup(mac)
	fmt.Println(ports[pos], err)
	// Output:
	// 3 <nil>
}
