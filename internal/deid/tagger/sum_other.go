//go:build !amd64

package tagger

func sumVecs(dst *vec, srcs *[maxSum]*vec, n int) { sumVecsGeneric(dst, srcs, n) }

func sumDecide(s *ivec, srcs *[maxIsum]*ivec, n int, deny *ivec) (uint8, bool) {
	return sumDecideGeneric(s, srcs, n, deny)
}

func sumIvecs(dst *ivec, srcs *[maxIsum]*ivec, n int) { sumIvecsGeneric(dst, srcs, n) }

// useAVX2: no assembly here.
const useAVX2 = false

// scoreRunAVX2 is never called where useAVX2 is false; it leaves every
// token to the caller.
func scoreRunAVX2(a *runArgs) {}
