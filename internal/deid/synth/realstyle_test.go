package synth

import (
	"strings"
	"testing"
	"unicode"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/realeval"
)

// TestRealStyleGold: every generated note passes the gold checker of the
// hand-written sets (spans in range, in order, on word boundaries), all
// three casings and the main PHI types occur, and a real share of notes
// hold no PHI.
func TestRealStyleGold(t *testing.T) {
	notes, err := GenerateRealStyle(11, 600)
	if err != nil {
		t.Fatal(err)
	}
	casings := map[string]int{}
	types := map[deid.Type]int{}
	empty := 0
	for i, n := range notes {
		if err := realeval.Check(deid.GoldNote{Text: n.Text, Spans: n.Spans}); err != nil {
			t.Fatalf("note %d (%s): %v\n%s", i, n.Kind, err, n.Text)
		}
		casings[n.Kind[strings.IndexByte(n.Kind, '/')+1:]]++
		for _, s := range n.Spans {
			types[s.Type]++
		}
		if len(n.Spans) == 0 {
			empty++
		}
		if strings.HasSuffix(n.Kind, "/upper") && strings.IndexFunc(n.Text, unicode.IsLower) >= 0 {
			t.Fatalf("note %d is meant to be in capitals: %q", i, n.Text)
		}
	}
	for _, c := range []string{"upper", "lower", "mixed"} {
		if casings[c] < 100 {
			t.Errorf("only %d %s notes", casings[c], c)
		}
	}
	for _, typ := range []deid.Type{deid.TypeName, deid.TypeLocation, deid.TypeDate, deid.TypePhone, deid.TypeID, deid.TypeAge} {
		if types[typ] < 20 {
			t.Errorf("only %d %s spans", types[typ], typ)
		}
	}
	if empty < 60 {
		t.Errorf("only %d of 600 notes without PHI", empty)
	}
	t.Logf("casings %v, spans %v, %d notes without PHI", casings, types, empty)
}

// TestDevGenIsReproducible: the generated development set still equals the
// generator's output (go run ./internal/deid/realeval/gen rewrites it).
func TestDevGenIsReproducible(t *testing.T) {
	want, err := GenerateRealStyle(realeval.DevGenSeed, realeval.DevGenNotes)
	if err != nil {
		t.Fatal(err)
	}
	got, err := realeval.LoadJSONL("../testdata/realstyle/dev-gen.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d notes in dev-gen.jsonl, generator gives %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Text != want[i].Text || len(got[i].Spans) != len(want[i].Spans) {
			t.Fatalf("note %d differs from the generator: run go run ./internal/deid/realeval/gen", i)
		}
	}
}

// TestRealStyleBusinesses: with RealStyleOptions.Businesses the notes still
// pass the gold checker, hold businesses named with ordinary words, wards
// named by words, date ranges and the negative frames, and the zero options
// change nothing.
func TestRealStyleBusinesses(t *testing.T) {
	notes, err := GenerateRealStyleWith(11, 600, RealStyleOptions{Businesses: true})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := GenerateRealStyleWith(11, 600, RealStyleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	base, err := GenerateRealStyle(11, 600)
	if err != nil {
		t.Fatal(err)
	}
	locs, plainLocs := 0, 0
	var all strings.Builder
	for i, n := range notes {
		if err := realeval.Check(deid.GoldNote{Text: n.Text, Spans: n.Spans}); err != nil {
			t.Fatalf("note %d (%s): %v\n%s", i, n.Kind, err, n.Text)
		}
		for _, s := range n.Spans {
			if s.Type == deid.TypeLocation {
				locs++
			}
		}
		for _, s := range plain[i].Spans {
			if s.Type == deid.TypeLocation {
				plainLocs++
			}
		}
		if plain[i].Text != base[i].Text {
			t.Fatalf("note %d: the zero options change GenerateRealStyle's note", i)
		}
		all.WriteString(strings.ToLower(n.Text))
		all.WriteString("\n")
	}
	if locs < plainLocs*4/3 {
		t.Errorf("%d LOCATION spans with businesses, %d without", locs, plainLocs)
	}
	text := all.String()
	for _, want := range []string{"works at ", "f/u with ", "appt at ", "called ", "transfer to "} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in the notes", want)
		}
	}
	if !strings.Contains(text, "works from home") && !strings.Contains(text, "works at home") && !strings.Contains(text, "works nights") {
		t.Errorf("no negative employment frame in the notes")
	}
	t.Logf("%d LOCATION spans with businesses, %d without", locs, plainLocs)
}
