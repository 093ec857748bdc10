//go:build !amd64

package hash

import "unsafe"

// noescape returns p. Elsewhere than on amd64 dpk has no assembly to hide
// it from escape analysis: a key on the caller's stack passed to a custom
// HashFunc or CmpFunc moves to the heap.
func noescape(p unsafe.Pointer) unsafe.Pointer { return p }
