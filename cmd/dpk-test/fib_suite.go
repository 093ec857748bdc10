package main

import (
	"errors"
	"fmt"
)

// fibTestCase is one TEST_CASE of a unit_test_suite.
type fibTestCase struct {
	name string
	fn   func() error
}

// fibSuiteRunner is app/test/test.c's unit_test_suite_runner for a suite
// without setup, teardown or sub-suites: the same banner, one line per
// case and the same summary. A case's error is printed before its line,
// where DPDK's RTE_TEST_ASSERT prints its message.
func fibSuiteRunner(suite string, cases []fibTestCase) error {
	const rule = " + ------------------------------------------------------- +"
	fmt.Println(rule)
	fmt.Printf(" + Test Suite : %s\n", suite)
	fmt.Println(rule)
	var total, executed, succeeded, skipped, failed int
	for _, tc := range cases {
		total++
		executed++
		err := tc.fn()
		status := "succeeded"
		switch {
		case err == nil:
			succeeded++
		case errors.Is(err, errSkipped):
			skipped++
			status = "skipped"
		default:
			failed++
			status = "failed"
			fmt.Printf("EAL: Test assert %s failed: %v\n", tc.name, err)
		}
		fmt.Printf(" + TestCase [%2d] : %s %s\n", total-1, tc.name, status)
	}
	fmt.Println(rule)
	fmt.Printf(" + Test Suite Summary : %s\n", suite)
	fmt.Println(rule)
	fmt.Printf(" + Tests Total :       %2d\n", total)
	fmt.Printf(" + Tests Skipped :     %2d\n", skipped)
	fmt.Printf(" + Tests Executed :    %2d\n", executed)
	fmt.Printf(" + Tests Unsupported:  %2d\n", 0)
	fmt.Printf(" + Tests Passed :      %2d\n", succeeded)
	fmt.Printf(" + Tests Failed :      %2d\n", failed)
	fmt.Println(rule)
	switch {
	case failed > 0:
		return fmt.Errorf("%s: %d of %d cases failed", suite, failed, total)
	case total == skipped:
		return fmt.Errorf("%w: %s", errSkipped, suite)
	}
	return nil
}

// fibAssert is RTE_TEST_ASSERT: nil when ok, else an error of the message.
func fibAssert(ok bool, format string, args ...any) error {
	if ok {
		return nil
	}
	return fmt.Errorf(format, args...)
}
