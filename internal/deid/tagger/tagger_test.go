package tagger

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
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
	t.Logf("%d features, %d weights, %d vocabulary words, %d bytes", f, w, v, len(modelBin))
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
	// the training notes themselves are learnt (with every span kept and
	// no O penalty: the thresholds and the penalty are in the embedded
	// model's weight units, and a model of three notes has far smaller
	// weights)
	got := New(m3).WithMinConfidence(0, 0).WithOPenalty(0).Spans(notes[0].Text)
	if len(got) != 2 || got[0].Start != 4 || got[1].Type != deid.TypeName {
		t.Fatalf("training note not learnt: %v", got)
	}
}

// TestOpenModelRejectsBadInput: a damaged model file is an error at open,
// never a panic or an out-of-range read while tagging.
func TestOpenModelRejectsBadInput(t *testing.T) {
	if _, err := OpenModel(modelBin); err != nil {
		t.Fatalf("embedded model: %v", err)
	}
	// offsets of the layout (model.go)
	hdr := len(magic) + 1
	for _, ty := range Types {
		hdr += 1 + len(ty)
	}
	nv := int(le.Uint32(modelBin[hdr+4:]))
	ns := int(le.Uint32(modelBin[hdr+8:]))
	table := hdr + 16 + 4*nv
	ents := table + slotBytes*ns
	firstSlot := table
	for le.Uint32(modelBin[firstSlot:]) == 0 {
		firstSlot += slotBytes
	}
	edit := func(off int, v uint32) []byte {
		b := bytes.Clone(modelBin)
		le.PutUint32(b[off:], v)
		return b
	}
	bad := map[string][]byte{
		"empty":              nil,
		"not a model":        []byte("not a model at all"),
		"old gzip format":    {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff},
		"truncated":          modelBin[:len(modelBin)/2],
		"trailing bytes":     append(bytes.Clone(modelBin), 0),
		"table not 2^n":      edit(hdr+8, uint32(ns-1)),
		"vocab too large":    edit(hdr+4, 1<<30),
		"vocab out of order": edit(hdr+16, 0xffffffff),
		"weights past end":   edit(firstSlot+4, 0xffffff01),
		"no weights":         edit(firstSlot+4, 0),
		"tag out of range":   edit(ents, 31<<16),
		"NaN scale":          edit(hdr, 0x7fc00000),
	}
	full := bytes.Clone(modelBin)
	for s := table; s < ents; s += slotBytes {
		if le.Uint32(full[s:]) == 0 {
			le.PutUint32(full[s:], 1)
			le.PutUint32(full[s+4:], 1)
		}
	}
	bad["table full"] = full
	for name, b := range bad {
		if _, err := OpenModel(b); err == nil {
			t.Errorf("%s: no error", name)
		}
		if _, err := ReadModel(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: ReadModel: no error", name)
		}
	}
}

// FuzzOpenModel: any bytes either fail to open with an error or give a model
// that tags text without a panic.
func FuzzOpenModel(f *testing.F) {
	f.Add(modelBin)
	f.Add([]byte("DTAG2\n\x00\x00\x01\x04NAME"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := OpenModel(data)
		if err != nil {
			return
		}
		checkSpans(t, "Pt seen by Dr Smith 3/4", New(m).Spans("Pt seen by Dr Smith 3/4"))
	})
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
		// the casing counted while tokenizing is noteCasing's
		if toks, casing := tokenizeInto(nil, text); casing != noteCasing(toks) {
			t.Fatalf("casing %d while tokenizing, noteCasing %d", casing, noteCasing(toks))
		}
		checkScan(t, text)
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
	tg = unbaked(tg) // the plain decode knows no penalty
	f, err := os.Open("../testdata/realstyle/dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	err = deid.ReadJSONL(f, func(_ int, note deid.GoldNote) error {
		toks, casing := tokenizeInto(nil, note.Text)
		if want := noteCasing(toks); casing != want {
			t.Errorf("note %d: casing %d counted while tokenizing, noteCasing %d", n, casing, want)
		}
		c := tg.pool.Get().(*wordCache)
		recs, _ := scanInto(nil, note.Text)
		a, b := tg.m.tag(toks), tg.tagFast(c, note.Text, recs, casing)
		tg.pool.Put(c)
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

// TestWithEngine: as a deid.Recognizer the tagger's spans join the rules'
// in the engine's merged answer, and a cancelled context is honoured.
func TestWithEngine(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	text := "social- son bill in to visit. per dr smithers ok to extubate. bp 110-130/60-70."
	rules, err := deid.New().Detect(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	both, err := deid.New(deid.WithRecognizer(tg)).Detect(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	covered := func(spans []deid.Span, word string) bool {
		i := strings.Index(text, word)
		for _, s := range spans {
			if s.Start <= i && i+len(word) <= s.End {
				return true
			}
		}
		return false
	}
	for _, w := range []string{"bill", "smithers"} {
		if !covered(both, w) {
			t.Errorf("%q not found by rules+tagger (rules alone: %v; both: %v)", w, covered(rules, w), both)
		}
	}
	// the tagger leaves the vital signs alone (the rules of this branch
	// still take "110-130/60-70" for an ID: issue 13's number grammar)
	if covered(tg.Spans(text), "110-130/60-70") {
		t.Errorf("vital signs tagged by the tagger: %v", tg.Spans(text))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tg.Recognize(ctx, text); err == nil {
		t.Error("cancelled context: no error")
	}
}

// TestConcurrentSpans: goroutines sharing one Tagger (and its pool of
// caches) get the answers a single caller gets. Run with -race.
func TestConcurrentSpans(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../testdata/realstyle/dev.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	err = deid.ReadJSONL(f, func(_ int, n deid.GoldNote) error { texts = append(texts, n.Text); return nil })
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]deid.Span, len(texts))
	for i, s := range texts {
		want[i] = tg.Spans(s)
	}
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for k := range texts {
				i := (k + g*7) % len(texts)
				got := tg.Spans(texts[i])
				if len(got) != len(want[i]) {
					errs <- fmt.Errorf("note %d: %d spans, want %d", i, len(got), len(want[i]))
					return
				}
				for j := range got {
					if got[j] != want[i][j] {
						errs <- fmt.Errorf("note %d: span %d = %v, want %v", i, j, got[j], want[i][j])
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// unbaked returns a copy of tg without the O penalty New baked into its
// weights, on the fast path, with its own word caches (a cached word's
// integer sums hold the fixed weights).
func unbaked(tg *Tagger) *Tagger {
	c := *tg
	c.fixed, c.ifixed, c.pool = tg.m.fixedWeights(), tg.m.intFixed(), newCachePool()
	c.baked, c.oPenalty = 0, 0
	return &c
}

// TestBakedPenaltyEqualsExplicit: the O penalty New bakes into the weights
// tags every development note as the same penalty subtracted from O's score
// at every token does (the slow path), span for span.
func TestBakedPenaltyEqualsExplicit(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if tg.baked == 0 {
		t.Fatal("the embedded model's default penalty is not baked")
	}
	explicit := unbaked(tg).WithOPenalty(tg.baked)
	if explicit.oPenalty != tg.baked {
		t.Fatalf("explicit penalty %v, want %v", explicit.oPenalty, tg.baked)
	}
	n := 0
	for _, text := range loadNotes(t, fastSets...) {
		a, b := tg.Spans(text), explicit.Spans(text)
		if !slices.Equal(a, b) {
			t.Fatalf("note %d: baked %v, explicit %v", n, a, b)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no notes")
	}
}
