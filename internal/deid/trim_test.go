package deid

import (
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestTrimASCIIEqualsRunes: on ASCII text the byte path of trimSpansASCII
// (trimASCII, skipTitleASCII) gives the spans of the rune path, which reads
// the decoded runes with unicode.IsSpace and unicode.IsLetter: random spans
// (every type, out of range and inverted ones too) over the development
// notes in every letter case, starting and ending at word edges, spaces and
// titles, and over random text made of titles, spaces and punctuation.
func TestTrimASCIIEqualsRunes(t *testing.T) {
	var texts []string
	for _, f := range []string{"testdata/realstyle/dev.txt", "testdata/realstyle/dev2.txt", "testdata/handwritten.txt"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, note := range strings.Split(string(b), "\n\n") {
			if isASCII(note) {
				texts = append(texts, note, strings.ToUpper(note), strings.ToLower(note))
			}
		}
	}
	pieces := []string{"Dr", "dr.", "MRS", "Mr.", "Prof", "Sister", "x", "Drew", " ", "  ", "\t", "\n", "\v", "\f", "\r", ".", "-", "@", "[", "`", "{", "Ann", "1"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		var b strings.Builder
		for range 1 + r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	types := []Type{TypeName, TypeName, TypeLocation, TypeDate, TypeID}
	if len(texts) < 1000 {
		t.Fatalf("only %d texts", len(texts))
	}
	titled := 0
	for _, text := range texts {
		var spans []Span
		for range 40 {
			s := r.IntN(len(text)+2) - 1
			e := s + r.IntN(30) - 2
			spans = append(spans, Span{Start: s, End: e, Type: types[r.IntN(len(types))], Recognizer: "x"})
		}
		// spans from each word start to a later word end
		for i := 0; i < len(text); i++ {
			if i == 0 || text[i-1] == ' ' || text[i-1] == '\n' {
				spans = append(spans, Span{Start: i, End: min(len(text), i+3+r.IntN(20)), Type: TypeName})
			}
		}
		want := trimSpansASCII(text, slices.Clone(spans), false)
		got := trimSpansASCII(text, slices.Clone(spans), true)
		if !slices.Equal(got, want) {
			t.Fatalf("%q: ASCII path %v, rune path %v", text, got, want)
		}
		for i, s := range want {
			if s.Type == TypeName && i < len(spans) && s.Start > spans[i].Start && s.End == spans[i].End {
				titled++
			}
		}
	}
	if titled < 100 {
		t.Fatalf("only %d spans trimmed at the start: the test does not reach the title path", titled)
	}
}
