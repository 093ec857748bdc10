package sys

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// CPU describes one logical CPU as sysfs shows it.
type CPU struct {
	ID      int // logical CPU number
	Core    int // core_id within its package
	Package int // physical_package_id
	Node    int // NUMA node (0 when the kernel shows none)
}

// SysfsRoot is where topology is read from; tests point it elsewhere.
var SysfsRoot = "/sys/devices/system"

// Topology returns the online CPUs with their core, package and NUMA node.
func Topology() ([]CPU, error) {
	online, err := os.ReadFile(filepath.Join(SysfsRoot, "cpu", "online"))
	if err != nil {
		return nil, fmt.Errorf("sys: read online cpus: %w", err)
	}
	ids, err := ParseCPUList(strings.TrimSpace(string(online)))
	if err != nil {
		return nil, fmt.Errorf("sys: online cpus: %w", err)
	}
	nodeOf := map[int]int{}
	nodes, _ := filepath.Glob(filepath.Join(SysfsRoot, "node", "node[0-9]*"))
	for _, n := range nodes {
		nid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(n), "node"))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(n, "cpulist"))
		if err != nil {
			continue
		}
		cl, err := ParseCPUList(strings.TrimSpace(string(b)))
		if err != nil {
			continue
		}
		for _, c := range cl {
			nodeOf[c] = nid
		}
	}
	cpus := make([]CPU, 0, len(ids))
	for _, id := range ids {
		dir := filepath.Join(SysfsRoot, "cpu", "cpu"+strconv.Itoa(id), "topology")
		c := CPU{ID: id, Core: readInt(filepath.Join(dir, "core_id"), id), Package: readInt(filepath.Join(dir, "physical_package_id"), 0), Node: nodeOf[id]}
		cpus = append(cpus, c)
	}
	return cpus, nil
}

func readInt(path string, def int) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return def
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return def
	}
	return v
}

// ParseCPUList parses the kernel's cpu list format ("0-3,8,10-11").
func ParseCPUList(s string) ([]int, error) {
	var out []int
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("bad cpu list element %q", part)
		}
		b := a
		if isRange {
			b, err = strconv.Atoi(hi)
			if err != nil || b < a {
				return nil, fmt.Errorf("bad cpu range %q", part)
			}
		}
		if b-a > 4096 {
			return nil, fmt.Errorf("cpu range %q too large", part)
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	return out, nil
}
