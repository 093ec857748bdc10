package pkt_test

import (
	"net"
	"testing"

	"dpk/pkt"
)

func TestParseMAC(t *testing.T) {
	want := pkt.MAC{0x02, 0x00, 0x5e, 0x10, 0xab, 0xcd}
	tests := []struct {
		in string
		ok bool
	}{
		{"02:00:5e:10:ab:cd", true},
		{"02:00:5E:10:AB:CD", true},
		{"02-00-5e-10-ab-cd", true},
		{"2:0:5e:10:ab:cd", true},
		{"0200:5e10:abcd", true},
		{"200:5e10:abcd", true},
		{"0200.5e10.abcd", true},
		{"0200-5e10-abcd", true},
		{"02:00:5e:10:ab", false},
		{"02:00:5e:10:ab:cd:ef", false},
		{"02:00:5e:10:ab:cd:", false},
		{"02:00-5e:10:ab:cd", false},
		{"02.00.5e.10.ab.cd", false},
		{"020:05e:10:ab:cd:00", false},
		{"0200:5e10:abcd0", false},
		{"0x00:5e:10:ab:cd:00", false},
		{"", false},
		{":", false},
		{"020000000000", false},
	}
	for _, tt := range tests {
		got, err := pkt.ParseMAC(tt.in)
		if tt.ok && (err != nil || got != want) {
			t.Errorf("ParseMAC(%q) = %v, %v; want %v", tt.in, got, err, want)
		}
		if !tt.ok && err == nil {
			t.Errorf("ParseMAC(%q) = %v, want an error", tt.in, got)
		}
	}
	if s := want.String(); s != "02:00:5e:10:ab:cd" {
		t.Errorf("String = %q", s)
	}
	if s := string(want.AppendUpper(nil)); s != "02:00:5E:10:AB:CD" {
		t.Errorf("AppendUpper = %q", s)
	}
	var u pkt.MAC
	if err := u.UnmarshalText([]byte("02-00-5e-10-ab-cd")); err != nil || u != want {
		t.Errorf("UnmarshalText: %v %v", u, err)
	}
	txt, _ := want.MarshalText()
	if string(txt) != "02:00:5e:10:ab:cd" {
		t.Errorf("MarshalText = %q", txt)
	}
}

func TestMACKinds(t *testing.T) {
	tests := []struct {
		m                                         string
		bcast, mcast, ucast, local, valid, isZero bool
	}{
		{"ff:ff:ff:ff:ff:ff", true, true, false, true, false, false},
		{"01:00:5e:00:00:01", false, true, false, false, false, false},
		{"33:33:00:00:00:01", false, true, false, true, false, false},
		{"02:00:00:00:00:01", false, false, true, true, true, false},
		{"00:1b:21:3c:ab:64", false, false, true, false, true, false},
		{"00:00:00:00:00:00", false, false, true, false, false, true},
	}
	for _, tt := range tests {
		m, err := pkt.ParseMAC(tt.m)
		if err != nil {
			t.Fatal(err)
		}
		if m.IsBroadcast() != tt.bcast || m.IsMulticast() != tt.mcast || m.IsUnicast() != tt.ucast ||
			m.IsLocalAdmin() != tt.local || m.IsUniversal() == tt.local || m.IsValidAssigned() != tt.valid || m.IsZero() != tt.isZero {
			t.Errorf("%s: kinds wrong", tt.m)
		}
	}
}

func TestMACHardwareAddr(t *testing.T) {
	hw, _ := net.ParseMAC("00:1b:21:3c:ab:64")
	m, ok := pkt.MACFrom(hw)
	if !ok || m.String() != hw.String() {
		t.Fatalf("MACFrom(%v) = %v, %v", hw, m, ok)
	}
	back := m.HardwareAddr()
	if back.String() != hw.String() {
		t.Errorf("HardwareAddr = %v", back)
	}
	back[0] = 0xff
	if m[0] == 0xff {
		t.Errorf("HardwareAddr aliases the MAC")
	}
	if _, ok := pkt.MACFrom(make([]byte, 8)); ok {
		t.Errorf("MACFrom accepted 8 bytes")
	}
}
