//go:build !amd64 || purego

package checksum

func kernels() []kernel {
	return []kernel{{"generic", sumGeneric}}
}
