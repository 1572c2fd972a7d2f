package tagger

// sumImpls are the sums TestSumVecsBitExact checks on this machine.
func sumImpls() map[string]func(*vec, *[maxSum]*vec, int) {
	m := map[string]func(*vec, *[maxSum]*vec, int){"sumVecs": sumVecs, "SSE": sumVecsSSE}
	if useAVX {
		m["AVX"] = sumVecsAVX
	}
	return m
}
