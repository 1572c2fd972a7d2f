// Package vectors gives tests the captured attestation evidence kept in
// its testdata folder (real SNP, TDX and Azure vTPM evidence from upstream
// Trustee, Apache-2.0; see testdata/README.md), so that verifier tests need
// nothing outside the repository.
package vectors

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	tdxtest "github.com/google/go-tdx-guest/testing"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/collateral"
)

// Dir returns the absolute path of testdata/<sub>.
func Dir(sub string) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("vectors: cannot locate source file")
	}
	return filepath.Join(filepath.Dir(file), "testdata", filepath.FromSlash(sub))
}

// Read returns the bytes of testdata/<rel> ("trustee/snp/test-report.bin"),
// failing the test when the file is missing: these vectors ship with the
// repository, so a missing one is a broken checkout, not a skip.
func Read(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(Dir(rel))
	if err != nil {
		t.Fatalf("test vector: %v", err)
	}
	return b
}

// IntelCollateralTime lies inside the validity of every item of
// IntelCollateralBundle (TCB info 2023-06-18..07-18, QE identity
// 2023-06-08..07-08, and the CRLs).
var IntelCollateralTime = time.Date(2023, time.July, 1, 1, 0, 0, 0, time.UTC)

// IntelCollateralBundle returns the real Intel PCS responses that
// go-tdx-guest ships (TDX TCB info and QE identity for FMSPC 50806f000000
// with their issuer chains, the PCK platform CRL and the SGX root CA CRL,
// all signed by Intel) as a collateral bundle: the JSON `trustee admin
// collateral import` reads.
func IntelCollateralBundle(t testing.TB) []byte {
	t.Helper()
	ctx := context.Background()
	c := collateral.NewMemCache()
	for url, resp := range tdxtest.TestGetter.Responses {
		if err := collateral.Put(ctx, c, url, resp.Header, resp.Body, IntelCollateralTime); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := collateral.Export(ctx, c, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// OfflineGetter imports bundle into a fresh cache and returns a getter that
// serves it and never goes to the network, as an air-gapped trustee runs.
func OfflineGetter(t testing.TB, bundle []byte) *collateral.Getter {
	t.Helper()
	c := collateral.NewMemCache()
	if _, err := collateral.Import(context.Background(), c, bytes.NewReader(bundle)); err != nil {
		t.Fatalf("import collateral bundle: %v", err)
	}
	return &collateral.Getter{Cache: c}
}

// SameJSON reports whether a and b encode to the same JSON (maps in key
// order), for fuzz invariants that compare claims.
func SameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// CheckVerified is the invariant of the verifier fuzz targets, whose seeds
// are real signed evidence: an error must name the failed check (an
// *attest.Error), and evidence that verifies must yield exactly the claims
// of one of the genuine seeds, so that no mutation of signed input changes
// what is vouched for.
func CheckVerified(t *testing.T, claims map[string]any, err error, genuine ...map[string]any) {
	t.Helper()
	if err != nil {
		if attest.FailedCheck(err) == "" {
			t.Fatalf("error does not name the failed check: %v", err)
		}
		return
	}
	for _, g := range genuine {
		if SameJSON(claims, g) {
			return
		}
	}
	t.Fatalf("mutated evidence verified with claims no genuine vector has: %v", claims)
}
