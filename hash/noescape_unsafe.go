//go:build amd64

package hash

import "unsafe"

// noescape returns p, hiding it from escape analysis (the assembly is
// opaque and declared not to let p escape). It lets a key that lives on
// the caller's stack be passed to an application's HashFunc or CmpFunc,
// function values that the compiler must otherwise assume keep it, without
// moving the key to the heap at every lookup. Those functions must not
// keep the slices they get (see HashFunc).
//
//go:noescape
func noescape(p unsafe.Pointer) unsafe.Pointer
