package deid

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestResolveCopyEqualsResolve holds resolveCopy (Detect's last step) to
// resolveInPlace on random lists: overlaps, full ties of every field but
// the type or the detector, empty and inverted spans, negative starts,
// and offsets past the packed keys' range.
func TestResolveCopyEqualsResolve(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	types := []Type{TypeName, TypeLocation, TypeDate, TypeID, TypePhone, TypeAge, Type("OTHER"), Type("MORE")}
	recs := []string{"rules", recCandidate, "tagger", "model"}
	for n := range 4000 {
		size := r.IntN(60)
		maxOff := 80
		if n%50 == 0 {
			maxOff = 1<<keyPosBits + 40 // some past the keys' range
		}
		in := make([]Span, size)
		for i := range in {
			s := r.IntN(maxOff) - 2
			in[i] = Span{Start: s, End: s + r.IntN(12) - 2, Type: types[r.IntN(len(types))], Recognizer: recs[r.IntN(len(recs))]}
			if i > 0 && r.IntN(4) == 0 { // the same offsets as another span
				j := r.IntN(i)
				in[i].Start, in[i].End = in[j].Start, in[j].End
			}
		}
		want := resolveInPlace(slices.Clone(in))
		got := resolveCopy(slices.Clone(in))
		if got == nil || !slices.Equal(got, want) || cap(got) != len(got) {
			t.Fatalf("%v:\nresolveCopy %v (cap %d)\nresolveInPlace %v", in, got, cap(got), want)
		}
	}
}
