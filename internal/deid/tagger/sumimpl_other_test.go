//go:build !amd64

package tagger

import "testing"

// sumImpls are the sums TestSumVecsBitExact checks on this machine.
func sumImpls() map[string]func(*vec, *[maxSum]*vec, int) {
	return map[string]func(*vec, *[maxSum]*vec, int){"sumVecs": sumVecs}
}

// scalarPath: the portable path is the only one here; the tests that
// force it already ran it.
func scalarPath(t *testing.T) {
	t.Skip("no assembly on this architecture: TestFastEqualsFloat runs the portable path")
}
