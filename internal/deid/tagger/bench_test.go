package tagger

import (
	"bytes"
	"os"
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
)

// BenchmarkSpans tags the hand-written development notes; b.SetBytes makes
// the result MB/s of one core (= MB per CPU-second).
func BenchmarkSpans(b *testing.B) {
	f, err := os.Open("../testdata/realstyle/dev.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var texts []string
	size := 0
	if err := deid.ReadJSONL(f, func(_ int, n deid.GoldNote) error {
		texts = append(texts, n.Text)
		size += len(n.Text)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	tg, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for range b.N {
		for _, t := range texts {
			tg.Spans(t)
		}
	}
}

// BenchmarkLoad decodes the embedded model (what a process pays once at start-up).
func BenchmarkLoad(b *testing.B) {
	for range b.N {
		if _, err := ReadModel(bytes.NewReader(modelGz)); err != nil {
			b.Fatal(err)
		}
	}
}
