package trustee

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"path/filepath"
	"testing"

	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/kbsadmin"
)

// TestIdentityBundle: kbsadmin's IdentityBundle fetches the identity CA's
// public trust bundle from a real trustee without an admin key, and it is
// the CA certificate of the configured trust domain.
func TestIdentityBundle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	inst := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
	ac, err := kbsadmin.New(inst.URL, "", kbsadmin.TLSOptions{CACert: filepath.Join(dir, "tls.crt")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ac.IdentityBundle(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("bundle is not PEM: %q", b)
	}
	ca, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.IsCA || len(ca.URIs) != 1 || ca.URIs[0].String() != "spiffe://"+identity.DefaultTrustDomain {
		t.Fatalf("not the identity CA of %s: IsCA %v, URIs %v", identity.DefaultTrustDomain, ca.IsCA, ca.URIs)
	}
}
