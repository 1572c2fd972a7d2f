package up

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/policy"
)

// checkRevocationByPolicy is issue 17's "revocation by policy", end to end
// with the real Trustee and the deid VM's real guest: a fresh certificate
// request (a new key, so a new attestation) is certified; once the resource
// policy loses the identity rules, or the init_data reference value loses
// the VM's initdata digest, the same request is refused (the sidecar's
// next renewal would be), and certified again once they are restored.
func checkRevocationByPolicy(t *testing.T, s *Stack) {
	t.Helper()
	ctx := context.Background()
	request := func() (int, string) {
		t.Helper()
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: []string{identityDNS}}, key)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]any{"csr": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})), "dns_names": []string{identityDNS}})
		c := &http.Client{Timeout: 30 * time.Second}
		resp, err := c.Post(s.GuestURL+guest.IdentityPath, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, string(b)
	}
	want := func(what string, ok bool) {
		t.Helper()
		code, body := request()
		if ok && code != http.StatusOK {
			t.Fatalf("%s: HTTP %d %s, want a certificate", what, code, body)
		}
		if !ok && code != http.StatusForbidden {
			t.Fatalf("%s: HTTP %d %s, want 403 (refused by Trustee)", what, code, body)
		}
	}
	want("under up's policy", true)

	if err := s.Admin.SetResourcePolicy(ctx, []byte(policy.DefaultResourcePolicy())); err != nil {
		t.Fatal(err)
	}
	want("after the identity rules left the resource policy", false)
	if err := s.Admin.SetResourcePolicy(ctx, []byte(policy.DefaultResourcePolicy()+identityPolicy)); err != nil {
		t.Fatal(err)
	}
	want("with the identity rules back", true)

	raw, err := os.ReadFile(s.InitData)
	if err != nil {
		t.Fatal(err)
	}
	id, err := initdata.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	digest := hex.EncodeToString(id.Digest())
	rv, err := s.Admin.GetReferenceValue(ctx, "init_data")
	if err != nil {
		t.Fatal(err)
	}
	others := slices.DeleteFunc(slices.Clone(rv.Value), func(v any) bool { return v == any(digest) })
	if len(others) != len(rv.Value)-1 {
		t.Fatalf("init_data %v lacks the VM's digest %s", rv.Value, digest)
	}
	if err := s.Admin.SetReferenceValue(ctx, "init_data", others, rv.Expiration); err != nil {
		t.Fatal(err)
	}
	want("after the VM's initdata digest left the reference values", false)
	if err := s.Admin.SetReferenceValue(ctx, "init_data", rv.Value, rv.Expiration); err != nil {
		t.Fatal(err)
	}
	want("with the digest back", true)
}
