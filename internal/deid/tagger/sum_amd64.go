package tagger

// sumVecs adds *srcs[0], ..., *srcs[n-1] to dst, lane by lane and in that
// order (SSE: four lanes per instruction; the same float32 additions as
// sumVecsGeneric, so the same bits). n must not exceed maxSum.
//
//go:noescape
func sumVecs(dst *vec, srcs *[maxSum]*vec, n int)
