//go:build !amd64

package tagger

func sumVecs(dst *vec, srcs *[maxSum]*vec, n int) { sumVecsGeneric(dst, srcs, n) }
