//go:build amd64 || arm64 || 386 || ppc64 || ppc64le || s390x

package hash

// unalignedOK: the CPU loads words from any address, so keys are compared
// a word at a time.
const unalignedOK = true
