// Package vectors gives tests the captured attestation evidence kept in
// its testdata folder (real SNP, TDX and Azure vTPM evidence from upstream
// Trustee, Apache-2.0; see testdata/README.md), so that verifier tests need
// nothing outside the repository.
package vectors

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
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
