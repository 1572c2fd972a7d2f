package server

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/store"
)

// authSession runs /auth for tee and returns the session id (cookie) and
// nonce, without a cookie jar, so that a test can send them to any replica.
func (h *harness) authSession(tee string) (id, nonce string) {
	h.t.Helper()
	r := h.do(http.DefaultClient, "POST", "/kbs/v0/auth", authBody(tee), nil)
	if r.status != http.StatusOK {
		h.t.Fatalf("auth: %d %s", r.status, r.body)
	}
	var ch kbs.Challenge
	if err := json.Unmarshal(r.body, &ch); err != nil {
		h.t.Fatal(err)
	}
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == kbs.SessionCookie {
			return c.Value, ch.Nonce
		}
	}
	h.t.Fatal("no session cookie")
	return "", ""
}

func (h *harness) attestAs(id string, body []byte) reply {
	h.t.Helper()
	return h.do(http.DefaultClient, "POST", "/kbs/v0/attest", body, map[string]string{"Cookie": kbs.SessionCookie + "=" + id})
}

func tokenOf(t *testing.T, r reply) string {
	t.Helper()
	var tr kbs.TokenResponse
	if r.status != http.StatusOK || json.Unmarshal(r.body, &tr) != nil || tr.Token == "" {
		t.Fatalf("attest: %d %s", r.status, r.body)
	}
	return tr.Token
}

// issued counts the "token issued" audit rows of the session's TEE.
func (h *harness) issued() int {
	n := 0
	for _, e := range h.auditEvents() {
		if e.Kind == audit.KindAttest && e.Outcome == audit.OutcomeAllow && strings.HasPrefix(e.Reason, "token issued") {
			n++
		}
	}
	return n
}

// withID returns id with its bytes changed by f.
func withID(t *testing.T, id string, f func(b []byte)) string {
	t.Helper()
	b, err := hex.DecodeString(id)
	if err != nil {
		t.Fatal(err)
	}
	f(b)
	return hex.EncodeToString(b)
}

// TestStatelessSession: /auth stores nothing; the session id carries its
// expiry and TEE under the nonce's key, so a changed id is refused and
// does not use up the real session; a nonce is used once.
func TestStatelessSession(t *testing.T) {
	h := newHarness(t)
	g := h.guest()
	id, n := h.authSession("sample")
	if _, err := h.st.GetSession(context.Background(), id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("/auth stored a session: %v", err)
	}
	body := g.attestBody(n, n)
	for name, c := range map[string]struct {
		id   string
		want string
	}{
		"later expiry":  {withID(t, id, func(b []byte) { binary.BigEndian.PutUint32(b, binary.BigEndian.Uint32(b)+1) }), "nonce mismatch"},
		"other tee":     {withID(t, id, func(b []byte) { b[4] = teeIndex("snp") }), "nonce mismatch"},
		"other random":  {withID(t, id, func(b []byte) { b[15] ^= 1 }), "nonce mismatch"},
		"far future":    {withID(t, id, func(b []byte) { binary.BigEndian.PutUint32(b, uint32(time.Now().Add(time.Hour).Unix())) }), "unknown or expired"},
		"expired":       {withID(t, id, func(b []byte) { binary.BigEndian.PutUint32(b, uint32(time.Now().Add(-time.Second).Unix())) }), "expired"},
		"unknown index": {withID(t, id, func(b []byte) { b[4] = 200 }), "unknown or expired"},
		"stored index":  {withID(t, id, func(b []byte) { b[4] = 0 }), "unknown or expired"},
	} {
		r := h.attestAs(c.id, body)
		wantError(t, r, 401, kbs.AttestationError)
		if !strings.Contains(string(r.body), c.want) {
			t.Fatalf("%s: %s, want %q", name, r.body, c.want)
		}
	}
	tok := tokenOf(t, h.attestAs(id, body))
	// Attested: a second attest returns the stored token, whatever it says.
	if again := tokenOf(t, h.attestAs(id, g.attestBody("AAAA", "AAAA"))); again != tok {
		t.Fatal("second attest returned another token")
	}
	if h.issued() != 1 {
		t.Fatalf("%d tokens issued", h.issued())
	}
	// The session row is the nonce's replay cache, kept until expiry.
	if ss, err := h.st.GetSession(context.Background(), id); err != nil || ss.Token != tok {
		t.Fatalf("session row: %+v %v", ss, err)
	}
	// A TEE this build has no session index for keeps a stored session.
	sid, _ := h.authSession("cca")
	if b, _ := hex.DecodeString(sid); b[4] != 0 {
		t.Fatalf("cca session id %s is not a stored one", sid)
	}
	if _, err := h.st.GetSession(context.Background(), sid); err != nil {
		t.Fatalf("stored session: %v", err)
	}
}

