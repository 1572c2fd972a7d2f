package snp

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-sev-guest/verify/trust"

	"github.com/trustgate/trustgate/internal/attest"
	snpverify "github.com/trustgate/trustgate/internal/attest/snp"
)

// TestEvidenceVerifiesWithTrusteeVerifier hands our evidence to trustee's SNP
// verifier (internal/attest/snp), trusting go-sev-guest's test-only AMD root
// that signed the fake report: parse, chain, signature and bindings must all
// pass, and a different report_data must fail.
func TestEvidenceVerifiesWithTrusteeVerifier(t *testing.T) {
	hostData := bytes.Repeat([]byte{9}, 32)
	tsm, signer := fakeSNP(t, hostData)
	a := &Attester{TSM: tsm}
	rd := bytes.Repeat([]byte{0x33}, 48)
	ev, err := a.Evidence(context.Background(), rd)
	if err != nil {
		t.Fatal(err)
	}
	root := &trust.AMDRootCerts{
		ProductLine:  "Genoa",
		ProductCerts: &trust.ProductCerts{Ark: signer.Ark, Ask: signer.Ask, Asvk: signer.Asvk},
	}
	v, err := snpverify.New(snpverify.Config{Roots: snpverify.RootsFor(root), AllowDebug: true, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	want := attest.Expected{ReportData: rd, InitDataDigest: hostData}
	if _, err := v.Verify(context.Background(), ev, want); err != nil {
		t.Fatalf("trustee verifier refused our evidence: %v", err)
	}
	want.ReportData = bytes.Repeat([]byte{0x34}, 48)
	if _, err := v.Verify(context.Background(), ev, want); err == nil {
		t.Fatal("trustee verifier accepted evidence bound to other report data")
	}
}
