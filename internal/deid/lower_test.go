package deid

import (
	"math/rand/v2"
	"testing"
)

// TestAppendLowerASCII: the eight-bytes-at-a-time lower-casing gives what
// the byte loop gives, for every byte value in every position.
func TestAppendLowerASCII(t *testing.T) {
	ref := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 20000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(256))
			if r.IntN(2) == 0 {
				b[i] = byte('@' + r.IntN(28)) // around A-Z: '@', '[' and the letters
			}
		}
		prefix := []byte("Ab")[:r.IntN(3)]
		got := string(appendLowerASCII(append([]byte(nil), prefix...), string(b)))
		if want := string(prefix) + ref(string(b)); got != want {
			t.Fatalf("trial %d: %q: got %q, want %q", trial, b, got, want)
		}
	}
	for c := range 256 {
		s := string([]byte{byte(c), byte(c), byte(c), byte(c), byte(c), byte(c), byte(c), byte(c), byte(c)})
		if got := string(appendLowerASCII(nil, s)); got != ref(s) {
			t.Fatalf("byte %#x: got %q, want %q", c, got, ref(s))
		}
	}
}
