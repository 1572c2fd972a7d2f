// Package testenv finds the external services and tools that integration tests
// need (PostgreSQL, Azurite, Chromium, the ONNX Runtime library). Outside CI a
// missing one skips the test with a message saying how to get it; under
// CI=true it fails the test, because a test that silently skips in CI is a
// test that does not exist.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Environment variables set by scripts/test.sh once it has started the services.
const (
	PostgresURL  = "TRUSTGATE_TEST_POSTGRES"   // postgres://… URL of an empty database the tests may use
	AzuriteConn  = "TRUSTGATE_TEST_AZURITE"    // Azure Blob connection string of a running Azurite
	ChromiumPath = "TRUSTGATE_TEST_CHROMIUM"   // path to a Chromium binary
	ONNXRuntime  = "TRUSTGATE_ONNXRUNTIME_LIB" // path to libonnxruntime.so
)

// InCI reports whether the tests run in CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Require returns the value of the environment variable name. When it is
// unset the test is skipped, or fails under CI=true.
func Require(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		missing(t, name+" is not set; run scripts/test.sh, which installs and starts it")
	}
	return v
}

// SharedTestvectors returns the path of ../shared/testvectors/<sub> seen from
// the repository root, skipping the test (even in CI: core tests never need
// it) when the folder is absent.
func SharedTestvectors(t testing.TB, sub string) string {
	t.Helper()
	root := RepoRoot(t)
	p := filepath.Join(root, "..", "shared", "testvectors", sub)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared test vectors not found at %s: skipping (they live beside the repository)", p)
	}
	return p
}

// RepoRoot returns the repository root (the directory holding go.mod).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testenv: cannot locate source file")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

func missing(t testing.TB, msg string) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI=true and a required service is missing: %s", msg)
	}
	t.Skip(msg)
}

// ModuleDir returns the directory of module mod in the module cache (for
// the test data that upstream modules ship), skipping the test when the go
// command cannot find it.
func ModuleDir(t testing.TB, mod string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("module %s not available: %v", mod, err)
	}
	return dir
}
