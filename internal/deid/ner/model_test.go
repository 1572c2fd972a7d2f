//go:build cgo

package ner

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/ner/onnxgen"
	"github.com/trustgate/trustgate/internal/testenv"
)

// planted is the tiny model's answer key: these pieces classify as their
// labels, everything else as O.
var planted = map[string]string{
	" José":   "B-PATIENT",
	" Gonz":   "I-PATIENT",
	"á":       "I-PATIENT",
	"lez":     "L-PATIENT",
	" Mercy":  "U-HOSP",
	" Dr":     "O",
	" Ng":     "U-STAFF",
	" 03":     "B-DATE",
	"/":       "I-DATE", // running text: "03", "/", "04"
	"04":      "L-DATE",
	" /":      "I-DATE", // word mode: each word gets a leading space
	" 04":     "L-DATE",
	" Zoë":    "U-PATIENT",
	" Élodie": "U-STAFF",
}

func openTiny(t testing.TB, opts ...Option) *Model {
	t.Helper()
	lib := testenv.Require(t, testenv.ONNXRuntime)
	dir := t.TempDir()
	if err := onnxgen.WriteTiny(dir, onnxgen.Tiny{Tokens: planted, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	m, err := Open(dir, append([]Option{WithLibrary(lib)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// runeSpan finds the nth (0-based) occurrence of sub in text in code points,
// computed independently of the tokenizer.
func runeSpan(t *testing.T, text, sub string, nth int) (int, int) {
	t.Helper()
	from := 0
	for {
		i := strings.Index(text[from:], sub)
		if i < 0 {
			t.Fatalf("%q not in text", sub)
		}
		if nth == 0 {
			start := len([]rune(text[:from+i]))
			return start, start + len([]rune(sub))
		}
		nth--
		from += i + len(sub)
	}
}

// TestTinyModelSpans: tokens → labels → spans with correct code point offsets
// on text with accents, emoji (4-byte, one code point) and long whitespace.
func TestTinyModelSpans(t *testing.T) {
	t.Run("words", func(t *testing.T) { testTinyModelSpans(t, openTiny(t)) })
	t.Run("tokens", func(t *testing.T) { testTinyModelSpans(t, openTiny(t, WithTokenLabels())) })
}

func testTinyModelSpans(t *testing.T, m *Model) {
	text := "😀😀 Pt José González,\t\t   \n\n\n      seen at Mercy on 03/04 by Dr Ng 👩‍⚕️ and Élodie;      Zoë…"
	type want struct {
		sub string
		nth int
		typ deid.Type
	}
	wants := []want{
		{"José González", 0, deid.TypeName},
		{"Mercy", 0, deid.TypeLocation},
		{"03/04", 0, deid.TypeDate},
		{"Ng", 0, deid.TypeName},
		{"Élodie", 0, deid.TypeName},
		{"Zoë", 0, deid.TypeName},
	}
	var expected []deid.Span
	for _, w := range wants {
		s, e := runeSpan(t, text, w.sub, w.nth)
		expected = append(expected, deid.Span{Start: s, End: e, Type: w.typ, Recognizer: RecognizerName})
	}
	got, err := m.Recognize(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, expected) {
		t.Fatalf("spans:\n got  %v\n want %v", got, expected)
	}
	runes := []rune(text)
	for _, s := range got {
		t.Logf("%s %q", s.Type, string(runes[s.Start:s.End]))
	}
}

// TestWindows cuts a long note into small overlapping windows and checks the
// result equals one long window's, and that every planted mention is found.
func TestWindows(t *testing.T) {
	t.Run("words", func(t *testing.T) { testWindows(t) })
	t.Run("tokens", func(t *testing.T) { testWindows(t, WithTokenLabels()) })
}

func testWindows(t *testing.T, mode ...Option) {
	var b strings.Builder
	const mentions = 60
	for i := 0; i < mentions; i++ {
		fmt.Fprintf(&b, "Visit %d: José González seen at Mercy on 03/04.\n\n", i)
	}
	text := b.String()
	whole := openTiny(t, append(mode, WithWindow(8000, 0))...)
	ctx := context.Background()
	want, err := whole.Recognize(ctx, text)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 3*mentions {
		t.Fatalf("single window found %d spans, want %d", len(want), 3*mentions)
	}
	for _, w := range []struct{ size, overlap int }{{16, 5}, {7, 3}, {33, 0}, {510, 128}} {
		m := openTiny(t, append(mode, WithWindow(w.size, w.overlap))...)
		got, err := m.Recognize(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("window %d/%d: %d spans differ from single window's %d", w.size, w.overlap, len(got), len(want))
		}
	}
}

// TestEngineMerge plugs the model into the deid engine next to the rules.
func TestEngineMerge(t *testing.T) {
	m := openTiny(t)
	text := "Seen at Mercy by Dr Ng, call 555-123-4567."
	spans, err := deid.New(deid.WithRecognizer(m)).Detect(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	got, err := deid.Redact(text, spans, deid.ModeTags)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "at [LOCATION] by Dr [NAME]") || strings.Contains(got, "Mercy") {
		t.Errorf("redacted = %q", got)
	}
}

// TestTokenTypeIDs: a BERT-style graph with token_type_ids gets zeros. The
// generated graph adds 100×type to every hidden unit, which the random
// classifier weights turn into large random logits: any non-zero type id
// would scramble the planted answer.
func TestTokenTypeIDs(t *testing.T) {
	lib := testenv.Require(t, testenv.ONNXRuntime)
	dir := t.TempDir()
	if err := onnxgen.WriteTiny(dir, onnxgen.Tiny{Tokens: planted, Seed: 7, TokenTypeIDs: true}); err != nil {
		t.Fatal(err)
	}
	m, err := Open(dir, WithLibrary(lib))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	spans, err := m.Recognize(context.Background(), "Seen at Mercy by Dr Ng")
	if err != nil {
		t.Fatal(err)
	}
	if len(spans) != 2 || spans[0].Type != deid.TypeLocation || spans[1].Type != deid.TypeName {
		t.Errorf("spans = %v", spans)
	}
}

func TestOpenErrors(t *testing.T) {
	lib := testenv.Require(t, testenv.ONNXRuntime)
	if _, err := Open(t.TempDir(), WithLibrary(lib)); err == nil {
		t.Error("empty directory accepted")
	}
	dir := t.TempDir()
	if err := onnxgen.WriteTiny(dir, onnxgen.Tiny{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, WithLibrary(lib), WithWindow(10, 10)); err == nil {
		t.Error("overlap = window accepted")
	}
}

func TestContextCanceled(t *testing.T) {
	m := openTiny(t, WithWindow(8, 2))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Recognize(ctx, strings.Repeat("José González ", 50)); err == nil {
		t.Error("canceled context ignored")
	}
}

// TestTransformerGraph runs a small random RoBERTa-style encoder written by
// onnxgen (with external weight data) through the recognizer: the graph the
// benchmark uses at full size must be valid, and context must matter.
func TestTransformerGraph(t *testing.T) {
	lib := testenv.Require(t, testenv.ONNXRuntime)
	dir := t.TempDir()
	spec := onnxgen.Transformer{Vocab: 8192, Hidden: 64, Layers: 2, Heads: 4, FFN: 128, MaxPositions: 66, Seed: 3}
	if err := onnxgen.WriteTransformer(dir, spec); err != nil {
		t.Fatal(err)
	}
	m, err := Open(dir, WithLibrary(lib))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.window != 62 {
		t.Errorf("window = %d, want max_position_embeddings-4 = 62", m.window)
	}
	text := strings.Repeat("Pt José González seen 03/04 😀. ", 20)
	toks := m.Tokenizer().Encode(text)
	scores, err := m.Scores(context.Background(), toks)
	if err != nil {
		t.Fatal(err)
	}
	if len(scores) != len(toks)*45 {
		t.Fatalf("%d scores for %d tokens", len(scores), len(toks))
	}
	// Attention and positions mix in context: the same token at two places
	// scores differently (the tiny model could not tell them apart).
	i, j := len(toks)/3, -1
	for k := i + 1; k < len(toks); k++ {
		if toks[k].ID == toks[i].ID {
			j = k
			break
		}
	}
	if j < 0 {
		t.Fatal("no repeated token")
	}
	if reflect.DeepEqual(scores[i*45:(i+1)*45], scores[j*45:(j+1)*45]) {
		t.Error("scores do not depend on context")
	}
	if _, err := m.Recognize(context.Background(), text); err != nil {
		t.Fatal(err)
	}
}
