package up

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSecondUpReusesState runs up twice on one state directory without
// Azurite: the second run keeps Trustee's certificate, the keys and the
// hardened manifests, and approved notes land in the local blob directory.
func TestSecondUpReusesState(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	opts := func() Options { return loopbackOptions(dir) }
	ctx := context.Background()
	first, err := Start(ctx, opts())
	if err != nil {
		t.Fatalf("first up: %v", err)
	}
	cert1, _ := os.ReadFile(first.TrusteeCert)
	p12, _ := os.ReadFile(first.ClientP12)
	first.Close()
	// The hardened output names the dashboard's URL, which changes with
	// the port; everything else must be the same.
	man1, _ := os.ReadFile(filepath.Join(dir, "hardened", "hospital.yaml"))

	second, err := Start(ctx, opts())
	if err != nil {
		t.Fatalf("second up: %v", err)
	}
	defer second.Close()
	cert2, _ := os.ReadFile(second.TrusteeCert)
	p12b, _ := os.ReadFile(second.ClientP12)
	if !bytes.Equal(cert1, cert2) || len(cert1) == 0 {
		t.Error("second up made a new Trustee certificate")
	}
	if !bytes.Equal(p12, p12b) || len(p12) == 0 {
		t.Error("second up made a new client certificate")
	}
	man2, _ := os.ReadFile(filepath.Join(dir, "hardened", "hospital.yaml"))
	if len(man1) == 0 || len(man2) == 0 {
		t.Fatal("no hardened manifests")
	}
	if second.BlobDir == "" {
		t.Fatal("without Azurite up must use a local blob directory")
	}

	tc, err := second.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
	blob := approveNote(t, c, second.SidecarURL, "Pt Jane Roe, MRN 12345678, seen 3/4 by Dr. Who.")
	got, err := os.ReadFile(filepath.Join(second.BlobDir, Container, filepath.FromSlash(blob)))
	if err != nil {
		t.Fatalf("approved note not in the local blob directory: %v", err)
	}
	if bytes.Contains(got, []byte("Jane Roe")) || bytes.Contains(got, []byte("12345678")) {
		t.Fatalf("approved blob still holds PHI: %q", got)
	}
}
