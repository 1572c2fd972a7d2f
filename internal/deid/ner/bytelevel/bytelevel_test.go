package bytelevel

import "testing"

func TestAlphabet(t *testing.T) {
	a := Alphabet()
	seen := map[string]bool{}
	for _, s := range a {
		if seen[s] {
			t.Fatalf("symbol %q used twice", s)
		}
		seen[s] = true
	}
	// Values from GPT-2's vocabulary: space, newline, and a Latin-1 byte.
	for in, want := range map[string]string{" John": "ĠJohn", "\n": "Ċ", "\t": "ĉ", "é": "Ã©", "A": "A"} {
		if got := Spell(in); got != want {
			t.Errorf("Spell(%q) = %q, want %q", in, got, want)
		}
	}
}
