package azvtpm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"

	verifier "github.com/trustgate/trustgate/internal/attest/azvtpm"
	teeaz "github.com/trustgate/trustgate/internal/tee/azvtpm"
)

// TestEvidenceThroughTrusteeParser hands our evidence to trustee's Azure
// vTPM parser and quote checks (internal/attest/azvtpm): the quote verifies
// with the AK, binds the report data as nonce and PCR 8 binds initdata.
func TestEvidenceThroughTrusteeParser(t *testing.T) {
	z := newAzureTPM(t, teeaz.ReportTypeSNP)
	a := NewSNP()
	a.OpenTPM = z.open
	a.IMDS = fakeIMDS(t).URL
	digest := sha256.Sum256([]byte("initdata"))
	if err := a.ExtendInitData(digest[:]); err != nil {
		t.Fatal(err)
	}
	rd := bytes.Repeat([]byte{7}, 48)
	out, err := a.Evidence(context.Background(), rd)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := verifier.ParseEvidence(out)
	if err != nil {
		t.Fatalf("trustee cannot parse our evidence: %v", err)
	}
	if ev.Version != 2 || !bytes.Equal(ev.HCLReport, z.hcl) || len(ev.VCEK) == 0 {
		t.Fatalf("parsed evidence differs: version %d", ev.Version)
	}
	vq, check, err := verifier.VerifyQuote(&ev.Quote, z.akPub)
	if err != nil {
		t.Fatalf("quote check %s: %v", check, err)
	}
	// Version 1 rules: the simulator has no paravisor to copy the report
	// data into the HCL user-data, so only the quote binding is checked.
	if check, err := verifier.Bind(1, nil, vq, rd, digest[:]); err != nil {
		t.Fatalf("bind check %s: %v", check, err)
	}
	if _, err := verifier.Bind(1, nil, vq, bytes.Repeat([]byte{8}, 48), digest[:]); err == nil {
		t.Fatal("other report data accepted")
	}
	if _, err := verifier.Bind(1, nil, vq, rd, bytes.Repeat([]byte{1}, 32)); err == nil {
		t.Fatal("other initdata accepted")
	}
}
