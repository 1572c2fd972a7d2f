package synth

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// TestGoldSpans: spans lie inside the text, in order, without overlap, and
// never start or end on a space.
func TestGoldSpans(t *testing.T) {
	notes, err := Generate(3, 200)
	if err != nil {
		t.Fatal(err)
	}
	types := map[deid.Type]int{}
	for i, n := range notes {
		runes := []rune(n.Text)
		prev := 0
		for _, s := range n.Spans {
			if s.Start < prev || s.End <= s.Start || s.End > len(runes) {
				t.Fatalf("note %d: bad span %+v", i, s)
			}
			v := string(runes[s.Start:s.End])
			if strings.TrimSpace(v) != v || !utf8.ValidString(v) {
				t.Fatalf("note %d: span %q has outer spaces", i, v)
			}
			prev = s.End
			types[s.Type]++
		}
	}
	for _, typ := range []deid.Type{deid.TypeName, deid.TypeLocation, deid.TypeDate, deid.TypeAge, deid.TypePhone, deid.TypeEmail, deid.TypeURL, deid.TypeIP, deid.TypeID} {
		if types[typ] == 0 {
			t.Errorf("no %s spans generated", typ)
		}
	}
}

// TestHeldOutShare: a real share of the generated names are words the
// engine's lexicon does not contain, so the evaluation measures context rules.
func TestHeldOutShare(t *testing.T) {
	notes, err := Generate(1, 500)
	if err != nil {
		t.Fatal(err)
	}
	lex := lexicon.Get()
	words, unknown := 0, 0
	for _, n := range notes {
		runes := []rune(n.Text)
		for _, s := range n.Spans {
			if s.Type != deid.TypeName {
				continue
			}
			for _, w := range strings.FieldsFunc(string(runes[s.Start:s.End]), func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '.' }) {
				if len(w) < 2 {
					continue
				}
				words++
				if lex.Words[strings.ToLower(w)]&lexicon.Name == 0 {
					unknown++
				}
			}
		}
	}
	share := float64(unknown) / float64(words)
	t.Logf("%d of %d name words (%.1f%%) are not in the engine's name lexicon", unknown, words, 100*share)
	if share < 0.25 {
		t.Fatalf("only %.1f%% of name words are unknown to the engine", 100*share)
	}
}

func TestDeterministic(t *testing.T) {
	a, _ := Generate(5, 20)
	b, _ := Generate(5, 20)
	for i := range a {
		if a[i].Text != b[i].Text {
			t.Fatal("same seed, different notes")
		}
	}
}
