package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func identityFixture(now time.Time) []Identity {
	return []Identity{
		{SPIFFEID: "spiffe://trustgate.local/ns/default/sa/deid", Fingerprint: strings.Repeat("ab", 32), Serial: "1f",
			NotAfter: now.Add(time.Hour), Issued: now.Add(-time.Minute), Tee: "snp-emulated"},
		{SPIFFEID: "spiffe://trustgate.local/ns/default/sa/expired", Fingerprint: strings.Repeat("cd", 32), Serial: "2e",
			NotAfter: now.Add(-time.Second), Issued: now.Add(-time.Hour), Tee: "snp-emulated"},
	}
}

// TestIdentitiesAPI: GET /api/v1/identities lists the certificates still
// valid (an expired one the source still returns is left out), says when
// the dashboard has no Trustee access, answers 502 with a reason (and the
// source's error only in the log) when Trustee fails, asks Trustee at most
// once per identitiesMaxAge, and needs a login.
func TestIdentitiesAPI(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	s := f.server(t, &logs)
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := loggedIn(t, srv)
	get := func() (int, IdentitiesView, string) {
		t.Helper()
		resp, err := c.Get(srv.URL + "/api/v1/identities")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var v IdentitiesView
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%d %q: %v", resp.StatusCode, b, err)
		}
		return resp.StatusCode, v, string(b)
	}

	if code, v, raw := get(); code != 200 || v.Configured || v.Certificates == nil || len(v.Certificates) != 0 {
		t.Fatalf("without a source: %d %s", code, raw)
	}

	var calls atomic.Int32
	var fail atomic.Bool
	s.cfg.Identities = func(context.Context) ([]Identity, error) {
		calls.Add(1)
		if fail.Load() {
			return nil, errors.New("admin token refused by https://trustee.internal")
		}
		return identityFixture(f.now), nil
	}
	code, v, raw := get()
	if code != 200 || !v.Configured || len(v.Certificates) != 1 || v.Certificates[0].SPIFFEID != "spiffe://trustgate.local/ns/default/sa/deid" {
		t.Fatalf("with a source: %d %s", code, raw)
	}
	get()
	if n := calls.Load(); n != 1 {
		t.Fatalf("Trustee asked %d times within %s, want 1", n, identitiesMaxAge)
	}

	fail.Store(true)
	f.now = f.now.Add(identitiesMaxAge)
	code, v, raw = get()
	if code != http.StatusBadGateway || v.Error == "" || len(v.Certificates) != 0 || strings.Contains(raw, "trustee.internal") {
		t.Fatalf("Trustee failing: %d %s", code, raw)
	}
	if !strings.Contains(logs.String(), "admin token refused") {
		t.Errorf("the source's error is not in the log: %s", logs.String())
	}

	resp, err := http.Get(srv.URL + "/api/v1/identities")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a login: %d, want 401", resp.StatusCode)
	}
}
