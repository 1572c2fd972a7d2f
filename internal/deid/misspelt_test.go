package deid

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// misspeltRef is the plain form of misspelt: build every candidate and hash
// it whole.
func misspeltRef(sc *scan, w string) bool {
	if len(w) > 24 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	ok := func(s string) bool {
		f := sc.vocab.Lookup(s)
		return f&lexicon.Safe != 0 && f&(lexicon.Name|lexicon.City) == 0
	}
	n := len(w)
	for i := 0; i < n; i++ {
		if ok(w[:i] + w[i+1:]) {
			return true
		}
	}
	for i := 0; i+1 < n; i++ {
		if ok(w[:i] + w[i+1:i+2] + w[i:i+1] + w[i+2:]) {
			return true
		}
	}
	for i := 0; i < n && n >= 8; i++ {
		for c := byte('a'); c <= 'z'; c++ {
			if c != w[i] && ok(w[:i]+string(c)+w[i+1:]) {
				return true
			}
		}
	}
	for i := 0; i <= n && n >= 8; i++ {
		for c := byte('a'); c <= 'z'; c++ {
			if ok(w[:i] + string(c) + w[i:]) {
				return true
			}
		}
	}
	return false
}

// TestMisspeltEqualsPlain: the prefix-hash form of misspelt answers as the
// plain one on the words of the development notes and on one-edit and
// two-edit variants of them.
func TestMisspeltEqualsPlain(t *testing.T) {
	data, err := os.ReadFile("testdata/realstyle/dev.txt")
	if err != nil {
		t.Fatal(err)
	}
	sc := &scan{vocab: lexicon.Vocab()}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	yes := 0
	check := func(w string) {
		if seen[w] {
			return
		}
		seen[w] = true
		got, want := sc.misspeltUncached(w), misspeltRef(sc, w)
		if got != want {
			t.Errorf("misspelt(%q) = %v, plain form %v", w, got, want)
		}
		if again := sc.misspelt(w); again != want || sc.misspelt(w) != want {
			t.Errorf("misspelt(%q) with the cache = %v, plain form %v", w, again, want)
		}
		if want {
			yes++
		}
	}
	for _, f := range strings.FieldsFunc(strings.ToLower(string(data)), func(r rune) bool { return r < 'a' || r > 'z' }) {
		if len(f) < 3 {
			continue
		}
		check(f)
		b := []byte(f)
		for range 3 {
			v := append([]byte(nil), b...)
			switch i := r.IntN(len(v)); r.IntN(3) {
			case 0:
				v = append(v[:i], v[i+1:]...)
			case 1:
				v[i] = byte('a' + r.IntN(26))
			default:
				v = append(v[:i], append([]byte{byte('a' + r.IntN(26))}, v[i:]...)...)
			}
			check(string(v))
		}
	}
	if yes < 50 || len(seen) < 2000 {
		t.Fatalf("only %d words, %d misspelt: the test checks too little", len(seen), yes)
	}
}

// TestCompound: a word no list holds that a writer glued from a prefix and a
// safe word is no candidate; one whose rest is a name, a town or too short
// stays one.
func TestCompound(t *testing.T) {
	sc := &scan{}
	sc.reset("", DefaultRules().vocab)
	for _, c := range []struct {
		w    string
		want bool
	}{
		{"rebleed", true},
		{"downtrending", true},
		{"submassive", true},
		{"hypercoag", true},
		{"unger", false},        // too short
		{"subramanian", false},  // "ramanian" is no word
		{"overbeck", false},     // "beck" is a name
		{"upsacramento", false}, // "sacramento" is a town
		{"rebleed2", false},     // not letters only
		{"premie", false},       // under seven letters
	} {
		if got := sc.compound(c.w); got != c.want {
			t.Errorf("compound(%q) = %v, want %v", c.w, got, c.want)
		}
	}
}

// TestCompoundLines: the rules take a word glued from a prefix and a safe
// word for no name or place, and still take an unknown word so.
func TestCompoundLines(t *testing.T) {
	checkLineTags(t, []struct{ name, in, want string }{
		{"a prefixed word before labs stays", "heme: heparin gtt, anti-xa 0.42 @ 1200. hypercoag labs sent.", "heme: heparin gtt, anti-xa 0.42 @ 1200. hypercoag labs sent."},
		{"an unknown word before labs is a place", "heme: heparin gtt. zorbrin labs sent.", "heme: heparin gtt. [LOCATION] sent."},
	})
}

// TestMedicalWord: a word that ends in a medical suffix is clinical
// vocabulary, whatever list misses it; a name of the same length is not.
func TestMedicalWord(t *testing.T) {
	for w, want := range map[string]bool{
		"spondylotic": true, "albuminocytologic": true, "cardioembolic": true, "perimesencephalic": true,
		"appendicular": true, "subluxation": true, "teratoma": true, "dyskinesias": true, "hemangioma": true,
		"cholecystectomy": true, "paloma": false, "quaxley": false, "thompson": false, "zebulon": false,
		"ular": false, "regularly": false,
	} {
		if got := medicalWord(w); got != want {
			t.Errorf("medicalWord(%q) = %v, want %v", w, got, want)
		}
	}
}
