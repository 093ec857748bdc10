package mempool

import (
	"errors"

	"strings"
	"sync/atomic"

	"dpk/eal"
	"dpk/telemetry"
)

// Telemetry commands of DPDK's lib/mempool, with its help texts and reply
// keys.
func init() {
	if err := telemetry.Register("/mempool/list", "Returns list of available mempool. Takes no parameters", telPoolList); err != nil {
		panic(err)
	}
	if err := telemetry.Register("/mempool/info", "Returns mempool info. Parameters: pool_name", telPoolInfo); err != nil {
		panic(err)
	}
}

// telPools returns the pools of the --file-prefix, in memzone order: each
// pool lives in a memzone named "MP_<name>" (rte_mempool_walk).
func telPools() []*Mempool {
	var names []string
	eal.MemzoneWalk(func(z *eal.Memzone) {
		if n, ok := strings.CutPrefix(z.Name(), "MP_"); ok && n != "" {
			names = append(names, n)
		}
	})
	var out []*Mempool
	for _, n := range names {
		if mp, err := Lookup(n); err == nil {
			out = append(out, mp)
		}
	}
	return out
}

func telPoolList(_, _ string, d *telemetry.Data) error {
	d.StartArray(telemetry.StringVal)
	for _, mp := range telPools() {
		d.AddArrayString(mp.Name())
	}
	return nil
}

// telOpsIndex numbers DPDK's ring mempool ops in their registration order
// (drivers/mempool/ring), which is the order of rte_mempool_ops_table.
var telOpsIndex = map[string]int{"ring_mp_mc": 0, "ring_sp_sc": 1, "ring_mp_sc": 2, "ring_sp_mc": 3}

// telPoolInfo replies DPDK 22.11's keys plus total_cache_count and
// common_pool_count (as later DPDK) and avail_count and used_count. A name
// that is no pool gives an empty dict, a missing name null, as in DPDK.
func telPoolInfo(_, params string, d *telemetry.Data) error {
	if params == "" {
		return errors.New("mempool: /mempool/info: no pool name")
	}
	d.StartDict()
	mp, err := Lookup(params)
	if err != nil {
		return nil
	}
	mz, err := eal.MemzoneLookup("MP_" + params)
	if err != nil {
		return nil
	}
	ops, ok := telOpsIndex[mp.opsName()]
	if !ok {
		ops = -1
	}
	var cached uint64
	if mp.caches != nil {
		for i := range mp.caches {
			cached += uint64(atomic.LoadUint32(&mp.caches[i].len))
		}
	}
	avail := mp.AvailCount()
	d.AddDictString("name", mp.Name())
	d.AddDictU64("pool_id", uint64(mp.Index()))
	d.AddDictU64("flags", uint64(mp.Flags()))
	d.AddDictInt("socket_id", mp.Socket())
	d.AddDictU64("size", uint64(mp.Size()))
	d.AddDictU64("cache_size", uint64(mp.CacheSize()))
	d.AddDictU64("elt_size", uint64(mp.EltSize()))
	d.AddDictU64("header_size", uint64(mp.hdr.hdrSize))
	d.AddDictU64("trailer_size", uint64(mp.hdr.trailerSize))
	d.AddDictU64("private_data_size", uint64(mp.PrivSize()))
	d.AddDictInt("ops_index", ops)
	d.AddDictU64("populated_size", uint64(mp.hdr.populated))
	d.AddDictU64("total_cache_count", cached)
	d.AddDictU64("common_pool_count", uint64(mp.r.Count()))
	d.AddDictU64("avail_count", uint64(avail))
	d.AddDictU64("used_count", uint64(mp.Size()-avail))
	d.AddDictString("mz_name", mz.Name())
	d.AddDictU64("mz_len", mz.Len())
	d.AddDictU64("mz_hugepage_sz", mz.HugepageSize())
	d.AddDictInt("mz_socket_id", mz.Socket())
	d.AddDictU64("mz_flags", 0) // pools reserve their memzone with no flags
	return nil
}
