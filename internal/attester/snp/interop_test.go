package snp

import (
	"bytes"
	"context"
	"encoding/binary"
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

// TestV5MitigationVectorsReachVerifier: a version 5 report's mitigation
// vectors are signed; evidence that dropped them made trustee rebuild the
// report with zeros there, so every real v5 report failed its signature.
func TestV5MitigationVectorsReachVerifier(t *testing.T) {
	for _, version := range []uint32{3, 5} {
		raw := make([]byte, ReportSize)
		binary.LittleEndian.PutUint32(raw[0x00:], version)
		binary.LittleEndian.PutUint32(raw[0x34:], 1) // ECDSA P-384 with SHA-384
		raw[0x188] = 0x19                            // Genoa
		if version >= 5 {
			binary.LittleEndian.PutUint64(raw[0x1F8:], 0x0102030405060708)
			binary.LittleEndian.PutUint64(raw[0x200:], 0x1112131415161718)
		}
		ev, err := EvidenceFromRaw(raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := snpverify.ParseEvidence(ev)
		if err != nil {
			t.Fatalf("v%d: %v", version, err)
		}
		if !bytes.Equal(got.Report, raw) {
			t.Fatalf("v%d: the verifier rebuilds a different report at %#x", version, firstDiff(got.Report, raw))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
