package deid_test

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/tagger"
)

func loadNotes(b *testing.B) ([]string, int) {
	b.Helper()
	f, err := os.Open(synthSet)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var texts []string
	total := 0
	if err := deid.ReadJSONL(f, func(_ int, n deid.GoldNote) error {
		texts = append(texts, n.Text)
		total += len(n.Text)
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	return texts, total
}

// BenchmarkDetect measures the rule engine on the 500 synthetic notes;
// one op is the whole set. Reports MB/s (b.SetBytes) and notes/s.
func BenchmarkDetect(b *testing.B) { benchDetect(b, deid.New()) }

// BenchmarkDetectDefault measures the default engine of the deid command
// (the rules and the statistical tagger) on the same notes.
func BenchmarkDetectDefault(b *testing.B) {
	tg, err := tagger.Load()
	if err != nil {
		b.Fatal(err)
	}
	benchDetect(b, deid.New(deid.WithRecognizer(tg)))
}

func benchDetect(b *testing.B, e *deid.Engine) {
	texts, total := loadNotes(b)
	ctx := context.Background()
	b.SetBytes(int64(total))
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		for _, t := range texts {
			if _, err := e.Detect(ctx, t); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(texts)*b.N)/b.Elapsed().Seconds(), "notes/s")
	// On a shared machine wall-clock MB/s depends on the neighbours; bytes per
	// CPU-second of this process is the per-core throughput.
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(total*b.N)/cpu/1e6, "MB/cpu-s")
	}
}

// BenchmarkDetectParallel runs notes on every core (GOMAXPROCS).
func BenchmarkDetectParallel(b *testing.B) {
	texts, total := loadNotes(b)
	e := deid.New()
	ctx := context.Background()
	b.SetBytes(int64(total / len(texts)))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := e.Detect(ctx, texts[i%len(texts)]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notes/s")
}

// BenchmarkRedactTags measures detection plus tag replacement.
func BenchmarkRedactTags(b *testing.B) {
	texts, total := loadNotes(b)
	e := deid.New()
	ctx := context.Background()
	b.SetBytes(int64(total))
	b.ResetTimer()
	for b.Loop() {
		for _, t := range texts {
			spans, err := e.Detect(ctx, t)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := deid.Redact(t, spans, deid.ModeTags); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// cpuSeconds is the user+system CPU time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
