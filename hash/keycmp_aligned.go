//go:build !(amd64 || arm64 || 386 || ppc64 || ppc64le || s390x)

package hash

// unalignedOK: the CPU may fault on unaligned loads, so keys are compared
// as byte strings.
const unalignedOK = false
