package sys

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// PinThread locks the calling goroutine to its OS thread and restricts that
// thread to the given CPUs. An out-of-range CPU is an error and locks nothing. The caller must stay on this goroutine for the
// pinning to mean anything; UnpinThread undoes the lock.
func PinThread(cpus []int) error {
	var set unix.CPUSet
	set.Zero()
	for _, c := range cpus {
		if c < 0 || c >= 1024 {
			return fmt.Errorf("sys: cpu %d out of range", c)
		}
		set.Set(c)
	}
	runtime.LockOSThread()
	if len(cpus) == 0 {
		return nil
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return fmt.Errorf("sys: sched_setaffinity(%v): %w", cpus, err)
	}
	return nil
}

// ThreadAffinity returns the CPUs the calling OS thread may run on.
func ThreadAffinity() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, err
	}
	var cpus []int
	for c := 0; c < 1024; c++ {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// SetThreadAffinity restricts the calling OS thread to cpus without locking
// the goroutine (used to restore a mask).
func SetThreadAffinity(cpus []int) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	return unix.SchedSetaffinity(0, &set)
}

// Gettid returns the calling thread's kernel id.
func Gettid() int { return unix.Gettid() }
