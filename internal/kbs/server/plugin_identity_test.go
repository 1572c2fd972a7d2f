package server

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	samplea "github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/policy"
)

// identityPolicy lets workload default/deid (any TEE, for the sample
// guest) have a certificate with the DNS name deid.hospital.example only.
const identityPolicy = `package policy
import rego.v1
default allow := false
allow if {
	data.plugin == "identity"
	data["resource-path"] == ["default", "deid"]
	input.submods.cpu0["ear.status"] == "affirming"
	not data.query.dns
}
allow if {
	data.plugin == "identity"
	data["resource-path"] == ["default", "deid"]
	input.submods.cpu0["ear.status"] == "affirming"
	data.query.dns == "deid.hospital.example"
}
`

const identityInitData = `version = "0.1.0"
algorithm = "sha256"
[data]
"identity.toml" = '''
namespace = "default"
service_account = "deid"
'''
`

// affirmSample makes the sample TEE affirming (an attestation policy that
// trusts it), so that the identity checks themselves are what is tested.
func (h *harness) affirmSample() {
	h.t.Helper()
	src := "package policy\ntrust_claims := {\"executables\": 2, \"hardware\": 2, \"configuration\": 2}\n"
	ap, _ := json.Marshal(PolicyRequest{Type: "rego", PolicyID: "default_cpu", Policy: base64.RawURLEncoding.EncodeToString([]byte(src))})
	h.mustAdmin("POST", "/kbs/v0/attestation-policy", ap)
}

func (h *harness) setResourcePolicySource(src string) {
	h.t.Helper()
	b, _ := json.Marshal(PolicyRequest{Policy: base64.RawURLEncoding.EncodeToString([]byte(src))})
	h.mustAdmin("POST", "/kbs/v0/resource-policy", b)
}

// identityHandshake attests the sample guest g with the initdata above
// measured (the sample evidence reports its digest) and returns the token.
func (g *guest) identityHandshake(initData string) string {
	t := g.h.t
	t.Helper()
	nonce := g.auth()
	var att kbs.Attestation
	att.RuntimeData = kbs.RuntimeData{Nonce: nonce, TeePubKey: g.pub}
	a := &samplea.Attester{}
	if initData != "" {
		id, err := initdata.Parse([]byte(initData))
		if err != nil {
			t.Fatal(err)
		}
		a.InitDataDigest = id.Digest()
		att.InitData = &kbs.InitData{Format: "toml", Body: initData}
	}
	ev, err := a.Evidence(context.Background(), kbs.ReportData(nonce, g.pub, ""))
	if err != nil {
		t.Fatal(err)
	}
	att.TeeEvidence = kbs.CompositeEvidence{PrimaryEvidence: ev}
	body, _ := json.Marshal(att)
	r := g.attest(body)
	if r.status != http.StatusOK {
		t.Fatalf("attest: %d %s", r.status, r.body)
	}
	var tr kbs.TokenResponse
	if err := json.Unmarshal(r.body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr.Token
}

// signerOf is the guest's TEE key as an ECDSA signer (the same P-256 scalar).
func signerOf(t testing.TB, priv any) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), priv.(*ecdh.PrivateKey).Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func csrPEM(t testing.TB, key *ecdsa.PrivateKey, dns ...string) string {
	t.Helper()
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "admin"}, DNSNames: append(dns, "evil.example"),
	}, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}))
}

func (g *guest) requestCert(token string, body []byte) reply {
	g.h.t.Helper()
	hdr := map[string]string{"Content-Type": "application/json"}
	if token != "" {
		hdr["Authorization"] = "Bearer " + token
	}
	return g.h.do(http.DefaultClient, "POST", "/kbs/v0/identity/csr", body, hdr)
}

func identityBody(csr string, dns ...string) []byte {
	b, _ := json.Marshal(IdentityRequest{CSR: csr, DNSNames: dns})
	return b
}

