package tagger

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSumVecsBitExact: the SSE sum gives the very bits of the Go sum (lane
// by lane, in order), for every count of sources, with values of mixed
// magnitude and sign where the order of float32 additions shows.
func TestSumVecsBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var srcs [maxSum]vec
	for trial := range 200 {
		var ptrs [maxSum]*vec
		for i := range srcs {
			for k := range srcs[i] {
				srcs[i][k] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(8)-2)))
			}
			ptrs[i] = &srcs[i]
		}
		n := trial % (maxSum + 1)
		var a, b vec
		for k := range a {
			a[k] = float32(r.NormFloat64())
		}
		b = a
		sumVecs(&a, &ptrs, n)
		sumVecsGeneric(&b, &ptrs, n)
		for k := range a {
			if math.Float32bits(a[k]) != math.Float32bits(b[k]) {
				t.Fatalf("trial %d, n %d, lane %d: %v != %v", trial, n, k, a[k], b[k])
			}
		}
	}
}