// TestStatelessSessionReplicas: two servers over one store. A handshake
// begun on one is finished on the other; a nonce used on one is used on
// both (one token per nonce, whichever replica sees the request), and a
// failed attempt on one uses the nonce up for the other.
func TestStatelessSessionReplicas(t *testing.T) {
	a := newHarness(t)
	b := newHarnessOn(t, a.st, nil)
	a.mustAdmin("POST", "/kbs/v0/resource/default/db/password", []byte(secret))
	a.setResourcePolicy("allow-all")
	g := a.guest()

	id, n := a.authSession("sample")
	body := g.attestBody(n, n)
	tok := tokenOf(t, b.attestAs(id, body))
	// The resource fetch on A finds the token B stored.
	if got := g.open(a.do(http.DefaultClient, "GET", "/kbs/v0/resource/default/db/password", nil,
		map[string]string{"Cookie": kbs.SessionCookie + "=" + id})); string(got) != secret {
		t.Fatalf("released %q", got)
	}
	// Replayed on A, which has no memory of it: the stored token.
	if again := tokenOf(t, a.attestAs(id, body)); again != tok {
		t.Fatal("replay on the other replica got another token")
	}

	// A refused attempt on A uses the nonce up for B.
	id, n = a.authSession("sample")
	wantError(t, a.attestAs(id, g.attestBody(n, "not-the-nonce")), 401, kbs.AttestationError)
	r := b.attestAs(id, g.attestBody(n, n))
	wantError(t, r, 401, kbs.AttestationError)
	if !strings.Contains(string(r.body), "already used") {
		t.Fatalf("reason: %s", r.body)
	}

	// The same request on both replicas at once: one token, every answer
	// carries it, one "token issued" row.
	id, n = a.authSession("sample")
	body = g.attestBody(n, n)
	before := a.issued()
	var wg sync.WaitGroup
	toks := make([]string, 8)
	for i := range toks {
		h := a
		if i%2 == 1 {
			h = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.do(http.DefaultClient, "POST", "/kbs/v0/attest", body, map[string]string{"Cookie": kbs.SessionCookie + "=" + id})
			var tr kbs.TokenResponse
			if r.status == http.StatusOK && json.Unmarshal(r.body, &tr) == nil {
				toks[i] = tr.Token
			}
		}()
	}
	wg.Wait()
	for _, tk := range toks {
		if tk == "" || tk != toks[0] {
			t.Fatalf("answers %q", toks)
		}
	}
	if got := a.issued() - before; got != 1 {
		t.Fatalf("%d tokens issued for one nonce", got)
	}
}

// TestStatelessSessionAuditFails: with audit inserts failing (a real SQLite
// trigger), an attestation is refused with 500 and no token, and its nonce
// is not used up: the decision and the nonce's use commit together.
func TestStatelessSessionAuditFails(t *testing.T) {
	h, breakAudit := newAuditHarness(t)
	g := h.guest()
	id, n := h.authSession("sample")
	body := g.attestBody(n, n)
	db := breakAudit()
	r := h.attestAs(id, body)
	wantError(t, r, 500, kbs.InternalError)
	if strings.Contains(string(r.body), "token") && strings.Contains(string(r.body), "ey") {
		t.Fatalf("a token came back: %s", r.body)
	}
	if _, err := h.st.GetSession(context.Background(), id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("nonce used without its audit row: %v", err)
	}
	if _, err := db.Exec(`DROP TRIGGER audit_broken`); err != nil {
		t.Fatal(err)
	}
	tokenOf(t, h.attestAs(id, body))
	if h.issued() != 1 {
		t.Fatalf("%d token rows", h.issued())
	}
}

// FuzzSessionID: any cookie value is refused or decoded without a panic,
// and no change of a minted session id keeps its nonce (the expiry and
// TEE it carries are bound by the nonce's key).
func FuzzSessionID(f *testing.F) {
	key := make([]byte, 32)
	minted, exp := newStatelessID(teeIndex("sample"), time.Unix(1_900_000_000, 1))
	if exp.Unix() != 1_900_000_001 {
		f.Fatalf("expiry %v not rounded up", exp)
	}
	mintedHex := hex.EncodeToString(minted[:])
	nonce := sessionNonce(key, minted)
	f.Add(mintedHex)
	f.Add(strings.Repeat("0", 32))
	f.Add("x")
	f.Fuzz(func(t *testing.T, id string) {
		if !validSessionID(id) {
			return
		}
		tee, _, b, ok := statelessSession(id)
		if !ok {
			return
		}
		if teeIndex(tee) != b[4] || hex.EncodeToString(b[:]) != id {
			t.Fatalf("%q: decoded %q, %x", id, tee, b)
		}
		if id != mintedHex && sessionNonce(key, b) == nonce {
			t.Fatalf("%q has the nonce of %q", id, mintedHex)
		}
	})
}

// TestReadAll: bodies read whole whatever Content-Length announces (exact,
// short of the preallocation bound, over it), and a body over the limit
// is refused.
func TestReadAll(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 4096, maxPrealloc - 1, maxPrealloc, maxPrealloc + 1, 3 * maxPrealloc} {
		body := strings.Repeat("x", n)
		for _, announced := range []int64{int64(n), -1} {
			got, err := readAll(strings.NewReader(body), announced, 4*maxPrealloc)
			if err != nil || string(got) != body {
				t.Fatalf("%d bytes announced as %d: %d bytes, %v", n, announced, len(got), err)
			}
		}
	}
	h := newHarness(t)
	r := h.do(h.client(), "POST", "/kbs/v0/attest", []byte(strings.Repeat("x", kbs.MaxBodySize+1)), map[string]string{"Cookie": kbs.SessionCookie + "=" + strings.Repeat("a", 32)})
	wantError(t, r, 413, kbs.PayloadTooLarge)
}
