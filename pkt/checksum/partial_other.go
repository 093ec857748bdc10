//go:build !amd64 || purego

package checksum

// Without assembly, Partial runs sumGeneric.
const useAVX2 = false

func sumScalar(b []byte) uint16 { return sumGeneric(b) }

// sumAVX2 is never called: useAVX2 is false.
func sumAVX2(b []byte) uint16 { return sumGeneric(b) }
