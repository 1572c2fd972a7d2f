package azsnp

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"

	"github.com/google/go-sev-guest/abi"

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
	h, err := azvtpm.ParseHCLReport(ev.HCLReport)
	if err != nil {
		b.Fatal(err)
	}
	rd, err := azvtpm.ParseRuntimeData(h.RuntimeData)
	if err != nil {
		b.Fatal(err)
	}
	vcek, err := x509.ParseCertificate(ev.VCEK)
	if err != nil {
		b.Fatal(err)
	}
	roots, _ := snp.AMDRoots()
	pc := roots["Milan"][0].ProductCerts
	der, _ := abi.ReportToSignatureDER(h.HWReport)
	signed := abi.SignedComponent(h.HWReport)
	return func() error {
		if err := vcek.CheckSignature(x509.ECDSAWithSHA384, signed, der); err != nil {
			return err
		}
		if err := vcek.CheckSignatureFrom(pc.Ask); err != nil {
			return err
		}
		if err := pc.Ask.CheckSignatureFrom(pc.Ark); err != nil {
			return err
		}
		d := sha256.Sum256(ev.Quote.Message)
		if err := rsa.VerifyPKCS1v15(rd.AK, crypto.SHA256, d[:], ev.Quote.Signature); err != nil {
			return err
		}
		return nil
	}
}

func BenchmarkVerify(b *testing.B) {
	f := benchVerify(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloor(b *testing.B) {
	f := benchFloor(b)
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyVsFloor interleaves the two and reports their ratio.
func BenchmarkVerifyVsFloor(b *testing.B) { benchfloor.Compare(b, benchVerify(b), benchFloor(b)) }
