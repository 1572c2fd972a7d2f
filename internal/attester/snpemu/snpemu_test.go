package snpemu

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/snp"
)

func TestGenerateAndAttest(t *testing.T) {
	dir := t.TempDir()
	ark, err := GenerateRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ark.IsCA {
		t.Fatal("ARK is not a CA")
	}
	fi, err := os.Stat(filepath.Join(dir, VCEKKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("VCEK key mode %v, %v", fi.Mode(), err)
	}
	a, err := New(Config{Dir: dir, Measurement: []byte("m"), InitDataDigest: bytes.Repeat([]byte{7}, 48)})
	if err != nil {
		t.Fatal(err)
	}
	if a.Tee() != attest.TeeSNPEmulated {
		t.Fatalf("Tee = %q", a.Tee())
	}
	ev, err := a.Evidence(context.Background(), []byte("rd"))
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := snp.ParseEvidence(ev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(snp.ReportData(parsed.Report), []byte("rd")) {
		t.Fatal("REPORT_DATA not bound")
	}
	if hd, _ := a.BoundInitData(context.Background()); !bytes.Equal(hd, bytes.Repeat([]byte{7}, 32)) {
		t.Fatalf("HOST_DATA = %x (48-byte digest truncated to 32)", hd)
	}
	// A key that does not match the VCEK is refused.
	other := t.TempDir()
	if _, err := GenerateRoot(other); err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(filepath.Join(other, VCEKKeyFile))
	os.WriteFile(filepath.Join(dir, VCEKKeyFile), key, 0o600)
	if _, err := New(Config{Dir: dir}); err == nil {
		t.Fatal("mismatched VCEK key accepted")
	}
	if _, err := New(Config{Dir: t.TempDir()}); err == nil {
		t.Fatal("empty dir accepted")
	}
}
