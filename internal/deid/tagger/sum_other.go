//go:build !amd64

package tagger

func sumVecs(dst *vec, srcs *[maxSum]*vec, n int) { sumVecsGeneric(dst, srcs, n) }

func sumIvecs(dst *ivec, srcs *[maxIsum]*ivec, n int) { sumIvecsGeneric(dst, srcs, n) }
