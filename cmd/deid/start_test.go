package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkColdStart runs the built deid binary on a one-line note, a fresh
// process each time, and reports the CPU time (user + system) of one start
// with the rules alone and with the rules and the tagger. The target
// is under 50 ms per start (docs/benchmarks.md).
//
//	go test -run '^$' -bench ColdStart ./cmd/deid/
func BenchmarkColdStart(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "deid")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	note := filepath.Join(b.TempDir(), "note.txt")
	if err := os.WriteFile(note, []byte("Pt seen by Dr. Smith on 3/4, BP 120/80.\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, flag string }{{"rules", "--tagger=false"}, {"rules+tagger", "--tagger=true"}} {
		b.Run(bc.name, func(b *testing.B) {
			var cpu time.Duration
			for b.Loop() {
				cmd := exec.Command(bin, "redact", bc.flag, note)
				out, err := cmd.Output()
				if err != nil || !strings.Contains(string(out), "[NAME]") {
					b.Fatalf("deid redact: %v %q", err, out)
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/start")
		})
	}
}
