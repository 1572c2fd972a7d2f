package deid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/lexicon"
	"github.com/trustgate/trustgate/internal/deid/synth"
	"github.com/trustgate/trustgate/internal/testenv"
)

const synthSet = "testdata/synth-500.jsonl"

// detectEach runs the engine over every note of a gold file.
func detectEach(t *testing.T, path string, fn func(n deid.GoldNote, pred []deid.Span) error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	e := deid.New()
	err = deid.ReadJSONL(f, func(line int, n deid.GoldNote) error {
		pred, err := e.Detect(context.Background(), n.Text)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		return fn(n, pred)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func evaluate(t *testing.T, path string) *deid.Evaluation {
	t.Helper()
	ev := deid.NewEvaluation()
	detectEach(t, path, func(n deid.GoldNote, pred []deid.Span) error { return ev.Add(n.Text, n.Spans, pred) })
	return ev
}

// TestSynthTargets asserts the targets on the checked-in set:
// character-level recall ≥ 0.99 for every type (typed: the right tag) and
// ≥ 0.995 overall, precision ≥ 0.90.
func TestSynthTargets(t *testing.T) {
	ev := evaluate(t, synthSet)
	var table bytes.Buffer
	_ = ev.WriteTable(&table)
	t.Logf("evaluation on %s:\n%s", synthSet, table.String())
	if ev.Notes < 500 {
		t.Fatalf("only %d notes", ev.Notes)
	}
	for _, typ := range deid.Types {
		c := ev.Char[typ]
		if c.TP+c.FN == 0 {
			if typ != deid.TypeOther {
				t.Errorf("%s: no gold characters in the set", typ)
			}
			continue
		}
		if r := c.Recall(); r < 0.99 {
			t.Errorf("%s: character recall %.4f < 0.99", typ, r)
		}
		if p := c.Precision(); p < 0.90 {
			t.Errorf("%s: character precision %.4f < 0.90", typ, p)
		}
	}
	if r := unknownNameRecall(t); r < 0.99 {
		t.Errorf("character recall on names unknown to the lexicon %.4f < 0.99", r)
	}
	if r := ev.CharOverall.Recall(); r < 0.995 {
		t.Errorf("overall character recall %.4f < 0.995", r)
	}
	if p := ev.CharOverall.Precision(); p < 0.90 {
		t.Errorf("overall character precision %.4f < 0.90", p)
	}
}

// TestSynthSetIsReproducible: the checked-in set is exactly what the
// generator writes, so nobody hand-edited gold labels.
func TestSynthSetIsReproducible(t *testing.T) {
	want, err := os.ReadFile(synthSet)
	if err != nil {
		t.Fatal(err)
	}
	notes, err := synth.Generate(1, 500)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := synth.WriteJSONL(&got, notes); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("%s differs from `deid synth --n 500 --seed 1`; run go generate ./internal/deid", synthSet)
	}
	kinds := map[string]int{}
	for _, n := range notes {
		kinds[n.Kind]++
	}
	if len(kinds) != 5 {
		t.Fatalf("note kinds %v, want 5", kinds)
	}
}

// silverTag matches the obi silver markup "<<LABEL:value>>".
var silverTag = regexp.MustCompile(`<<([A-Z]+):(.*?)>>`)

// obiType maps obi/deid_roberta_i2b2 labels to ours.
var obiType = map[string]deid.Type{
	"PATIENT": deid.TypeName, "STAFF": deid.TypeName, "HOSPITAL": deid.TypeLocation, "HOSP": deid.TypeLocation,
	"LOCATION": deid.TypeLocation, "LOC": deid.TypeLocation, "PATORG": deid.TypeLocation, "DATE": deid.TypeDate,
	"AGE": deid.TypeAge, "PHONE": deid.TypePhone, "EMAIL": deid.TypeEmail, "ID": deid.TypeID, "OTHERPHI": deid.TypeOther,
}

// silverSpans turns the markup into spans over the plain text.
func silverSpans(marked string) (string, []deid.Span, error) {
	var plain strings.Builder
	var spans []deid.Span
	n, last := 0, 0
	for _, m := range silverTag.FindAllStringSubmatchIndex(marked, -1) {
		seg := marked[last:m[0]]
		plain.WriteString(seg)
		n += utf8.RuneCountInString(seg)
		label, val := marked[m[2]:m[3]], marked[m[4]:m[5]]
		typ, ok := obiType[label]
		if !ok {
			t, err := deid.ParseType(label)
			if err != nil {
				return "", nil, fmt.Errorf("unknown label %q", label)
			}
			typ = t
		}
		vn := utf8.RuneCountInString(val)
		spans = append(spans, deid.Span{Start: n, End: n + vn, Type: typ})
		plain.WriteString(val)
		n += vn
		last = m[1]
	}
	plain.WriteString(marked[last:])
	return plain.String(), spans, nil
}

// TestObiSilver scores the engine on the shared obi notes against the silver
// labels (model output, not human gold) and prints the table for docs/deid.md.
// The silver labels tag every age and the state in an address; our policy
// (Safe Harbor) keeps ages under 90 and states, so AGE recall there is low by design.
func TestObiSilver(t *testing.T) {
	dir := testenv.SharedTestvectors(t, "deid")
	notes, err := os.ReadFile(filepath.Join(dir, "obi-notes.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	silver, err := os.ReadFile(filepath.Join(dir, "obi-deid-silver.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string][]deid.Span{}
	for _, line := range bytes.Split(bytes.TrimSpace(silver), []byte("\n")) {
		var s struct {
			Text     string            `json:"text"`
			DeidText string            `json:"deid_text"`
			Meta     map[string]string `json:"meta"`
		}
		if err := json.Unmarshal(line, &s); err != nil {
			t.Fatal(err)
		}
		plain, spans, err := silverSpans(s.DeidText)
		if err != nil {
			t.Fatal(err)
		}
		if plain != s.Text {
			t.Fatalf("%s: silver markup does not reproduce the text", s.Meta["note_id"])
		}
		byID[s.Meta["note_id"]] = spans
	}
	e := deid.New()
	ev := deid.NewEvaluation()
	for _, line := range bytes.Split(bytes.TrimSpace(notes), []byte("\n")) {
		var n struct {
			Text string            `json:"text"`
			Meta map[string]string `json:"meta"`
		}
		if err := json.Unmarshal(line, &n); err != nil {
			t.Fatal(err)
		}
		gold, ok := byID[n.Meta["note_id"]]
		if !ok {
			t.Fatalf("no silver labels for %s", n.Meta["note_id"])
		}
		pred, err := e.Detect(context.Background(), n.Text)
		if err != nil {
			t.Fatal(err)
		}
		if err := ev.Add(n.Text, gold, pred); err != nil {
			t.Fatal(err)
		}
	}
	var table bytes.Buffer
	_ = ev.WriteTable(&table)
	t.Logf("obi-notes.jsonl against obi-deid-silver.jsonl:\n%s", table.String())
	if ev.Notes != 4 {
		t.Fatalf("scored %d notes, want 4", ev.Notes)
	}
}

func FuzzDecodeNote(f *testing.F) {
	f.Add([]byte(`{"text":"Dr. Smith","spans":[{"start":4,"end":9,"type":"NAME"}]}`))
	f.Add([]byte(`{"text":"x","spans":[{"start":0,"end":5,"type":"NAME"}]}`))
	f.Add([]byte(`{"text":1}`))
	f.Add([]byte("\xff"))
	f.Add([]byte(`{"spans":[{"type":"BOGUS"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := deid.DecodeNote(data)
		if err != nil {
			return
		}
		ev := deid.NewEvaluation()
		if err := ev.Add(n.Text, n.Spans, n.Spans); err != nil {
			t.Fatalf("decoded note does not evaluate: %v", err)
		}
	})
}

func FuzzReadJSONL(f *testing.F) {
	f.Add([]byte("{\"text\":\"a\"}\n\n{\"text\":\"b\",\"spans\":[]}\n"))
	f.Add([]byte("{\"text\":\"a\"}\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// invariant: every note handed on has its spans inside its text, in
		// increasing line order, whatever the input (or a typed error)
		last := 0
		_ = deid.ReadJSONL(bytes.NewReader(data), func(line int, n deid.GoldNote) error {
			if line <= last {
				t.Fatalf("line %d after line %d", line, last)
			}
			last = line
			runes := utf8.RuneCountInString(n.Text)
			for _, s := range n.Spans {
				if s.Start < 0 || s.End <= s.Start || s.End > runes {
					t.Fatalf("line %d: span %+v outside a text of %d runes", line, s, runes)
				}
			}
			return nil
		})
	})
}

// unknownNameRecall is the character recall on gold names with at least one
// word the engine's name lexicon lacks: what the context rules find alone.
func unknownNameRecall(t *testing.T) float64 {
	t.Helper()
	lex := lexicon.Get()
	found, total, spans := 0, 0, 0
	detectEach(t, synthSet, func(n deid.GoldNote, pred []deid.Span) error {
		covered := make([]bool, utf8.RuneCountInString(n.Text))
		for _, p := range pred {
			for i := p.Start; i < p.End; i++ {
				covered[i] = true
			}
		}
		runes := []rune(n.Text)
		for _, s := range n.Spans {
			if s.Type != deid.TypeName {
				continue
			}
			unknown := false
			for _, w := range strings.FieldsFunc(string(runes[s.Start:s.End]), func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '.' }) {
				if len(w) > 1 && lex.Words[strings.ToLower(w)]&lexicon.Name == 0 {
					unknown = true
				}
			}
			if !unknown {
				continue
			}
			spans++
			for i := s.Start; i < s.End; i++ {
				if runes[i] != ' ' {
					total++
					if covered[i] {
						found++
					}
				}
			}
		}
		return nil
	})
	r := float64(found) / float64(total)
	t.Logf("names with a word unknown to the lexicon: %d spans, character recall %.4f (%d/%d)", spans, r, found, total)
	return r
}

// TestHandwritten scores the engine on notes written by hand, in layouts the
// generator does not produce (testdata/handwritten.txt). The table goes to
// docs/deid.md; the floor only catches regressions.
func TestHandwritten(t *testing.T) {
	data, err := os.ReadFile("testdata/handwritten.txt")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	e := deid.New()
	ev := deid.NewEvaluation()
	for _, para := range strings.Split(strings.TrimSpace(strings.Join(lines, "\n")), "\n\n") {
		text, gold, err := silverSpans(para)
		if err != nil {
			t.Fatal(err)
		}
		pred, err := e.Detect(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		if err := ev.Add(text, gold, pred); err != nil {
			t.Fatal(err)
		}
	}
	var table bytes.Buffer
	_ = ev.WriteTable(&table)
	t.Logf("hand-written notes:\n%s", table.String())
	// a regression floor, below the synthetic targets: the third batch is
	// kept untuned so that it keeps measuring first contact with new layouts
	if r := ev.CharOverall.Recall(); r < 0.90 {
		t.Errorf("overall character recall %.4f < 0.90 on hand-written notes", r)
	}
	if p := ev.CharOverall.Precision(); p < 0.95 {
		t.Errorf("overall character precision %.4f < 0.95 on hand-written notes", p)
	}
}
