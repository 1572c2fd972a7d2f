package tagger

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid"
)

func TestTokenizeOffsets(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"mr.renzi returned", []string{"mr", ".", "renzi", "returned"}},
		{"KRISSY---301 944-5032", []string{"KRISSY", "-", "-", "-", "301", "944", "-", "5032"}},
		{"Hafþór Júlia", []string{"Hafþór", "Júlia"}},
		{"9/7-ADMITTED", []string{"9", "/", "7", "-", "ADMITTED"}},
		{"a\xffb", []string{"a", "\xff", "b"}},
		{"", nil},
	}
	for _, tc := range tests {
		toks := tokenize(tc.in)
		var got []string
		runes := []rune(tc.in)
		for _, tk := range toks {
			got = append(got, tk.text)
			if string(runes[tk.start:tk.end]) != strings.ToValidUTF8(tk.text, "\uFFFD") {
				t.Errorf("%q: token %q at [%d,%d) is %q", tc.in, tk.text, tk.start, tk.end, string(runes[tk.start:tk.end]))
			}
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: tokens %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	f, w, v := tg.m.Stats()
	if f < 1000 || w < f || v < 100 {
		t.Fatalf("model too small: %d features, %d weights, %d vocabulary", f, w, v)
	}
	t.Logf("%d features, %d weights, %d vocabulary words, %d bytes compressed", f, w, v, len(modelGz))
}

// TestFindsPHIInEachCasing: the trained model finds names and places in
// nursing shorthand in capitals, lower case and mixed case, and leaves the
// clinical numbers alone. (Sentences written for this test, not from any
// evaluation set.)
func TestFindsPHIInEachCasing(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		phi  []string // every one must be covered
		safe []string // none may be touched
	}{
		{"NEURO: A+OX3. BP 110-130/60-70. WIFE BRUNHILDE IN TO VISIT, UPDATED BY DR. OKONJO.", []string{"BRUNHILDE", "OKONJO"}, []string{"110-130/60-70", "WIFE", "UPDATED"}},
		{"neuro: a+ox3. bp 110-130/60-70. wife brunhilde in to visit, updated by dr okonjo.", []string{"brunhilde", "okonjo"}, []string{"110-130/60-70", "wife", "updated"}},
		{"Neuro: A+Ox3. BP 110-130/60-70. Wife Brunhilde in to visit, updated by Dr. Okonjo.", []string{"Brunhilde", "Okonjo"}, []string{"110-130/60-70", "Wife"}},
		{"cpap 5/5 fio2 40%. ps 10/5. sats 98-100%. son called from towson, cell 410 555-0143.", []string{"410 555-0143"}, []string{"5/5", "10/5", "98-100%"}},
	}
	for _, tc := range tests {
		spans := tg.Spans(tc.text)
		runes := []rune(tc.text)
		covered := make([]bool, len(runes))
		for _, s := range spans {
			for i := s.Start; i < s.End; i++ {
				covered[i] = true
			}
		}
		at := func(sub string) (int, int) {
			i := strings.Index(tc.text, sub)
			s := utf8.RuneCountInString(tc.text[:i])
			return s, s + utf8.RuneCountInString(sub)
		}
		for _, p := range tc.phi {
			s, e := at(p)
			for i := s; i < e; i++ {
				if !covered[i] {
					t.Errorf("%q: %q not found (spans %v)", tc.text, p, spans)
					break
				}
			}
		}
		for _, p := range tc.safe {
			s, e := at(p)
			for i := s; i < e; i++ {
				if covered[i] {
					t.Errorf("%q: %q tagged (spans %v)", tc.text, p, spans)
					break
				}
			}
		}
	}
}

