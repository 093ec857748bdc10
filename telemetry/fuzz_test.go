package telemetry_test

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"dpk/telemetry"
)

// FuzzHandle feeds arbitrary bytes to Handle as client messages: it must
// not panic, and every reply must be one valid, UTF-8 JSON object of fewer
// than MaxOutputLen bytes. The ethdev and mempool commands are linked in
// (without an EAL they find no ports and no pools), so their parameter
// parsing is fuzzed too.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{"/", "/info", "/help,/info", "/ethdev/stats,0", "/ethdev/info,0x1f",
		"/mempool/info,pool", ",,/eal/params,", "\x00", "/help,\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		out := telemetry.Handle(msg)
		if len(out) >= telemetry.MaxOutputLen {
			t.Fatalf("reply of %d bytes", len(out))
		}
		if !utf8.Valid(out) {
			t.Fatalf("reply not UTF-8: %q", out)
		}
		var r map[string]json.RawMessage
		if err := json.Unmarshal(out, &r); err != nil || len(r) != 1 {
			t.Fatalf("reply %q to %q: %v", out, msg, err)
		}
	})
}
