package tagger

import "golang.org/x/sys/cpu"

// sumVecs adds *srcs[0], ..., *srcs[n-1] to dst, lane by lane and in that
// order (AVX: eight lanes per instruction, else SSE: four; the same
// float32 additions as sumVecsGeneric, so the same bits). n must not
// exceed maxSum.
func sumVecs(dst *vec, srcs *[maxSum]*vec, n int) {
	if useAVX {
		sumVecsAVX(dst, srcs, n)
		return
	}
	sumVecsSSE(dst, srcs, n)
}

// sumIvecs adds *srcs[0], ..., *srcs[n-1] to dst (integer lanes: exact
// in any order). n must not exceed maxIsum.
func sumIvecs(dst *ivec, srcs *[maxIsum]*ivec, n int) {
	if useAVX2 {
		sumIvecsAVX2(dst, srcs, n)
		return
	}
	sumIvecsGeneric(dst, srcs, n)
}

// useAVX2: 256-bit integer additions (and AVX's OS support).
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasAVX

// sumDecide adds the sources to a copy of *s and returns what decide
// returns for it (the tag, and whether its lead is safe), with deny the
// lanes decide would skip after the previous tag (denyMask).
func sumDecide(s *ivec, srcs *[maxIsum]*ivec, n int, deny *ivec) (uint8, bool) {
	if useAVX2 {
		b, sure := sumDecideAVX2(s, srcs, n, deny)
		return uint8(b), sure
	}
	return sumDecideGeneric(s, srcs, n, deny)
}

//go:noescape
func sumDecideAVX2(s *ivec, srcs *[maxIsum]*ivec, n int, deny *ivec) (best int, sure bool)

//go:noescape
func sumIvecsAVX2(dst *ivec, srcs *[maxIsum]*ivec, n int)

// useAVX: the processor and the operating system support AVX (x/sys/cpu
// checks CPUID and that the OS saves the YMM registers).
var useAVX = cpu.X86.HasAVX

//go:noescape
func sumVecsSSE(dst *vec, srcs *[maxSum]*vec, n int)

//go:noescape
func sumVecsAVX(dst *vec, srcs *[maxSum]*vec, n int)

//go:noescape
func scoreRunAVX2(a *runArgs)