// TestModelRoundTrip: a model written and read back tags exactly as before,
// and training is reproducible (same notes and seed, same bytes).
func TestModelRoundTrip(t *testing.T) {
	notes := []deid.GoldNote{
		{Text: "son bill in to visit. per dr smithers ok.", Spans: []deid.Span{{Start: 4, End: 8, Type: deid.TypeName}, {Start: 29, End: 37, Type: deid.TypeName}}},
		{Text: "TRANS TO GH IN AM. BP 120/80.", Spans: []deid.Span{{Start: 9, End: 11, Type: deid.TypeLocation}}},
		{Text: "admitted 9/7-team aware. call 410 555 0143.", Spans: []deid.Span{{Start: 9, End: 12, Type: deid.TypeDate}, {Start: 30, End: 42, Type: deid.TypePhone}}},
	}
	train := func() (*Model, []byte) {
		m, err := Train(notes, TrainConfig{Epochs: 5, Seed: 3, VocabMin: 1})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := m.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return m, buf.Bytes()
	}
	m1, b1 := train()
	_, b2 := train()
	if !bytes.Equal(b1, b2) {
		t.Fatal("training twice gave different model files")
	}
	m3, err := ReadModel(bytes.NewReader(b1))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		a, b := New(m1).Spans(n.Text), New(m3).Spans(n.Text)
		if len(a) != len(b) {
			t.Fatalf("%q: %v before writing, %v after", n.Text, a, b)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%q: %v before writing, %v after", n.Text, a, b)
			}
		}
	}
	// the training notes themselves are learnt
	got := New(m3).Spans(notes[0].Text)
	if len(got) != 2 || got[0].Start != 4 || got[1].Type != deid.TypeName {
		t.Fatalf("training note not learnt: %v", got)
	}
}

func TestReadModelRejectsBadInput(t *testing.T) {
	var good bytes.Buffer
	if _, err := good.Write(modelGz); err != nil {
		t.Fatal(err)
	}
	bad := [][]byte{nil, []byte("not gzip"), modelGz[:len(modelGz)/2]}
	for i, b := range bad {
		if _, err := ReadModel(bytes.NewReader(b)); err == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}

// checkSpans is the invariant of Spans on any input: spans lie inside the
// text's code points, are non-empty, ordered and do not overlap, have a
// type the tagger knows, and never start or end on white space.
func checkSpans(t *testing.T, text string, spans []deid.Span) {
	t.Helper()
	n := utf8.RuneCountInString(text)
	runes := []rune(text)
	prev := 0
	known := map[deid.Type]bool{}
	for _, ty := range Types {
		known[ty] = true
	}
	for _, s := range spans {
		if s.Start < prev || s.End <= s.Start || s.End > n || !known[s.Type] || s.Recognizer != Name {
			t.Fatalf("bad span %+v in text of %d code points (previous end %d)", s, n, prev)
		}
		if isSpace(runes[s.Start]) || isSpace(runes[s.End-1]) {
			t.Fatalf("span %+v starts or ends on a space", s)
		}
		prev = s.End
	}
}

func isSpace(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' }

func FuzzSpans(f *testing.F) {
	for _, s := range []string{
		"son bill in to visit", "TRANS TO GH", "mr.renzi returned from OR", "Hafþór Gunnarsson (husband)",
		"9/7-ADMITTED TO CCU", "KRISSY---301 944-5032", "a\xff\xfeb", "", "\u0301\u0301x", strings.Repeat("Ab ", 100),
	} {
		f.Add(s)
	}
	tg, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		spans := tg.Spans(text)
		checkSpans(t, text, spans)
		again := tg.Spans(text)
		if len(again) != len(spans) {
			t.Fatal("not deterministic")
		}
	})
}

func TestLongAndOddInput(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		strings.Repeat("x", 1<<20),
		strings.Repeat("1", 1<<20),
		strings.Repeat("DR SMITH ", 1<<16),
		string([]byte{0xff, 0xfe, 0xfd}),
		strings.Repeat("\u0301", 1000),
	} {
		checkSpans(t, text, tg.Spans(text))
	}
}

// TestCachedDecodeEqualsPlain: the per-word cache changes only the order in
// which weights are added, never a tag, on the development notes.
func TestCachedDecodeEqualsPlain(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../testdata/realstyle/dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	err = deid.ReadJSONL(f, func(_ int, note deid.GoldNote) error {
		toks := tokenize(note.Text)
		a, b := tg.m.tag(toks), tg.tagCached(toks)
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("note %d token %d: plain %d, cached %d", n, i, a[i], b[i])
				break
			}
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("%d notes: %v", n, err)
	}
}
