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

// useAVX: the processor and the operating system support AVX (x/sys/cpu
// checks CPUID and that the OS saves the YMM registers).
var useAVX = cpu.X86.HasAVX

//go:noescape
func sumVecsSSE(dst *vec, srcs *[maxSum]*vec, n int)

//go:noescape
func sumVecsAVX(dst *vec, srcs *[maxSum]*vec, n int)
