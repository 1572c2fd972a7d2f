//go:build cgo

package ner

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/deid/ner/onnxgen"
	"github.com/trustgate/trustgate/internal/testenv"
)

// benchNote is a synthetic discharge summary of about 1,000 tokens.
func benchNote() string {
	var b strings.Builder
	for i := 0; b.Len() < 4000; i++ {
		fmt.Fprintf(&b, "Visit %d: Pt José González, 67 y/o, seen at Mercy on 03/04 by Dr Ng. "+
			"Complains of chest pain radiating to the left arm; troponin negative ×2. "+
			"Plan: aspirin 81 mg daily, follow up in clinic.\n\n", i)
	}
	return b.String()
}

func benchRecognize(b *testing.B, m *Model, text string) {
	toks := len(m.Tokenizer().Encode(text))
	if !m.perToken {
		t, _ := m.Tokenizer().EncodeWords(text)
		toks = len(t)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Recognize(ctx, text); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(toks)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkTinyModel measures the whole NER path (tokenizer, windows, ONNX
// Runtime, decoding) with the generated tiny model: the overhead around a
// real model.
func BenchmarkTinyModel(b *testing.B) {
	benchRecognize(b, openTiny(b), benchNote())
}

// BenchmarkTokenizer measures byte-level BPE alone.
func BenchmarkTokenizer(b *testing.B) {
	tok := tinyTokenizer(b, onnxgen.Tiny{Tokens: planted})
	text := benchNote()
	n := len(tok.Encode(text))
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok.Encode(text)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkRobertaLargeShape runs a random model with roberta-large's
// shapes (355 M parameters, 1.4 GB of weights) on one full 512-position
// window. Generating it takes a minute and ~3 GB of memory, so it runs only
// with TRUSTGATE_BENCH_LARGE=1.
func BenchmarkRobertaLargeShape(b *testing.B) {
	if os.Getenv("TRUSTGATE_BENCH_LARGE") == "" {
		b.Skip("set TRUSTGATE_BENCH_LARGE=1 to generate and run a roberta-large-shaped model (1.4 GB)")
	}
	lib := testenv.Require(b, testenv.ONNXRuntime)
	dir := b.TempDir()
	spec := onnxgen.RobertaLarge
	spec.Seed = 1
	if err := onnxgen.WriteTransformer(dir, spec); err != nil {
		b.Fatal(err)
	}
	m, err := Open(dir, WithLibrary(lib))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	text := benchNote()
	toks, _ := m.Tokenizer().EncodeWords(text)
	// One full window: cut the note to 510 tokens.
	text = string([]rune(text)[:toks[min(509, len(toks)-1)].End])
	// A sub-benchmark, so the 1.4 GB model is generated once, not once per
	// b.N round.
	b.Run("window510", func(b *testing.B) { benchRecognize(b, m, text) })
}
