package localapi_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// wireKBS stands in for the guest's KBS session (internal/kbs/client,
// tested against Trustee elsewhere): what is on trial here is the local
// API between the guest's handler and this client.
type wireKBS struct{ resources map[string][]byte }

func (k wireKBS) GetResource(_ context.Context, p string) ([]byte, error) {
	if b, ok := k.resources[p]; ok {
		return b, nil
	}
	return nil, errors.New("kbs: resource not found")
}

func (wireKBS) Token(context.Context) (string, []byte, error) {
	return "eyJhbGciOiJFUzI1NiJ9.e30.sig", []byte("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"), nil
}

func (wireKBS) LastAttestation() (guest.AttestationState, bool) {
	return guest.AttestationState{Time: time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC), EARStatus: "affirming"}, true
}

type wireIssuer struct{ dns []string }

func (w *wireIssuer) Certificate(_ context.Context, _ []byte, dns []string) (json.RawMessage, error) {
	w.dns = dns
	return json.RawMessage(`{"certificate_chain":"-----BEGIN CERTIFICATE-----\n","spiffe_id":"spiffe://trustgate/ns/h/sa/d","not_after":"2026-12-05T00:00:00Z"}`), nil
}

// TestAgainstTheGuest runs each method against the guest's own handler
// (internal/guest.API), so that paths, query strings and bodies on both
// sides stay the same.
func TestAgainstTheGuest(t *testing.T) {
	kbs := wireKBS{resources: map[string][]byte{"default/tls/cert": []byte("PEM bytes")}}
	issuer := &wireIssuer{}
	api := &guest.API{
		Hub: guest.NewHub(kbs, &guest.Config{}), KBS: kbs, Attester: &sample.Attester{},
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		ImagePolicyURI: "kbs:///default/image-policy/1", Identity: issuer,
		InitDataAlgorithm: "sha256", InitDataDigest: "0f",
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	c, err := localapi.New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	if b, err := c.GetResource(ctx, "kbs:///default/tls/cert"); err != nil || string(b) != "PEM bytes" {
		t.Errorf("GetResource: %q, %v", b, err)
	}
	if _, err := c.GetResource(ctx, "default/tls/missing"); localapi.StatusOf(err) != 500 {
		t.Errorf("GetResource of a missing resource: %v, want HTTP 500", err)
	}
	if tk, err := c.KBSToken(ctx); err != nil || tk.Token != "eyJhbGciOiJFUzI1NiJ9.e30.sig" || tk.TeeKeypair == "" {
		t.Errorf("KBSToken: %v", err)
	}
	a, err := c.Attestation(ctx)
	want := localapi.Attestation{Tee: "sample", InitDataAlgorithm: "sha256", InitDataDigest: "0f", Attested: true, EARStatus: "affirming"}
	if err != nil || a.LastAttestation == nil || !a.LastAttestation.Equal(time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("Attestation: %+v, %v", a, err)
	}
	a.LastAttestation = nil
	if !reflect.DeepEqual(a, want) {
		t.Errorf("Attestation: %+v, want %+v", a, want)
	}
	if ic, err := c.ImageConfig(ctx); err != nil || ic.ImageSecurityPolicyURI != "kbs:///default/image-policy/1" {
		t.Errorf("ImageConfig: %+v, %v", ic, err)
	}

	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{}, key)
	csr := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
	cert, err := c.SignCSR(ctx, csr, []string{"deid.hospital.svc"})
	if err != nil || cert.SPIFFEID != "spiffe://trustgate/ns/h/sa/d" || cert.CertificateChain == "" || cert.NotAfter.IsZero() {
		t.Fatalf("SignCSR: %+v, %v", cert, err)
	}
	if !reflect.DeepEqual(issuer.dns, []string{"deid.hospital.svc"}) {
		t.Errorf("the guest got DNS names %v", issuer.dns)
	}
	if _, err := c.SignCSR(ctx, []byte("not a CSR"), nil); localapi.StatusOf(err) != 400 {
		t.Errorf("SignCSR of garbage: %v, want HTTP 400", err)
	}
}
