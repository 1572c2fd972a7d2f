package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/refvalue"
)

func withImportKey(k *ecdsa.PrivateKey) harnessOpt {
	return func(c *Config) { c.ImportKey = k }
}

func putCollateral(t testing.TB, h *harness, urls ...string) {
	t.Helper()
	for _, u := range urls {
		if err := collateral.Put(context.Background(), h.st, u, map[string][]string{"Content-Type": {"application/x-pem-file"}}, []byte("body of "+u), time.Unix(1700000000, 0)); err != nil {
			t.Fatal(err)
		}
	}
}

func collateralKeys(t testing.TB, h *harness) []string {
	t.Helper()
	k, err := h.st.Keys(context.Background(), collateral.KeyPrefix)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestCollateralExportImport moves the collateral cache of one trustee to
// another through the admin API (the air-gapped procedure), and checks that
// the endpoints need an admin token.
func TestCollateralExportImport(t *testing.T) {
	src := newHarness(t)
	putCollateral(t, src, "https://kdsintf.amd.com/vcek/v1/Genoa/abc?blSPL=9", "https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=00806F050000")
	if err := src.st.Put(context.Background(), "not-collateral", []byte("x")); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"GET", "POST"} {
		r := src.do(http.DefaultClient, m, "/kbs/v0/collateral", []byte(`{"version":1,"entries":{}}`), nil)
		wantError(t, r, http.StatusUnauthorized, kbs.AdminAuth)
	}
	exp := src.mustAdmin("GET", "/kbs/v0/collateral", nil)
	if exp.header.Get("X-Trustgate-Collateral-Entries") != "2" || bytes.Contains(exp.body, []byte("not-collateral")) {
		t.Fatalf("export: %s %s", exp.header, exp.body)
	}

	dst := newHarness(t)
	r := dst.mustAdmin("POST", "/kbs/v0/collateral", exp.body)
	var res kbsadmin.CollateralImportResult
	if err := json.Unmarshal(r.body, &res); err != nil || res.Imported != 2 {
		t.Fatalf("import: %s %v", r.body, err)
	}
	if got, want := collateralKeys(t, dst), collateralKeys(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("keys %q, want %q", got, want)
	}
	for _, k := range collateralKeys(t, src) {
		a, _, _ := src.st.Get(context.Background(), k)
		b, _, _ := dst.st.Get(context.Background(), k)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s differs after import", k)
		}
	}
	// The import is an audited admin change.
	evs, err := dst.srv.cfg.Audit.Since(context.Background(), 0, time.Time{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !hasAudit(evs, "import-collateral", audit.OutcomeAllow, "imported 2 collateral entries") {
		t.Fatalf("no audit event for the import: %+v", evs)
	}
}

func hasAudit(evs []audit.Event, action, outcome, reason string) bool {
	for _, e := range evs {
		if e.Action == action && e.Outcome == outcome && strings.Contains(e.Reason, reason) {
			return true
		}
	}
	return false
}

// TestCollateralImportMalformed: every malformed bundle is a 4xx and
// stores nothing, not even its valid entries.
func TestCollateralImportMalformed(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxImportBody = 4096 })
	good := `"collateral/https://kdsintf.amd.com/a":"` + base64.StdEncoding.EncodeToString([]byte(`{"body":"eA=="}`)) + `"`
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"empty", ``, 400},
		{"not json", `collateral`, 400},
		{"array", `[]`, 400},
		{"wrong version", `{"version":2,"entries":{` + good + `}}`, 400},
		{"no version", `{"entries":{` + good + `}}`, 400},
		{"key not a collateral URL", `{"version":1,"entries":{` + good + `,"ear-signing-key":"eyJib2R5IjoiZUE9PSJ9"}}`, 400},
		{"http URL", `{"version":1,"entries":{` + good + `,"collateral/http://evil/x":"eyJib2R5IjoiZUE9PSJ9"}}`, 400},
		{"entry not base64", `{"version":1,"entries":{"collateral/https://x/a":"%%%"}}`, 400},
		{"entry without body", `{"version":1,"entries":{` + good + `,"collateral/https://x/b":"e30="}}`, 400},
		{"oversized", `{"version":1,"entries":{` + good + `},"pad":"` + strings.Repeat("x", 5000) + `"}`, 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.admin("POST", "/kbs/v0/collateral", []byte(tc.body))
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if k := collateralKeys(t, h); len(k) != 0 {
				t.Fatalf("stored %q", k)
			}
		})
	}
}

