package tdx

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-tdx-guest/testing/testdata"

	verifier "github.com/trustgate/trustgate/internal/attest/tdx"
)

// TestEvidenceThroughTrusteeParser checks that trustee's TDX parser
// (internal/attest/tdx) reads our evidence back to the same quote and
// event log.
func TestEvidenceThroughTrusteeParser(t *testing.T) {
	ccel := filepath.Join(t.TempDir(), "CCEL")
	if err := os.WriteFile(ccel, []byte("event log"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := &Attester{TSM: fakeTDX(testdata.RawQuote), CCEL: ccel}
	rd := bytes.Repeat([]byte{3}, 64)
	out, err := a.Evidence(context.Background(), rd)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := verifier.ParseEvidence(out)
	if err != nil {
		t.Fatalf("trustee cannot parse our evidence: %v", err)
	}
	if !bytes.Equal(ev.CCEventLog, []byte("event log")) {
		t.Fatalf("event log %q", ev.CCEventLog)
	}
	if !bytes.Equal(ev.Quote[reportDataOffset:reportDataOffset+64], rd) {
		t.Fatal("quote report data differs after the round trip")
	}
}
