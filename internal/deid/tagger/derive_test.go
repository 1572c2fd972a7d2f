package tagger

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
)

// checkDerived: where recsFromTokens builds the records of text from the
// rules' tokens, they are scanInto's, field by field, with its casing; it
// reports whether it built them.
func checkDerived(t *testing.T, text string) bool {
	t.Helper()
	want, wantCasing := scanInto(nil, text)
	var ok bool
	deid.DefaultRules().WithTokens(text, func(toks *deid.Tokens) {
		pre := []rec{{key: 7, off: 1}} // appended after what the buffer holds
		var got []rec
		var casing byte
		got, casing, ok = recsFromTokens(pre, text, toks)
		if !ok {
			if len(got) != 1 {
				t.Fatalf("%q: not derived, but the buffer holds %d records", text, len(got))
			}
			return
		}
		if got[0] != pre[0] || len(got)-1 != len(want) || casing != wantCasing {
			t.Fatalf("%q: derived %d records, casing %d; scan %d, %d", text, len(got)-1, casing, len(want), wantCasing)
		}
		for i := range want {
			if got[i+1] != want[i] {
				t.Fatalf("%q: record %d: derived %+v, scan %+v", text, i, got[i+1], want[i])
			}
		}
	})
	return ok
}

// TestRecsFromTokens: on every set, in three casings, and on odd input,
// the records built from the rules' tokens are those of scanInto; every
// ASCII note without '\r' is built so.
func TestRecsFromTokens(t *testing.T) {
	texts := []string{
		"", " ", "\n\n", "a", "ab'", "'s", "O'Brien's", "Doe's", "Jones' ", "x'y'z", "0937884Date", "0937884date",
		"mr.renzi", "KRISSY---301 944-5032", "5mg", "ACC1234x", " \t\v\f x", "a\x00b\x7fc", "D'", "9'9",
		strings.Repeat("ab", 100) + " " + strings.Repeat("9", 70) + " " + strings.Repeat("a1", 40),
		strings.Repeat("Ab cD EFG hij KLMNOP qrstuvwxyzabc ", 3000), // casing over many words
		"a\rb", "Hafþór Júlia", "x\xffy",
	}
	for _, note := range loadNotes(t, fastSets...) {
		texts = append(texts, note, strings.ToUpper(note), strings.ToLower(note))
	}
	derived, want := 0, 0
	for _, text := range texts {
		if checkDerived(t, text) {
			derived++
		}
		if isASCIIText(text) && !strings.Contains(text, "\r") {
			want++
		}
	}
	if derived != want {
		t.Errorf("%d of %d ASCII notes without a carriage return built from the rules' tokens", derived, want)
	}
	t.Logf("%d of %d texts built from the rules' tokens", derived, len(texts))
}

func isASCIIText(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// TestSpansTokensEqualSpans: the spans found through the rules' tokens are
// those of AppendSpans, note by note.
func TestSpansTokensEqualSpans(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range loadNotes(t, fastSets...) {
		want := tg.Spans(text)
		var got []deid.Span
		deid.DefaultRules().WithTokens(text, func(toks *deid.Tokens) { got = tg.AppendSpansTokens(nil, text, toks) })
		if !slices.Equal(got, want) {
			t.Fatalf("note %d: spans through the rules' tokens %+v, want %+v", i, got, want)
		}
	}
}

// FuzzRecsFromTokens: on any text, the records built from the rules'
// tokens are scanInto's (or none are built).
func FuzzRecsFromTokens(f *testing.F) {
	for _, s := range []string{
		"O'Brien's", "Doe's", "0937884Date", "mr.renzi", "KRISSY---301 944-5032", "x'y", "a\rb", "Hafþór",
		"9/7-ADMITTED TO CCU", strings.Repeat("a", 70) + "'b", "ab1cd2''e",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkDerived(t, text)
	})
}