// FuzzImportCollateral posts arbitrary bodies: never a 5xx, and a refused
// bundle stores nothing.
func FuzzImportCollateral(f *testing.F) {
	h := newHarness(f)
	f.Add([]byte(`{"version":1,"entries":{"collateral/https://kdsintf.amd.com/a":"eyJib2R5IjoiZUE9PSJ9"}}`))
	f.Add([]byte(`{"version":1,"entries":{"collateral/https://x":"e30="}}`))
	f.Add([]byte(`{"version":1,"entries":null}`))
	tok := h.adminToken()
	f.Fuzz(func(t *testing.T, body []byte) {
		before := collateralKeys(t, h)
		last := lastAuditID(t, h)
		req := httptest.NewRequest("POST", "/kbs/v0/collateral", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		switch {
		case rec.Code >= 500:
			t.Fatalf("%d %s", rec.Code, rec.Body)
		case rec.Code != 200:
			if after := collateralKeys(t, h); !reflect.DeepEqual(before, after) {
				t.Fatalf("refused bundle (%d) changed the cache: %q → %q", rec.Code, before, after)
			}
			if n := auditRowsAfter(t, h, last); n != 1 {
				t.Fatalf("refused bundle (%d): %d audit rows, want 1", rec.Code, n)
			}
		default:
			if _, err := collateral.ParseBundle(body); err != nil {
				t.Fatalf("accepted a bundle ParseBundle refuses: %v", err)
			}
		}
	})
}

func makeBundle(t testing.TB, importKey *ecdsa.PublicKey, uploads map[string]string, rvs map[string][]string) []byte {
	t.Helper()
	var bundle kbsadmin.Bundle
	for p, v := range uploads {
		bundle.Resources = append(bundle.Resources, kbsadmin.BundleResource{Path: p, Value: base64.StdEncoding.EncodeToString([]byte(v))})
	}
	for n, v := range rvs {
		bundle.ReferenceValues = append(bundle.ReferenceValues, kbsadmin.BundleReferenceValue{Name: n, Values: v})
	}
	var pemKey []byte
	if importKey != nil {
		pemKey, _ = ear.MarshalPublicKey(importKey)
	}
	b, err := bundle.Marshal(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func listResources(t testing.TB, h *harness) []string {
	t.Helper()
	l, err := h.st.ListResources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func refValues(t testing.TB, h *harness, name string) []any {
	t.Helper()
	e, err := h.srv.cfg.RVPS.Get(context.Background(), name)
	if err != nil {
		t.Fatalf("reference value %s: %v", name, err)
	}
	return e.Value
}

// TestImportBundle imports cocofy bundles, plain and encrypted to the
// import key: resources are set, reference values merged with what is
// stored (not replaced), and an expired stored value is not revived.
func TestImportBundle(t *testing.T) {
	key, err := ear.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, withImportKey(key))
	ctx := context.Background()
	if err := h.srv.cfg.RVPS.Set(ctx, "init_data", []any{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.cfg.RVPS.Set(ctx, "old", []any{"stale"}, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}

	plain := makeBundle(t, nil, map[string]string{"default/db/password": "pw1"}, map[string][]string{"init_data": {"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "old": {"new"}})
	r := h.mustAdmin("POST", "/kbs/v0/import", plain)
	var res kbsadmin.ImportResult
	if err := json.Unmarshal(r.body, &res); err != nil || !reflect.DeepEqual(res.Resources, []string{"default/db/password"}) || len(res.ReferenceValues) != 2 {
		t.Fatalf("%s %v", r.body, err)
	}
	if v, _ := h.st.GetResource(ctx, "default/db/password"); string(v) != "pw1" {
		t.Fatalf("resource %q", v)
	}
	if got := refValues(t, h, "init_data"); !reflect.DeepEqual(got, []any{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}) {
		t.Fatalf("init_data %v, want merged [aa bb]", got)
	}
	if got := refValues(t, h, "old"); !reflect.DeepEqual(got, []any{"new"}) {
		t.Fatalf("expired value revived: %v", got)
	}
	if e, _ := h.srv.cfg.RVPS.Get(ctx, "init_data"); e.Expiration.Before(time.Now().Add(refvalue.DefaultExpiry - time.Hour)) {
		t.Fatalf("merged expiry %v", e.Expiration)
	}

	enc := makeBundle(t, &key.PublicKey, map[string]string{"default/db/password": "pw2", "ns/app/key": "k"}, map[string][]string{"init_data": {"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"}})
	// The plaintext is JSON, so the value appears quoted; a quote cannot
	// occur in compact JWE (base64url and dots), whose random ciphertext
	// may spell "pw2" by chance.
	if bytes.Contains(enc, []byte(`"pw2"`)) || enc[0] == '{' || bytes.Count(enc, []byte(".")) != 4 {
		t.Fatalf("bundle not encrypted: %.80s", enc)
	}
	h.mustAdmin("POST", "/kbs/v0/import", enc)
	if v, _ := h.st.GetResource(ctx, "default/db/password"); string(v) != "pw2" {
		t.Fatalf("resource %q", v)
	}
	if got := listResources(t, h); !reflect.DeepEqual(got, []string{"default/db/password", "ns/app/key"}) {
		t.Fatalf("resources %q", got)
	}
	if got := refValues(t, h, "init_data"); !reflect.DeepEqual(got, []any{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"}) {
		t.Fatalf("init_data %v", got)
	}

	// Import needs an admin token; the audit names paths, never values.
	wantError(t, h.do(http.DefaultClient, "POST", "/kbs/v0/import", plain, nil), http.StatusUnauthorized, kbs.AdminAuth)
	evs, err := h.srv.cfg.Audit.Since(ctx, 0, time.Time{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if !hasAudit(evs, "import", audit.OutcomeAllow, "imported 2 resources, 1 reference values") {
		t.Fatalf("no audit event: %+v", evs)
	}
	all, _ := json.Marshal(evs)
	for _, s := range []string{"pw1", "pw2", base64.StdEncoding.EncodeToString([]byte("pw1"))} {
		if bytes.Contains(all, []byte(s)) {
			t.Fatalf("audit holds a secret value %q", s)
		}
	}
}

// TestImportBundleRefused: malformed bundles, bundles encrypted to another
// key, and encrypted bundles on a trustee without an import key are 400
// and store nothing.
func TestImportBundleRefused(t *testing.T) {
	key, _ := ear.GenerateKey()
	other, _ := ear.GenerateKey()
	h := newHarness(t, withImportKey(key), func(c *Config) { c.MaxImportBody = 8192 })
	noKey := newHarness(t)
	ok := `{"path":"default/a/b","value":"eA=="}`
	for _, tc := range []struct {
		name   string
		h      *harness
		body   []byte
		status int
		detail string
	}{
		{"empty", h, nil, 400, "empty bundle"},
		{"wrong format", h, []byte(`{"format":"trustgate-bundle/v2","resources":[` + ok + `]}`), 400, "bundle format"},
		{"unknown field", h, []byte(`{"format":"trustgate-bundle/v1","resources":[` + ok + `],"extra":1}`), 400, "unknown field"},
		{"trailing data", h, []byte(`{"format":"trustgate-bundle/v1","resources":[` + ok + `]} {}`), 400, "trailing"},
		{"path traversal", h, []byte(`{"format":"trustgate-bundle/v1","resources":[` + ok + `,{"path":"../a/b","value":"eA=="}]}`), 400, "REPO/TYPE/TAG"},
		{"two segments", h, []byte(`{"format":"trustgate-bundle/v1","resources":[{"path":"a/b","value":"eA=="}]}`), 400, "REPO/TYPE/TAG"},
		{"bad base64", h, []byte(`{"format":"trustgate-bundle/v1","resources":[` + ok + `,{"path":"default/a/c","value":"!!"}]}`), 400, "base64"},
		{"duplicate", h, []byte(`{"format":"trustgate-bundle/v1","resources":[` + ok + `,` + ok + `]}`), 400, "twice"},
		{"bad ref name", h, []byte(`{"format":"trustgate-bundle/v1","resources":[` + ok + `],"reference_values":[{"name":"a b","values":["x"]}]}`), 400, "printable"},
		{"no ref values", h, []byte(`{"format":"trustgate-bundle/v1","resources":[` + ok + `],"reference_values":[{"name":"init_data","values":[]}]}`), 400, "values"},
		{"ref values not strings", h, []byte(`{"format":"trustgate-bundle/v1","reference_values":[{"name":"x","values":[1]}]}`), 400, "decode"},
		{"garbage", h, []byte("eyJhbGciOi.not.a.jwe"), 400, "neither JSON nor"},
		{"other key", h, makeBundle(t, &other.PublicKey, map[string]string{"default/a/b": "x"}, nil), 400, "import key"},
		{"no import key", noKey, makeBundle(t, &key.PublicKey, map[string]string{"default/a/b": "x"}, nil), 400, "no import key"},
		{"oversized", h, []byte(`{"format":"trustgate-bundle/v1","resources":[{"path":"default/a/b","value":"` + strings.Repeat("A", 9000) + `"}]}`), 413, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.h.admin("POST", "/kbs/v0/import", tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if info, _ := kbs.ParseErrorInfo(r.body); !strings.Contains(info.Detail, tc.detail) {
				t.Fatalf("detail %q, want %q", info.Detail, tc.detail)
			}
			if l := listResources(t, tc.h); len(l) != 0 {
				t.Fatalf("stored %q", l)
			}
			if l, _ := tc.h.srv.cfg.RVPS.List(context.Background()); len(l) != 0 {
				t.Fatalf("stored reference values %v", l)
			}
		})
	}
}

// TestPublicKeys: the token verification key and the import key are
// served without authentication, as PEM SubjectPublicKeyInfo, and are the
// keys in use.
func TestPublicKeys(t *testing.T) {
	key, _ := ear.GenerateKey()
	h := newHarness(t, withImportKey(key))

	pubOf := func(path string) *ecdsa.PublicKey {
		t.Helper()
		r := h.do(http.DefaultClient, "GET", path, nil, nil)
		if r.status != 200 || r.header.Get("Content-Type") != "application/x-pem-file" {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		blk, rest := pem.Decode(r.body)
		if blk == nil || blk.Type != "PUBLIC KEY" || len(bytes.TrimSpace(rest)) != 0 {
			t.Fatalf("%s: not one PEM public key: %s", path, r.body)
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return k.(*ecdsa.PublicKey)
	}
	if !pubOf("/kbs/v0/import-key").Equal(&key.PublicKey) {
		t.Fatal("import-key is not the import key")
	}
	tk := pubOf("/kbs/v0/token-key")
	// A relying party holding the published key verifies a real token.
	g := h.guest()
	tok := g.handshake()
	if _, err := ear.NewVerifier(tk).Verify(tok); err != nil {
		t.Fatalf("token does not verify with the published key: %v", err)
	}

	// The JWKS holds the same key, with its kid.
	r := h.do(http.DefaultClient, "GET", "/kbs/v0/token-keys", nil, nil)
	keys, err := ear.ParseJWKS(r.body)
	if r.status != 200 || err != nil || len(keys) != 1 || !keys[0].Key.Equal(tk) || keys[0].KeyID != ear.HeaderKeyID(tok) {
		t.Fatalf("token-keys: %d %v %s", r.status, err, r.body)
	}

	none := newHarness(t, func(c *Config) { c.Tokens = ear.NewVerifier() })
	for _, p := range []string{"/kbs/v0/import-key", "/kbs/v0/token-key"} {
		wantError(t, none.do(http.DefaultClient, "GET", p, nil, nil), http.StatusNotFound, kbs.PluginNotFound)
	}
}
