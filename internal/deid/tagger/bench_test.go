package tagger

import (
	"syscall"
	"testing"
	"time"
)

// BenchmarkSpans tags the development notes (hand-written and generated)
// with a warm per-word cache, as a long-running process does; BenchmarkSpansCold
// starts every pass with empty caches, as a process that tags one note and
// exits does.
func BenchmarkSpans(b *testing.B) { benchSpans(b, false, devSets...) }

func BenchmarkSpansCold(b *testing.B) { benchSpans(b, true, devSets...) }

// BenchmarkSpansSynth tags the 500 synthetic notes of the engine's
// BenchmarkDetectDefault (internal/deid), warm: one op is the whole set, so
// its ns/op is the tagger's share of that benchmark.
func BenchmarkSpansSynth(b *testing.B) { benchSpans(b, false, "../testdata/synth-500.jsonl") }

var devSets = []string{"../testdata/realstyle/dev.jsonl", "../testdata/realstyle/dev-gen.jsonl"}

func loadBenchNotes(b *testing.B, files ...string) (texts []string, size int) {
	texts = loadNotes(b, files...)
	for _, t := range texts {
		size += len(t)
	}
	return texts, size
}

func benchSpans(b *testing.B, cold bool, files ...string) {
	texts, size := loadBenchNotes(b, files...)
	tg, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		if cold {
			tg = New(tg.m)
		}
		for _, t := range texts {
			tg.Spans(t)
		}
	}
	// the machine may be shared: MB per CPU-second of this process is the
	// figure docs/benchmarks.md asks for, not MB per wall second
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLoad opens the embedded model (what a process pays once at start-up:
// checking the layout in place).
func BenchmarkLoad(b *testing.B) {
	for range b.N {
		if _, err := OpenModel(modelBin); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScanSynth tokenizes the 500 synthetic notes (scanInto alone).
func BenchmarkScanSynth(b *testing.B) {
	texts, size := loadBenchNotes(b, "../testdata/synth-500.jsonl")
	var recs []rec
	b.SetBytes(int64(size))
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		for _, t := range texts {
			recs, _ = scanInto(recs[:0], t)
		}
	}
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}
