package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"dpk/eal"
	"dpk/internal/sys"

	"golang.org/x/sys/unix"
)

// A run killed with SIGKILL cannot clean up. Everything the lab makes is
// named with its pid, so the next run can tell leftovers (their process is
// gone) from what other runs still use, and remove them.

// Names the lab gives what it creates, with the pid of the process that
// made them, so that leftovers of a killed run can be recognised.
var (
	labNetnsRe = regexp.MustCompile(`^dpklab([0-9]+)_[0-9]+[ab]$`)
	labLinkRe  = regexp.MustCompile(`^dl([0-9]+)_[0-9]+p?[ab]$`)
)

// pidAlive reports whether a process exists.
func pidAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}

// removeStale deletes namespaces and interfaces named as the lab names
// them whose process is gone (a run killed with SIGKILL cannot clean up),
// and returns what it removed.
func removeStale() []string {
	var removed []string
	stale := func(re *regexp.Regexp, name string) bool {
		m := re.FindStringSubmatch(name)
		if m == nil {
			return false
		}
		pid, err := strconv.Atoi(m[1])
		return err == nil && pid != os.Getpid() && !pidAlive(pid)
	}
	for _, l := range listLinks() {
		if stale(labLinkRe, l) && ip("link", "del", "dev", l) == nil {
			removed = append(removed, "interface "+l)
		}
	}
	for _, ns := range listNetns() {
		if stale(labNetnsRe, ns) && ip("netns", "del", ns) == nil {
			removed = append(removed, "namespace "+ns)
		}
	}
	return removed
}

// labPrefixRe matches the lab's default --file-prefix.
var (
	labPrefixRe = regexp.MustCompile(`^dpklab([0-9]+)$`)
	hugeFileRe  = regexp.MustCompile(`map_[0-9]+$`) // after the prefix
)

// removeStaleEAL removes the EAL files of runs gone without cleaning up
// that used the lab's default --file-prefix: their runtime directory and
// their hugepage files (which would keep the hugepages allocated).
func removeStaleEAL() []string {
	var removed []string
	dead := func(name string) bool {
		m := labPrefixRe.FindStringSubmatch(name)
		if m == nil {
			return false
		}
		pid, err := strconv.Atoi(m[1])
		return err == nil && pid != os.Getpid() && !pidAlive(pid)
	}
	runBase := filepath.Dir(eal.RuntimeDir("x"))
	ents, _ := os.ReadDir(runBase)
	for _, e := range ents {
		if e.IsDir() && dead(e.Name()) && os.RemoveAll(filepath.Join(runBase, e.Name())) == nil {
			removed = append(removed, "EAL runtime directory "+filepath.Join(runBase, e.Name()))
		}
	}
	mounts, _ := sys.HugeMounts()
	for _, m := range mounts {
		files, _ := filepath.Glob(filepath.Join(m.Dir, "dpklab*map_*"))
		for _, f := range files {
			base := filepath.Base(f)
			if i := hugeFileRe.FindStringIndex(base); i != nil && dead(base[:i[0]]) && os.Remove(f) == nil {
				removed = append(removed, "hugepage file "+f)
			}
		}
	}
	return removed
}
