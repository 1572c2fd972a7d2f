package trustee

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	samplea "github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/policy"
)

// startPlain starts a trustee over plain HTTP and returns it with an
// admin client and its data directory.
func startPlain(t *testing.T) (*Instance, *kbsadmin.Client, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	inst := startTest(t, func(c *Config) { c.DataDir, c.InsecureHTTP = dir, true }, quiet())
	ac, err := kbsadmin.New(inst.URL, filepath.Join(dir, "admin.key"), kbsadmin.TLSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return inst, ac, dir
}

// sampleToken runs auth and attest against base with the sample attester
// and returns the token and the key resources are encrypted to.
func sampleToken(t *testing.T, base string) (string, any) {
	t.Helper()
	priv, pub, err := jwe.GenerateKey(jwe.KeyP256)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{}
	resp, err := hc.Post(base+"/kbs/v0/auth", "application/json", strings.NewReader(`{"version":"0.4.0","tee":"sample","extra-params":""}`))
	if err != nil {
		t.Fatal(err)
	}
	var ch kbs.Challenge
	_ = json.NewDecoder(resp.Body).Decode(&ch)
	resp.Body.Close()
	ev, _ := (&samplea.Attester{}).Evidence(context.Background(), kbs.ReportData(ch.Nonce, pub, ""))
	body, _ := json.Marshal(kbs.Attestation{RuntimeData: kbs.RuntimeData{Nonce: ch.Nonce, TeePubKey: pub}, TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: ev}})
	req, _ := http.NewRequest("POST", base+"/kbs/v0/attest", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range resp.Cookies() {
		req.AddCookie(c)
	}
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr kbs.TokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || tr.Token == "" {
		t.Fatalf("attest: %d %v", resp.StatusCode, err)
	}
	return tr.Token, priv
}

// fetchBearer fetches resource from base with token; it returns the status.
func fetchBearer(t *testing.T, base, resource, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/kbs/v0/resource/"+resource, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func kidOf(t *testing.T, token string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Protected.KeyID
}

func jwksKids(t *testing.T, ac *kbsadmin.Client) []string {
	t.Helper()
	b, err := ac.TokenKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ear.ParseJWKS(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range keys {
		out = append(out, k.KeyID)
	}
	return out
}

// TestRotateTokenKey: after rotate-token-key, new tokens carry the new kid,
// tokens of the previous key still release until they expire, and none
// after; the JWKS lists both keys, then only the new one; the change is
// audited with both kids.
func TestRotateTokenKey(t *testing.T) {
	inst, ac, _ := startPlain(t)
	ctx := context.Background()
	allow, _ := policy.SampleResourcePolicy("allow-all")
	if err := ac.SetResourcePolicy(ctx, []byte(allow)); err != nil {
		t.Fatal(err)
	}
	if err := ac.SetResource(ctx, "default/k/1", []byte("v")); err != nil {
		t.Fatal(err)
	}
	oldTok, _ := sampleToken(t, inst.URL)
	oldKid := kidOf(t, oldTok)
	if k := jwksKids(t, ac); len(k) != 1 || k[0] != oldKid {
		t.Fatalf("JWKS before rotation %v, token kid %s", k, oldKid)
	}
	kid, prev, err := ac.RotateTokenKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if prev != oldKid || kid == oldKid || kid == "" {
		t.Fatalf("rotate: kid %s prev %s, old %s", kid, prev, oldKid)
	}
	if k := jwksKids(t, ac); len(k) != 2 || k[0] != kid || k[1] != oldKid {
		t.Fatalf("JWKS after rotation %v", k)
	}
	pem, _ := ac.TokenKey(ctx)
	pk, err := ear.ParsePublicKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := ear.KeyID(pk); k != kid {
		t.Fatalf("token-key serves %s, want the new key %s", k, kid)
	}
	newTok, _ := sampleToken(t, inst.URL)
	if kidOf(t, newTok) != kid {
		t.Fatalf("new token kid %s, want %s", kidOf(t, newTok), kid)
	}
	for name, tok := range map[string]string{"previous key": oldTok, "new key": newTok} {
		if c := fetchBearer(t, inst.URL, "default/k/1", tok); c != 200 {
			t.Fatalf("%s: %d", name, c)
		}
	}
	// Once every token of the previous key has expired, the key is gone.
	inst.tk.mu.Lock()
	inst.tk.now = func() time.Time { return time.Now().Add(inst.tk.prevGrace() + time.Second) }
	inst.tk.mu.Unlock()
	if err := inst.tk.load(ctx); err != nil {
		t.Fatal(err)
	}
	if k := jwksKids(t, ac); len(k) != 1 || k[0] != kid {
		t.Fatalf("JWKS after the previous key's tokens expired %v", k)
	}
	// A token signed by the previous key is refused (a still-valid one, so
	// that only the key decides), a new one is not.
	if c := fetchBearer(t, inst.URL, "default/k/1", oldTok); c != 401 {
		t.Fatalf("previous key after expiry: %d", c)
	}
	if c := fetchBearer(t, inst.URL, "default/k/1", newTok); c != 200 {
		t.Fatalf("new key: %d", c)
	}
	evs, err := ac.Audit(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs {
		if e.Action == "rotate-token-key" && strings.Contains(e.Reason, kid) && strings.Contains(e.Reason, oldKid) {
			found = true
		}
	}
	if !found {
		t.Fatal("no rotate-token-key audit event naming both kids")
	}
}

// TestRotateTokenKeyAcrossReplicas: a rotation made through replica A
// reaches replica B (keys live in the store): B signs with the new key
// within a second, and both accept the previous key's tokens.
func TestRotateTokenKeyAcrossReplicas(t *testing.T) {
	a, b, dirA := twoReplicas(t)
	ctx := context.Background()
	acA, _ := kbsadmin.New(a.URL, filepath.Join(dirA, "admin.key"), kbsadmin.TLSOptions{})
	acB, _ := kbsadmin.New(b.URL, filepath.Join(dirA, "admin.key"), kbsadmin.TLSOptions{})
	allow, _ := policy.SampleResourcePolicy("allow-all")
	if err := acA.SetResourcePolicy(ctx, []byte(allow)); err != nil {
		t.Fatal(err)
	}
	if err := acA.SetResource(ctx, "default/k/1", []byte("v")); err != nil {
		t.Fatal(err)
	}
	oldTok, _ := sampleToken(t, b.URL)
	kid, _, err := acA.RotateTokenKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if k := jwksKids(t, acB); len(k) == 2 && k[0] == kid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica B did not load the rotated key: %v", jwksKids(t, acB))
		}
		time.Sleep(100 * time.Millisecond)
	}
	newTok, _ := sampleToken(t, b.URL)
	if kidOf(t, newTok) != kid {
		t.Fatal("replica B still signs with the previous key")
	}
	for _, base := range []string{a.URL, b.URL} {
		for name, tok := range map[string]string{"previous": oldTok, "new": newTok} {
			if c := fetchBearer(t, base, "default/k/1", tok); c != 200 {
				t.Fatalf("%s token on %s: %d", name, base, c)
			}
		}
	}
}
