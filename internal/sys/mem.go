package sys

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PageSize is the system's base page size.
var PageSize = uint64(os.Getpagesize())

// ReserveVA reserves size bytes of address space with no access and no
// backing (PROT_NONE, MAP_NORESERVE). Memory segments are later mapped into
// the reservation with MapFixed, so that every segment sits at a known
// offset from one base in each process.
func ReserveVA(size uint64) (unsafe.Pointer, error) {
	p, err := unix.MmapPtr(-1, 0, nil, uintptr(size), unix.PROT_NONE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		return nil, fmt.Errorf("sys: reserve %d bytes of address space: %w", size, err)
	}
	return p, nil
}

// ReleaseVA unmaps a reservation made by ReserveVA (and anything mapped into it).
func ReleaseVA(p unsafe.Pointer, size uint64) error {
	return unix.MunmapPtr(p, uintptr(size))
}

// MapFixed maps length bytes of fd at offset off, shared and read-write, at
// addr, which must lie inside a reservation. populate asks the kernel to fault
// the pages in now.
func MapFixed(addr unsafe.Pointer, length uint64, fd int, off int64, populate bool) error {
	flags := unix.MAP_SHARED | unix.MAP_FIXED
	if populate {
		flags |= unix.MAP_POPULATE
	}
	p, err := unix.MmapPtr(fd, off, addr, uintptr(length), unix.PROT_READ|unix.PROT_WRITE, flags)
	if err != nil {
		return fmt.Errorf("sys: map %d bytes of fd %d: %w", length, fd, err)
	}
	if p != addr {
		return fmt.Errorf("sys: kernel mapped at %p, not %p", p, addr)
	}
	return nil
}

// UnmapFixed returns a fixed mapping to the reservation (PROT_NONE), keeping
// the address space reserved.
func UnmapFixed(addr unsafe.Pointer, length uint64) error {
	_, err := unix.MmapPtr(-1, 0, addr, uintptr(length), unix.PROT_NONE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE|unix.MAP_FIXED)
	return err
}

// Mlock locks pages in memory.
func Mlock(addr unsafe.Pointer, length uint64) error {
	return unix.Mlock(unsafe.Slice((*byte)(addr), length))
}

// MemfdCreate creates an anonymous memory file of size bytes. hugeShift, if
// non-zero, asks for hugetlb pages of 1<<hugeShift bytes.
func MemfdCreate(name string, size uint64, hugeShift uint) (int, error) {
	flags := unix.MFD_CLOEXEC
	if hugeShift != 0 {
		flags |= unix.MFD_HUGETLB | int(hugeShift)<<unix.MFD_HUGE_SHIFT
	}
	fd, err := unix.MemfdCreate(name, flags)
	if err != nil {
		return -1, fmt.Errorf("sys: memfd_create(%s): %w", name, err)
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("sys: size memfd %s to %d: %w", name, size, err)
	}
	return fd, nil
}

// Fallocate reserves the backing store of a file now, so that a hugetlbfs
// file runs out of pages with ENOSPC here rather than with SIGBUS on first touch.
func Fallocate(fd int, size uint64) error {
	return unix.Fallocate(fd, 0, 0, int64(size))
}

// HugeMount is one mounted hugetlbfs.
type HugeMount struct {
	Dir      string
	PageSize uint64
}

// HugeMounts lists hugetlbfs mounts from /proc/mounts with their page size
// (the pagesize= option, or the system default).
func HugeMounts() ([]HugeMount, error) {
	f, err := os.Open("/proc/mounts")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	def := DefaultHugepageSize()
	var out []HugeMount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || fields[2] != "hugetlbfs" {
			continue
		}
		m := HugeMount{Dir: unescapeMount(fields[1]), PageSize: def}
		for _, o := range strings.Split(fields[3], ",") {
			if v, ok := strings.CutPrefix(o, "pagesize="); ok {
				if sz, err := ParseSize(v); err == nil {
					m.PageSize = sz
				}
			}
		}
		out = append(out, m)
	}
	return out, sc.Err()
}

func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}

// DefaultHugepageSize returns Hugepagesize from /proc/meminfo (0 if none).
func DefaultHugepageSize() uint64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Hugepagesize:"); ok {
			f := strings.Fields(v)
			if len(f) >= 1 {
				n, _ := strconv.ParseUint(f[0], 10, 64)
				return n << 10
			}
		}
	}
	return 0
}

// FreeHugepages returns the number of free hugepages of the given size.
func FreeHugepages(pageSize uint64) uint64 {
	p := fmt.Sprintf("/sys/kernel/mm/hugepages/hugepages-%dkB/free_hugepages", pageSize>>10)
	b, err := os.ReadFile(p)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

// ParseSize parses sizes such as "2M", "1G", "2048k", "4096" (bytes).
func ParseSize(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty size")
	}
	if len(s) > 1 && (s[len(s)-1] == 'B' || s[len(s)-1] == 'b') && strings.ContainsRune("kKmMgG", rune(s[len(s)-2])) {
		s = s[:len(s)-1]
	}
	mult := uint64(1)
	switch s[len(s)-1] {
	case 'k', 'K':
		mult = 1 << 10
	case 'm', 'M':
		mult = 1 << 20
	case 'g', 'G':
		mult = 1 << 30
	}
	if mult != 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q", s)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q too large", s)
	}
	return n * mult, nil
}
