package azsnp

import (
	"context"
	"crypto/x509"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azvtpm"
	"github.com/trustgate/trustgate/internal/attest/benchfloor"
	"github.com/trustgate/trustgate/internal/attest/snp"
)

// BenchmarkVerify measures full az-snp-vtpm verification (VCEK in the
// evidence: nothing to fetch) next to BenchmarkFloor: the SNP report's ECDSA
// P-384, the VCEK and ASK RSA-PSS, and the vTPM quote's RSA checks.
func benchVerify(b *testing.B) func() error {
	ev, data := load(b, "evidence-v2.json")
	v := newVerifier(b, ev)
	want := attest.Expected{ReportData: nonce(b, ev)}
	ctx := context.Background()
	return func() error { _, err := v.Verify(ctx, data, want); return err }
}

func benchFloor(b *testing.B) func() error {
	ev, _ := load(b, "evidence-v2.json")
	vcek, err := x509.ParseCertificate(ev.VCEK)
	if err != nil {
		b.Fatal(err)
	}
	roots, _ := snp.AMDRoots()
	pc := roots["Milan"][0].ProductCerts
	f, err := benchfloor.VTPM(ev, func(h *azvtpm.HCLReport) (func() error, error) {
		return benchfloor.SNPReport(h.HWReport, vcek, pc.Ask, pc.Ark)
	})
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func BenchmarkVerify(b *testing.B) { benchfloor.Loop(b, benchVerify(b)) }

func BenchmarkFloor(b *testing.B) { benchfloor.Loop(b, benchFloor(b)) }

// BenchmarkVerifyVsFloor interleaves the two and reports their ratio.
func BenchmarkVerifyVsFloor(b *testing.B) { benchfloor.Compare(b, benchVerify(b), benchFloor(b)) }
