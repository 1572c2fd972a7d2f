package sample

import (
	"bytes"
	"context"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
	vsample "github.com/trustgate/trustgate/internal/attest/sample"
)

// The sample attester's evidence verifies with the sample verifier, and binds
// exactly the report data and initdata it was given.
func TestEvidenceVerifies(t *testing.T) {
	rd := bytes.Repeat([]byte{7}, 48)
	for _, digest := range [][]byte{nil, bytes.Repeat([]byte{9}, 32)} {
		a := &Attester{InitDataDigest: digest}
		if a.Tee() != attest.TeeSample {
			t.Fatal(a.Tee())
		}
		ev, err := a.Evidence(context.Background(), rd)
		if err != nil {
			t.Fatal(err)
		}
		c, err := vsample.Verifier{}.Verify(context.Background(), ev, attest.Expected{ReportData: rd, InitDataDigest: digest})
		if err != nil {
			t.Fatal(err)
		}
		if c["svn"] != "1" {
			t.Fatalf("claims %v", c)
		}
		if _, err := (vsample.Verifier{}).Verify(context.Background(), ev, attest.Expected{ReportData: rd[1:]}); err == nil {
			t.Fatal("bound to other report data")
		}
		got, err := a.BoundInitData(context.Background())
		if err != nil || !bytes.Equal(got, digest) {
			t.Fatalf("BoundInitData %x %v", got, err)
		}
	}
	if _, err := (vsample.Verifier{}).Verify(context.Background(), mustEvidence(t, &Attester{InitDataDigest: []byte{1}}, rd), attest.Expected{ReportData: rd, InitDataDigest: []byte{2}}); err == nil {
		t.Fatal("initdata mismatch accepted")
	}
}

func mustEvidence(t *testing.T, a *Attester, rd []byte) []byte {
	ev, err := a.Evidence(context.Background(), rd)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}