func identityEvents(h *harness) []audit.Event {
	var out []audit.Event
	for _, e := range h.auditEvents() {
		if e.Kind == AuditKindIdentity {
			out = append(out, e)
		}
	}
	return out
}

// TestIdentityIssue: an attested guest gets a one-hour certificate for its
// attested key with the SPIFFE ID from its measured initdata and the DNS
// name the policy allows (none of the CSR's own names or subject), chained
// to the public bundle; the issuance is audited with the key fingerprint
// and the claims digest it relied on.
func TestIdentityIssue(t *testing.T) {
	h := newHarness(t)
	h.affirmSample()
	h.setResourcePolicySource(identityPolicy)
	g := h.guest()
	tok := g.identityHandshake(identityInitData)
	key := signerOf(t, g.priv)

	r := g.requestCert(tok, identityBody(csrPEM(t, key), "deid.hospital.example"))
	if r.status != http.StatusOK {
		t.Fatalf("csr: %d %s", r.status, r.body)
	}
	var resp IdentityResponse
	if err := json.Unmarshal(r.body, &resp); err != nil {
		t.Fatal(err)
	}
	blk, rest := pem.Decode([]byte(resp.CertificateChain))
	leaf, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	caBlk, _ := pem.Decode(rest)

	b := h.do(http.DefaultClient, "GET", "/kbs/v0/identity/bundle", nil, nil)
	if b.status != http.StatusOK {
		t.Fatalf("bundle: %d", b.status)
	}
	bundleBlk, _ := pem.Decode(b.body)
	if bundleBlk == nil || string(bundleBlk.Bytes) != string(caBlk.Bytes) {
		t.Fatal("the chain's CA is not the public bundle")
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b.body)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "deid.hospital.example"}); err != nil {
		t.Fatalf("leaf does not verify against the bundle: %v", err)
	}
	const wantID = "spiffe://" + identity.DefaultTrustDomain + "/ns/default/sa/deid"
	if len(leaf.URIs) != 1 || leaf.URIs[0].String() != wantID || resp.SPIFFEID != wantID {
		t.Errorf("URI SANs %v / %s, want %s", leaf.URIs, resp.SPIFFEID, wantID)
	}
	if strings.Join(leaf.DNSNames, ",") != "deid.hospital.example" || leaf.Subject.CommonName != "" {
		t.Errorf("DNS %v CN %q: the CSR's own names must not be copied", leaf.DNSNames, leaf.Subject.CommonName)
	}
	if !key.PublicKey.Equal(leaf.PublicKey) {
		t.Error("certificate is not for the attested key")
	}
	if life := time.Until(leaf.NotAfter); life > time.Hour || life < 55*time.Minute {
		t.Errorf("lifetime %v, want about 1 h", life)
	}
	evs := identityEvents(h)
	if len(evs) != 1 || evs[0].Outcome != audit.OutcomeAllow || evs[0].ClaimsDigest == "" ||
		!strings.Contains(evs[0].Reason, identity.Fingerprint(&key.PublicKey)) || !strings.Contains(evs[0].Reason, wantID) ||
		evs[0].Resource != "identity/default/deid" {
		t.Errorf("audit: %+v", evs)
	}

	// The admin list shows the valid certificate; it needs the admin key.
	var list struct{ Certificates []IssuedCertificate }
	if err := json.Unmarshal(h.mustAdmin("GET", "/kbs/v0/identity/issued", nil).body, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Certificates) != 1 || list.Certificates[0].SPIFFEID != wantID || list.Certificates[0].Fingerprint != identity.Fingerprint(&key.PublicKey) ||
		!list.Certificates[0].NotAfter.Equal(leaf.NotAfter) {
		t.Errorf("issued list %+v", list.Certificates)
	}
	if r := h.do(http.DefaultClient, "GET", "/kbs/v0/identity/issued", nil, nil); r.status != http.StatusUnauthorized {
		t.Errorf("issued list without admin token: %d", r.status)
	}
	h.clock.Store(int64(61 * time.Minute)) // expired: no longer listed
	if err := json.Unmarshal(h.mustAdmin("GET", "/kbs/v0/identity/issued", nil).body, &list); err != nil || len(list.Certificates) != 0 {
		t.Errorf("expired certificate still listed: %+v %v", list.Certificates, err)
	}
	h.clock.Store(0)

	// One certificate per attestation: the same token again (even for the
	// same key) is refused and audited, and so is the session it came
	// from.
	n := len(identityEvents(h))
	for _, replay := range []struct {
		name string
		do   func() reply
	}{
		{"bearer", func() reply { return g.requestCert(tok, identityBody(csrPEM(t, key))) }},
		{"cookie", func() reply { return h.do(g.c, "POST", "/kbs/v0/identity/csr", identityBody(csrPEM(t, key)), nil) }},
	} {
		r := replay.do()
		evs := identityEvents(h)
		n++
		if r.status != http.StatusUnauthorized || strings.Contains(string(r.body), "CERTIFICATE-----") || len(evs) != n ||
			evs[n-1].Outcome != audit.OutcomeDeny || !strings.Contains(evs[n-1].Reason, "already used for a certificate") {
			t.Fatalf("token replayed (%s): %d %s, audit %+v", replay.name, r.status, r.body, evs[len(evs)-1])
		}
	}

	// A new attestation gets a new certificate, here through the session
	// cookie, which works as well as a bearer token.
	g.identityHandshake(identityInitData)
	r = h.do(g.c, "POST", "/kbs/v0/identity/csr", identityBody(csrPEM(t, key)), nil)
	if r.status != http.StatusOK || len(identityEvents(h)) != n+1 {
		t.Fatalf("new attestation, with the session cookie: %d %s", r.status, r.body)
	}
}

