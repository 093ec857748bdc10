package rcu

import (
	"errors"
	"testing"
)

func TestDQInvalid(t *testing.T) {
	v, _ := NewQSBR(1)
	free := func(uint32) {}
	for _, c := range []struct {
		name string
		cfg  DQConfig[uint32]
	}{
		{"no variable", DQConfig[uint32]{Size: 4, MaxReclaimSize: 1, Free: free}},
		{"no free", DQConfig[uint32]{Size: 4, MaxReclaimSize: 1, V: v}},
		{"size 0", DQConfig[uint32]{MaxReclaimSize: 1, Free: free, V: v}},
		{"auto reclaim without max", DQConfig[uint32]{Size: 4, TriggerReclaimLimit: 4, Free: free, V: v}},
		{"bad flags", DQConfig[uint32]{Size: 4, MaxReclaimSize: 1, Flags: 2, Free: free, V: v}},
	} {
		if _, err := NewDeferQueue(c.cfg); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", c.name, err)
		}
	}
	// Auto reclamation off: no max needed.
	if _, err := NewDeferQueue(DQConfig[uint32]{Size: 4, TriggerReclaimLimit: 5, Free: free, V: v}); err != nil {
		t.Errorf("trigger above size: %v", err)
	}
}

func TestDQ(t *testing.T) {
	for _, flags := range []DQFlags{0, DQMTUnsafe} {
		v, _ := NewQSBR(1)
		var freed []uint32
		dq, err := NewDeferQueue(DQConfig[uint32]{
			Name: "t", Flags: flags, Size: 4, TriggerReclaimLimit: 5,
			Free: func(e uint32) { freed = append(freed, e) }, V: v,
		})
		if err != nil {
			t.Fatal(err)
		}
		v.ThreadRegister(0)
		v.ThreadOnline(0)
		for i := uint32(0); i < 4; i++ {
			if err := dq.Enqueue(i); err != nil {
				t.Fatalf("enqueue %d: %v", i, err)
			}
		}
		if err := dq.Enqueue(9); !errors.Is(err, ErrNoSpace) {
			t.Fatalf("enqueue on full queue: %v, want ErrNoSpace", err)
		}
		if _, _, _, err := dq.Reclaim(0); !errors.Is(err, ErrInvalid) {
			t.Fatalf("reclaim 0: %v", err)
		}
		// The reader has not been quiescent: nothing can go.
		if f, p, a, _ := dq.Reclaim(10); f != 0 || p != 4 || a != 0 {
			t.Fatalf("reclaim before quiescent: freed %d pending %d available %d", f, p, a)
		}
		if err := dq.Delete(); !errors.Is(err, ErrAgain) {
			t.Fatalf("delete with pending: %v, want ErrAgain", err)
		}
		v.Quiescent(0)
		if f, p, a, _ := dq.Reclaim(3); f != 3 || p != 1 || a != 3 {
			t.Fatalf("reclaim 3: freed %d pending %d available %d", f, p, a)
		}
		// Wrap around the buffer.
		for i := uint32(4); i < 7; i++ {
			if err := dq.Enqueue(i); err != nil {
				t.Fatal(err)
			}
		}
		v.Quiescent(0)
		if err := dq.Delete(); err != nil {
			t.Fatal(err)
		}
		want := []uint32{0, 1, 2, 3, 4, 5, 6}
		if len(freed) != len(want) {
			t.Fatalf("freed %v, want %v", freed, want)
		}
		for i := range want {
			if freed[i] != want[i] {
				t.Fatalf("freed %v, want %v", freed, want)
			}
		}
	}
}

// TestDQAutoReclaim checks that Enqueue reclaims once more than the
// trigger limit wait, at most MaxReclaimSize at a time.
func TestDQAutoReclaim(t *testing.T) {
	v, _ := NewQSBR(1)
	n := 0
	dq, _ := NewDeferQueue(DQConfig[int]{
		Size: 8, TriggerReclaimLimit: 2, MaxReclaimSize: 2,
		Free: func(int) { n++ }, V: v,
	})
	// No readers online: every grace period is over at once.
	for i := 0; i < 3; i++ {
		dq.Enqueue(i)
	}
	if n != 0 || dq.Len() != 3 {
		t.Fatalf("after 3 enqueues: freed %d, len %d", n, dq.Len())
	}
	dq.Enqueue(3) // 3 > 2 waiting: reclaim 2, then queue
	if n != 2 || dq.Len() != 2 {
		t.Fatalf("after 4 enqueues: freed %d, len %d", n, dq.Len())
	}
}
