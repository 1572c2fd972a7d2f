package tagger

import "testing"

// sumImpls are the sums TestSumVecsBitExact checks on this machine.
func sumImpls() map[string]func(*vec, *[maxSum]*vec, int) {
	m := map[string]func(*vec, *[maxSum]*vec, int){"sumVecs": sumVecs, "SSE": sumVecsSSE}
	if useAVX {
		m["AVX"] = sumVecsAVX
	}
	return m
}

// scalarPath makes the tagger take its portable integer path (no AVX2
// run scoring, no AVX2 sums) for the rest of the test, as on a processor
// without AVX2.
func scalarPath(t *testing.T) {
	saved := useAVX2
	useAVX2 = false
	t.Cleanup(func() { useAVX2 = saved })
}
