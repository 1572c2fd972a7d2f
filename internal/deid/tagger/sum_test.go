package tagger

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSumVecsBitExact: the assembly sums (SSE, and AVX where the machine
// has it) give the very bits of the Go sum (lane by lane, in order), for
// every count of sources, with values of mixed magnitude and sign where the
// order of float32 additions shows.
func TestSumVecsBitExact(t *testing.T) {
	sums := sumImpls()
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
		var a vec
		for k := range a {
			a[k] = float32(r.NormFloat64())
		}
		want := a
		sumVecsGeneric(&want, &ptrs, n)
		for name, sum := range sums {
			got := a
			sum(&got, &ptrs, n)
			for k := range got {
				if math.Float32bits(got[k]) != math.Float32bits(want[k]) {
					t.Fatalf("%s: trial %d, n %d, lane %d: %v != %v", name, trial, n, k, got[k], want[k])
				}
			}
		}
	}
}

// bestRef is the plain form of best: every tag in order, an I tag only
// after its own B or I, the first highest wins.
func bestRef(scores []float32, prev uint8) uint8 {
	bi, bv := 0, float32(math.Inf(-1))
	for i, v := range scores {
		if i > 0 && i%2 == 0 && prev != uint8(i) && prev != uint8(i-1) {
			continue
		}
		if v > bv {
			bi, bv = i, v
		}
	}
	return uint8(bi)
}

// TestBestEqualsRef: best picks the tag bestRef picks, ties included.
func TestBestEqualsRef(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 20000 {
		n := 1 + 2*(1+r.IntN(maxTypes))
		scores := make([]float32, n)
		for k := range scores {
			scores[k] = float32(r.IntN(4)) // small range: many ties
		}
		prev := uint8(r.IntN(n))
		if got, want := best(scores, prev), bestRef(scores, prev); got != want {
			t.Fatalf("trial %d: scores %v prev %d: best %d, want %d", trial, scores, prev, got, want)
		}
	}
}
