package up

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/beacon"
	"github.com/trustgate/trustgate/internal/dashboard"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/initdata"
)

// fixedToken is a beacon token source holding one token and its TEE key.
type fixedToken struct {
	tok string
	key crypto.Signer
}

func (f fixedToken) Token(context.Context) (string, crypto.Signer, error) { return f.tok, f.key, nil }

// TestTokenKeyRotation rotates Trustee's token key while up runs. A fresh
// token (the VM attests again, so Trustee signs with the new key) must be
// accepted by up's dashboard (Trustee's own rotation-following verifier)
// and by a standalone dashboard that started with the old key and follows
// GET /kbs/v0/token-keys; a dashboard that only knows the old key refuses
// it, which shows the token is really signed by the new key.
func TestTokenKeyRotation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _, _ := startTestStack(t, ctx, "-", nil)
	defer s.Close()

	oldKey, err := s.Trustee.TokenPublicKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	standalone := func(follow bool) string {
		v := ear.NewVerifier(oldKey)
		if follow {
			if err := dashboard.FollowTokenKeys(ctx, v, s.Admin.TokenKeys, 200*time.Millisecond, oldKey, quiet); err != nil {
				t.Fatal(err)
			}
		}
		srv := httptest.NewServer(dashboard.New(dashboard.Config{Verifier: &dashboard.BeaconVerifier{Tokens: v}, LateAfter: time.Minute, Logger: quiet}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	following, stale := standalone(true), standalone(false)

	kid, prev, err := s.Admin.RotateTokenKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if kid == prev {
		t.Fatalf("rotation kept kid %s", kid)
	}

	// A fresh attestation of the VM's hardware and initdata.
	rec := s.record()
	raw, err := os.ReadFile(rec.InitData)
	if err != nil {
		t.Fatal(err)
	}
	id, err := initdata.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	att, err := snpemu.New(snpemu.Config{Dir: rec.SnpEmuDir, Measurement: Measurement, InitDataDigest: id.Digest()})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := vmGuest(ctx, &rec, att, rec.InitData)
	if err != nil {
		t.Fatal(err)
	}
	tok, keyPEM, err := rt.KBS.Token(ctx)
	if err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	if got := tokenKid(t, tok); got != kid {
		t.Fatalf("fresh token signed by kid %q, want the new key %q", got, kid)
	}
	key, err := beacon.ParseTEEKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	send := func(url string) error {
		b := &beacon.Sender{Source: fixedToken{tok, key}, Dashboard: url,
			Workload: beacon.Workload{Pod: "rotation-check", Namespace: Namespace, TEE: "snp-emulated"}}
		return b.SendOnce(ctx)
	}
	for name, url := range map[string]string{"up's dashboard": s.DashboardURL, "standalone dashboard following token-keys": following} {
		var last error
		deadline := time.Now().Add(10 * time.Second)
		for last = send(url); last != nil && time.Now().Before(deadline); last = send(url) {
			time.Sleep(200 * time.Millisecond)
		}
		if last != nil {
			t.Errorf("%s refused a beacon with a token of the rotated key: %v", name, last)
		}
	}
	if err := send(stale); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("a dashboard that knows only the old key accepted the new key's token (err %v)", err)
	}
}

// tokenKid reads the kid of a JWT's protected header.
func tokenKid(t *testing.T, tok string) string {
	t.Helper()
	h, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	var hdr struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(b, &hdr); err != nil {
		t.Fatal(err)
	}
	return hdr.Kid
}
