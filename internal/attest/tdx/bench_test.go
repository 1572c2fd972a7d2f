package tdx

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/benchfloor"
	"github.com/trustgate/trustgate/internal/attest/vectors"
)

func benchQuote(b *testing.B) []byte {
	return read(b, filepath.Join(vectors.Dir("trustee/tdx"), "tdx_quote_6.dat"))
}

// benchVerify is full verification of a v4 quote (PCK chain, QE report,
// quote signature; no collateral).
func benchVerify(b *testing.B) func() error {
	raw := benchQuote(b)
	now := pckClock(b, raw)
	v := New(Config{Now: func() time.Time { return now }, AllowDebug: true})
	ctx := context.Background()
	want := attest.Expected{ReportData: reportData(raw)}
	return func() error { _, err := v.VerifyQuote(ctx, raw, nil, want); return err }
}

func benchFloor(b *testing.B) func() error {
	f, err := benchfloor.TDXQuote(benchQuote(b))
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func BenchmarkVerify(b *testing.B) { benchfloor.Loop(b, benchVerify(b)) }

func BenchmarkFloor(b *testing.B) { benchfloor.Loop(b, benchFloor(b)) }

// BenchmarkVerifyVsFloor interleaves the two and reports their ratio.
func BenchmarkVerifyVsFloor(b *testing.B) { benchfloor.Compare(b, benchVerify(b), benchFloor(b)) }
