package deid

import (
	"strings"
	"testing"
)

// TestGroupSpan: the veto of a span that names a group or a land, at its
// edges: where the word before starts, how long it may be, and which type
// each reading needs.
func TestGroupSpan(t *testing.T) {
	for _, tc := range []struct {
		name, text, span string
		typ              Type
		want             bool
	}{
		{"a faith after a word of a sentence about faith", "Pt Lutheran, requested communion", "Lutheran", TypeName, true},
		{"in capitals", "FAMILY IS CATHOLIC", "CATHOLIC", TypeDate, true},
		{"after an apostrophe's word", "pt's Baptist church", "Baptist", TypeLocation, true},
		{"the end of a congregation's name", "at Dungeness Prairie Lutheran", "Lutheran", TypeLocation, false},
		{"a hospital's short name after to", "transferred to Methodist for cath", "Methodist", TypeLocation, false},
		{"after at", "seen at Baptist today", "Baptist", TypeLocation, false},
		{"at the text's start", "Lutheran pastor visited", "Lutheran", TypeName, false},
		{"after punctuation, no word", "- Lutheran", "Lutheran", TypeName, false},
		{"alone in brackets (dev109)", "visit requested (Lutheran)", "Lutheran", TypeDate, true},
		{"in brackets with no word before", "(Baptist)", "Baptist", TypeName, false},
		{"in brackets after a place's word: a hospital", "transferred to OSH (Methodist)", "Methodist", TypeLocation, false},
		{"after a word longer than any lead", "extraordinarily Catholic", "Catholic", TypeName, false},
		{"no faith", "Pt Lutherans visited", "Lutherans", TypeName, false},
		{"a country as a place", "moved from Norway", "Norway", TypeLocation, true},
		{"a nationality as a name", "Pt is Haitian", "Haitian", TypeName, true},
		{"a country that is a given name, after in", "parents in India", "India", TypeLocation, true},
		{"the same read as a name", "spoke with India", "India", TypeName, false},
		{"the same as a place, not after in", "message from India", "India", TypeLocation, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := strings.Index(tc.text, tc.span)
			if s < 0 {
				t.Fatalf("%q not in %q", tc.span, tc.text)
			}
			if got := groupSpan(tc.text, s, s+len(tc.span), tc.typ); got != tc.want {
				t.Errorf("groupSpan(%q in %q, %v) = %v, want %v", tc.span, tc.text, tc.typ, got, tc.want)
			}
		})
	}
}

// TestFaithAloneLongWord: after a megabyte-long run of letters (one word, on
// no lead list) a faith's word stays, and the check allocates nothing: every
// span of the rules and the tagger passes it.
func TestFaithAloneLongWord(t *testing.T) {
	text := strings.Repeat("a", 1<<20) + " Catholic"
	s := len(text) - len("Catholic")
	if faithAlone(text, s, len(text)) {
		t.Error("a faith after a run of letters that is no lead word vetoed")
	}
	allocs := testing.AllocsPerRun(100, func() { faithAlone(text, s, len(text)) })
	if allocs != 0 {
		t.Errorf("faithAlone allocates %v times per call, want 0", allocs)
	}
	// the bracket's path (a second look-up) allocates nothing either
	br := "Chaplain visit requested (Lutheran)"
	bs := strings.Index(br, "Lutheran")
	if !faithAlone(br, bs, bs+len("Lutheran")) {
		t.Error("a faith in brackets after \"requested\" kept")
	}
	if allocs := testing.AllocsPerRun(100, func() { faithAlone(br, bs, bs+len("Lutheran")) }); allocs != 0 {
		t.Errorf("faithAlone in brackets allocates %v times per call, want 0", allocs)
	}
}
