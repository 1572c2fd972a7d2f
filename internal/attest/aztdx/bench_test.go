package aztdx

import (
	"context"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azvtpm"
	"github.com/trustgate/trustgate/internal/attest/benchfloor"
)

// BenchmarkVerify measures full az-tdx-vtpm verification (no collateral)
// next to BenchmarkFloor: the TD quote's four ECDSA P-256 checks and the vTPM
// quote's RSA check.
func benchVerify(b *testing.B) func() error {
	ev, data := load(b)
	v := New(Config{Now: clock(b, ev.TDQuote)})
	want := attest.Expected{ReportData: nonce(b, ev)}
	ctx := context.Background()
	return func() error { _, err := v.Verify(ctx, data, want); return err }
}

func benchFloor(b *testing.B) func() error {
	ev, _ := load(b)
	f, err := benchfloor.VTPM(ev, func(*azvtpm.HCLReport) (func() error, error) { return benchfloor.TDXQuote(ev.TDQuote) })
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func BenchmarkVerify(b *testing.B) { benchfloor.Loop(b, benchVerify(b)) }

func BenchmarkFloor(b *testing.B) { benchfloor.Loop(b, benchFloor(b)) }

// BenchmarkVerifyVsFloor interleaves the two and reports their ratio.
func BenchmarkVerifyVsFloor(b *testing.B) { benchfloor.Compare(b, benchVerify(b), benchFloor(b)) }
