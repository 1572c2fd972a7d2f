// Package benchfloor compares a verifier's cost with its floor (the
// signature checks alone) in one benchmark, interleaving the two so that
// load from other processes on a shared machine hits both alike.
package benchfloor

import (
	"testing"
	"time"
)

// Compare runs verify and floor alternately b.N times and reports
// verify-ns/op, floor-ns/op, verifications/s and x-floor (their ratio).
func Compare(b *testing.B, verify, floor func() error) {
	b.Helper()
	var tv, tf time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := verify(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := floor(); err != nil {
			b.Fatal(err)
		}
		tv += t1.Sub(t0)
		tf += time.Since(t1)
	}
	v, f := float64(tv.Nanoseconds())/float64(b.N), float64(tf.Nanoseconds())/float64(b.N)
	b.ReportMetric(v, "verify-ns/op")
	b.ReportMetric(f, "floor-ns/op")
	b.ReportMetric(1e9/v, "verifications/s")
	b.ReportMetric(v/f, "x-floor")
}
