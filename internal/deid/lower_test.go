package deid

import (
	"math/rand/v2"
	"testing"
)

// TestAppendLowerASCII: the eight-bytes-at-a-time lower-casing gives what
// the byte loop gives, for every byte value in every position, and its
// ASCII answer is isASCII's.
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
		low, ascii := appendLowerASCII(append([]byte(nil), prefix...), string(b))
		if got, want := string(low), string(prefix)+ref(string(b)); got != want {
			t.Fatalf("trial %d: %q: got %q, want %q", trial, b, got, want)
		}
		if ascii != isASCII(string(b)) {
			t.Fatalf("trial %d: %q: ascii %v", trial, b, ascii)
		}
	}
	for c := range 256 {
		s := string([]byte{byte(c), byte(c), byte(c), byte(c), byte(c), byte(c), byte(c), byte(c), byte(c)})
		low, ascii := appendLowerASCII(nil, s)
		if got := string(low); got != ref(s) || ascii != (c < 0x80) {
			t.Fatalf("byte %#x: got %q (ascii %v), want %q", c, got, ascii, ref(s))
		}
	}
}