// TestIdentityRefusals: nothing is issued and each refusal is audited with
// its reason.
func TestIdentityRefusals(t *testing.T) {
	h := newHarness(t)
	h.affirmSample()
	g := h.guest()
	tok := g.identityHandshake(identityInitData)
	key := signerOf(t, g.priv)
	contra := newHarness(t) // default attestation policy: sample contraindicated
	contra.setResourcePolicySource(identityPolicy)
	cg := contra.guest()
	contraTok := cg.identityHandshake(identityInitData)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	noInit := h.guest()
	noInitTok := noInit.identityHandshake("")

	type tc struct {
		name   string
		policy string // "" keeps the default resource policy
		token  string
		body   []byte
		status int
		reason string
	}
	cases := []tc{
		{"sample TEE under the default policy", "", tok, identityBody(csrPEM(t, key)), 401, "resource policy denied identity/default/deid"},
		{"CSR for a key other than the attested one", identityPolicy, tok, identityBody(csrPEM(t, other)), 401, "is not the key the attestation bound"},
		{"token replayed by another guest for its key", identityPolicy, tok, identityBody(csrPEM(t, signerOf(t, noInit.priv))), 401, "is not the key the attestation bound"},
		{"DNS name the policy does not allow", identityPolicy, tok, identityBody(csrPEM(t, key), "dashboard.hospital.example"), 401, "with DNS name dashboard.hospital.example"},
		{"DNS wildcard", identityPolicy, tok, identityBody(csrPEM(t, key), "*.hospital.example"), 400, "not a lower-case DNS name"},
		{"no measured identity in the initdata", identityPolicy, noInitTok, identityBody(csrPEM(t, signerOf(t, noInit.priv))), 401, "no measured initdata"},
		{"no token", identityPolicy, "", identityBody(csrPEM(t, key)), 401, "no attested session"},
		{"forged token", identityPolicy, tok[:len(tok)-4] + "AAAA", identityBody(csrPEM(t, key)), 401, "attestation token refused"},
		{"malformed CSR", identityPolicy, tok, identityBody("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"), 400, "malformed CSR"},
		{"certificate instead of CSR", identityPolicy, tok, identityBody("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 400, "is not a CERTIFICATE REQUEST"},
		{"oversized CSR", identityPolicy, tok, identityBody(strings.Repeat("A", identity.MaxCSRBytes+1)), 400, "limit"},
		{"oversized body", identityPolicy, tok, identityBody(strings.Repeat("A", maxIdentityBody)), 413, fmt.Sprintf("request body over %d bytes", maxIdentityBody)},
		{"not JSON", identityPolicy, tok, []byte("csr=x"), 400, "not JSON"},
		{"unknown field", identityPolicy, tok, []byte(`{"csr":"x","lifetime":"87600h"}`), 400, "not JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.policy != "" {
				h.setResourcePolicySource(c.policy)
			} else {
				h.setResourcePolicySource(policy.DefaultResourcePolicy())
			}
			before := len(identityEvents(h))
			r := g.requestCert(c.token, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if strings.Contains(string(r.body), "CERTIFICATE-----") {
				t.Fatal("a certificate came back")
			}
			evs := identityEvents(h)
			if len(evs) != before+1 {
				t.Fatalf("%d new audit events, want 1", len(evs)-before)
			}
			e := evs[len(evs)-1]
			if e.Outcome != audit.OutcomeDeny || !strings.Contains(e.Reason, c.reason) {
				t.Errorf("audit %s %q, want deny with %q", e.Outcome, e.Reason, c.reason)
			}
		})
	}

	// An expired token, otherwise good, gets nothing.
	h.setResourcePolicySource(identityPolicy)
	before := len(identityEvents(h))
	h.clock.Store(int64(25 * time.Hour))
	r := g.requestCert(tok, identityBody(csrPEM(t, key)))
	h.clock.Store(0)
	if evs := identityEvents(h); r.status != 401 || strings.Contains(string(r.body), "CERTIFICATE-----") || len(evs) != before+1 ||
		evs[before].Outcome != audit.OutcomeDeny || !strings.Contains(evs[before].Reason, "attestation token refused") || !strings.Contains(evs[before].Reason, "expired") {
		t.Errorf("expired token: %d %s, audit %+v", r.status, r.body, evs[len(evs)-1])
	}

	// The sample TEE under the default attestation policy is
	// contraindicated: even a resource policy that names the workload
	// gets it nothing.
	r = cg.requestCert(contraTok, identityBody(csrPEM(t, signerOf(t, cg.priv))))
	evs := identityEvents(contra)
	if r.status != 401 || len(evs) != 1 || evs[0].Outcome != audit.OutcomeDeny || !strings.Contains(evs[0].Reason, "not affirming") {
		t.Errorf("contraindicated sample: %d %s, audit %+v", r.status, r.body, evs)
	}
}

// FuzzIdentityCSR: whatever the body, an attested guest whose token is
// valid gets a 4xx with an audited reason, or a certificate for its own
// attested key only; never a 5xx, never a certificate for another key.
func FuzzIdentityCSR(f *testing.F) {
	h := newHarness(f)
	h.affirmSample()
	h.setResourcePolicySource(identityPolicy)
	g := h.guest()
	tok := g.identityHandshake(identityInitData)
	key := signerOf(f, g.priv)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	f.Add(identityBody(csrPEM(f, key), "deid.hospital.example"))
	f.Add(identityBody(csrPEM(f, other)))
	f.Add([]byte(`{"csr":"","dns_names":["a"]}`))
	f.Add([]byte(`{"csr":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, _ := http.NewRequest("POST", h.ts.URL+"/kbs/v0/identity/csr", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("status %d: %s", res.StatusCode, out)
		}
		if res.StatusCode != http.StatusOK {
			return
		}
		var resp IdentityResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			t.Fatal(err)
		}
		blk, _ := pem.Decode([]byte(resp.CertificateChain))
		leaf, err := x509.ParseCertificate(blk.Bytes)
		if err != nil || !key.PublicKey.Equal(leaf.PublicKey) {
			t.Fatalf("certificate for a key other than the attested one: %v", err)
		}
	})
}
