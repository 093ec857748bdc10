package ethdev_test

import (
	"strings"
	"testing"

	"dpk/ethdev"
)

// FuzzParseDevargs checks that any string either parses into a name and
// keys made of the allowed characters, which round-trip through String,
// or gives an error; never a panic.
func FuzzParseDevargs(f *testing.F) {
	for _, s := range []string{
		"net_null0", "net_null0,size=64,copy=1", "net_pcap0,rx_pcap=a.pcap,tx_pcap=/tmp/b.pcap",
		"net_ring0,nodeaction=r1:0:CREATE", "net_x,q=[0,1,[2,3]],flag", "net_af_xdp0,iface=veth0,start_queue=0",
		",,", "a,=b", "n,a=[", "n,a=]", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ethdev.ParseDevargs(s)
		if err != nil {
			return
		}
		if d.Name == "" || strings.ContainsAny(d.Name, ", =[]") {
			t.Fatalf("ParseDevargs(%q) name %q", s, d.Name)
		}
		for _, kv := range d.Args {
			if kv.Key == "" || strings.ContainsAny(kv.Key, ",=[] ") {
				t.Fatalf("ParseDevargs(%q) key %q", s, kv.Key)
			}
		}
		back, err := ethdev.ParseDevargs(d.String())
		if err != nil {
			t.Fatalf("re-parse of %q (from %q): %v", d.String(), s, err)
		}
		if back.String() != d.String() {
			t.Fatalf("round trip %q -> %q", d.String(), back.String())
		}
		for _, kv := range d.Args {
			d.Uint(kv.Key, 0, 1<<20)
			d.Bool(kv.Key, false)
		}
	})
}
