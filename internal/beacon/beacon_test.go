package beacon_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/beacon"
	"github.com/trustgate/trustgate/internal/dashboard"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/kbs"
)

// fakeGuest serves /aa/token as the guest does: an EAR token binding a TEE
// key and that key's private half.
func fakeGuest(t *testing.T, trustee *ecdsa.PrivateKey) *httptest.Server {
	t.Helper()
	tee, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := tee.PublicKey.ECDH()
	pub, err := kbs.NewTeePubKey(ek)
	if err != nil {
		t.Fatal(err)
	}
	iss, _ := ear.NewIssuer(trustee, ear.Options{})
	tok, _, err := iss.Issue(ear.Appraisal{Tee: "snp", TrustVector: map[string]int{"hardware": 2}, PolicyID: "default_cpu",
		Claims: map[string]any{}, RuntimeDataClaims: map[string]any{"tee-pubkey": pub.Map()}})
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(tee)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/aa/token" || r.URL.Query().Get("token_type") != "kbs" {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"token": tok, "tee_keypair": keyPEM})
	}))
}

func TestSenderToDashboard(t *testing.T) {
	trustee, _ := ear.GenerateKey()
	guest := fakeGuest(t, trustee)
	defer guest.Close()

	for _, tc := range []struct {
		name    string
		trusted *ecdsa.PrivateKey
		wantErr string
	}{
		{"trusted signer", trustee, ""},
		{"dashboard trusts another key", func() *ecdsa.PrivateKey { k, _ := ear.GenerateKey(); return k }(), "refused heartbeat (401)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := dashboard.New(dashboard.Config{
				Verifier: &dashboard.BeaconVerifier{Tokens: ear.NewVerifier(&tc.trusted.PublicKey)},
				Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
			})
			ds := httptest.NewServer(d)
			defer ds.Close()
			s := &beacon.Sender{Source: beacon.GuestAPI{URL: guest.URL}, Dashboard: ds.URL,
				Workload: beacon.Workload{Pod: "deid", Namespace: "hospital", TEE: "snp"}}
			err := s.SendOnce(context.Background())
			if tc.wantErr == "" && err != nil {
				t.Fatalf("SendOnce: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("SendOnce error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestGuestAPIErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       int
		want       string
	}{
		{"denied", "attestation denied", http.StatusInternalServerError, "guest answered 500"},
		{"not json", "nope", http.StatusOK, "decode token response"},
		{"bad key", `{"token":"x","tee_keypair":"not pem"}`, http.StatusOK, "not PEM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.code)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			_, _, err := beacon.GuestAPI{URL: srv.URL}.Token(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
