//go:build !amd64

package tagger

// sumImpls are the sums TestSumVecsBitExact checks on this machine.
func sumImpls() map[string]func(*vec, *[maxSum]*vec, int) {
	return map[string]func(*vec, *[maxSum]*vec, int){"sumVecs": sumVecs}
}
