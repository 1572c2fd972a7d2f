package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/as"
	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/sample"
	samplea "github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/jwe"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/policy"
	"github.com/trustgate/trustgate/internal/rvps"
	"github.com/trustgate/trustgate/internal/store"
	"github.com/trustgate/trustgate/internal/store/storetest"
)

// harness is a full in-process trustee over a real SQLite (or PostgreSQL)
// store with the real sample verifier, attestation service, policies,
// token issuer and JWE.
type harness struct {
	t        testing.TB
	st       store.Store
	srv      *Server
	ts       *httptest.Server
	adminKey ed25519.PrivateKey
	issuer   *ear.Issuer
	clock    atomic.Int64 // offset added to time.Now, nanoseconds
}

type harnessOpt func(*Config)

func newHarness(t testing.TB, opts ...harnessOpt) *harness {
	t.Helper()
	st := storetest.Open(t)
	return newHarnessOn(t, st, nil, opts...)
}

// newHarnessOn builds a server over st; signKey nil means the key stored
// in st (created on first use), as trustee does.
func newHarnessOn(t testing.TB, st store.Store, _ any, opts ...harnessOpt) *harness {
	t.Helper()
	ctx := context.Background()
	pemKey, err := st.SecretKey(ctx, "ear-signing-key", func() ([]byte, error) {
		k, err := ear.GenerateKey()
		if err != nil {
			return nil, err
		}
		return ear.MarshalPrivateKey(k)
	})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ear.ParsePrivateKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := ear.NewIssuer(key, ear.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rv := rvps.New(st)
	engine := policy.NewEngine(rv)
	svc, err := as.New(as.Config{
		Verifiers: map[string]attest.Verifier{attest.TeeSample: sample.Verifier{}},
		Policies:  StorePolicies{Store: st},
		Engine:    engine,
		Issuer:    issuer,
	})
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	h := &harness{t: t, st: st, adminKey: priv, issuer: issuer}
	now := func() time.Time { return time.Now().Add(time.Duration(h.clock.Load())) }
	tv := ear.NewVerifier(issuer.PublicKey())
	tv.Now = now
	cfg := Config{
		Store: st, RVPS: rv, Policy: engine, AS: svc,
		Tokens: tv,
		Admin:  &AdminAuth{Keys: []ed25519.PublicKey{pub}},
		Now:    now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	h.srv, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.ts = httptest.NewServer(h.srv)
	t.Cleanup(h.ts.Close)
	return h
}

// client returns an HTTP client with its own cookie jar (one guest).
func (h *harness) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type reply struct {
	status int
	body   []byte
	header http.Header
}

func (h *harness) do(c *http.Client, method, path string, body []byte, hdr map[string]string) reply {
	h.t.Helper()
	req, err := http.NewRequest(method, h.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, body: b, header: resp.Header}
}

// adminToken signs an admin token with the trusted key.
func (h *harness) adminToken() string {
	tok, err := kbsadmin.NewToken(h.adminKey, time.Now(), time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

func (h *harness) admin(method, path string, body []byte) reply {
	h.t.Helper()
	return h.do(http.DefaultClient, method, path, body, map[string]string{"Authorization": "Bearer " + h.adminToken()})
}

func (h *harness) mustAdmin(method, path string, body []byte) reply {
	h.t.Helper()
	r := h.admin(method, path, body)
	if r.status != http.StatusOK {
		h.t.Fatalf("admin %s %s: %d %s", method, path, r.status, r.body)
	}
	return r
}

func (h *harness) setResourcePolicy(name string) {
	h.t.Helper()
	src, err := policy.SampleResourcePolicy(name)
	if err != nil {
		h.t.Fatal(err)
	}
	b, _ := json.Marshal(PolicyRequest{Policy: base64.RawURLEncoding.EncodeToString([]byte(src))})
	h.mustAdmin("POST", "/kbs/v0/resource-policy", b)
}

// guest is one sample-TEE guest: its key and HTTP client.
type guest struct {
	h    *harness
	c    *http.Client
	priv any
	pub  kbs.TeePubKey
}

func (h *harness) guest() *guest {
	h.t.Helper()
	priv, pub, err := jwe.GenerateKey(jwe.KeyP256)
	if err != nil {
		h.t.Fatal(err)
	}
	return &guest{h: h, c: h.client(), priv: priv, pub: pub}
}

func authBody(tee string) []byte {
	return []byte(`{"version":"0.4.0","tee":"` + tee + `","extra-params":{"supported-hash-algorithms":["sha384"]}}`)
}

// auth runs /auth and returns the nonce.
func (g *guest) auth() string {
	g.h.t.Helper()
	r := g.h.do(g.c, "POST", "/kbs/v0/auth", authBody("sample"), nil)
	if r.status != http.StatusOK {
		g.h.t.Fatalf("auth: %d %s", r.status, r.body)
	}
	var ch kbs.Challenge
	if err := json.Unmarshal(r.body, &ch); err != nil {
		g.h.t.Fatal(err)
	}
	return ch.Nonce
}

// attestBody builds an attestation body binding bindNonce (the nonce the
// evidence is made for) while claiming sentNonce in runtime-data.
func (g *guest) attestBody(sentNonce, bindNonce string) []byte {
	g.h.t.Helper()
	rd := kbs.ReportData(bindNonce, g.pub, "")
	ev, err := (&samplea.Attester{}).Evidence(context.Background(), rd)
	if err != nil {
		g.h.t.Fatal(err)
	}
	b, err := json.Marshal(kbs.Attestation{
		RuntimeData: kbs.RuntimeData{Nonce: sentNonce, TeePubKey: g.pub},
		TeeEvidence: kbs.CompositeEvidence{PrimaryEvidence: ev, AdditionalEvidence: ""},
	})
	if err != nil {
		g.h.t.Fatal(err)
	}
	return b
}

func (g *guest) attest(body []byte) reply {
	g.h.t.Helper()
	return g.h.do(g.c, "POST", "/kbs/v0/attest", body, nil)
}

// handshake runs auth + attest and returns the token.
func (g *guest) handshake() string {
	g.h.t.Helper()
	n := g.auth()
	r := g.attest(g.attestBody(n, n))
	if r.status != http.StatusOK {
		g.h.t.Fatalf("attest: %d %s", r.status, r.body)
	}
	var tr kbs.TokenResponse
	if err := json.Unmarshal(r.body, &tr); err != nil || tr.Token == "" {
		g.h.t.Fatalf("token: %v %s", err, r.body)
	}
	return tr.Token
}

func (g *guest) get(path string, hdr map[string]string) reply {
	g.h.t.Helper()
	return g.h.do(g.c, "GET", "/kbs/v0/resource/"+path, nil, hdr)
}

// open decrypts a JWE reply with the guest's key.
func (g *guest) open(r reply) []byte {
	g.h.t.Helper()
	if r.status != http.StatusOK {
		g.h.t.Fatalf("resource: %d %s", r.status, r.body)
	}
	pt, err := jwe.Decrypt(g.priv, r.body)
	if err != nil {
		g.h.t.Fatal(err)
	}
	return pt
}

// wantError asserts status, KBS error variant, and that no JWE came back.
func wantError(t testing.TB, r reply, status int, v kbs.Variant) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (%s)", r.status, status, r.body)
	}
	info, err := kbs.ParseErrorInfo(r.body)
	if err != nil {
		t.Fatalf("not a KBS error body: %v: %q", err, r.body)
	}
	if info.Variant() != v {
		t.Fatalf("error %s, want %s (%s)", info.Variant(), v, info.Detail)
	}
	noJWE(t, r.body)
}

func noJWE(t testing.TB, body []byte) {
	t.Helper()
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		for _, k := range []string{"ciphertext", "encrypted_key", "protected", "iv", "tag"} {
			if _, ok := m[k]; ok {
				t.Fatalf("a JWE member %q came back: %s", k, body)
			}
		}
	}
	if strings.Contains(string(body), "ciphertext") {
		t.Fatalf("JWE-like body: %s", body)
	}
}
