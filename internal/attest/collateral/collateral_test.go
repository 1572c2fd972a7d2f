package collateral

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	tdxtest "github.com/google/go-tdx-guest/testing"
)

func TestGetterBackoffAndCache(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if n <= 2 {
			w.Header().Set("Retry-After", "10")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Tcb-Info-Issuer-Chain", "chain")
		w.Write([]byte("vcek-der"))
	}))
	defer srv.Close()
	var slept []time.Duration
	g := &Getter{Client: srv.Client(), Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
	url := srv.URL + "/vcek/v1/Milan/abcd?blSPL=1"
	ctx := context.Background()
	hdr, body, err := g.Fetch(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != "vcek-der" || hdr["Tcb-Info-Issuer-Chain"][0] != "chain" {
		t.Fatalf("got %q %v", body, hdr)
	}
	if len(slept) != 2 || slept[0] != 10*time.Second {
		t.Fatalf("slept %v, want two 10s waits from Retry-After", slept)
	}
	if _, err := g.Get(url); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 3 {
		t.Fatalf("server hit %d times; cached response not used", hits.Load())
	}
}

func TestGetterGivesUp(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	g := &Getter{Client: srv.Client(), Retries: 2, Sleep: func(context.Context, time.Duration) error { return nil }}
	if _, err := g.Get(srv.URL + "/x"); err == nil {
		t.Fatal("expected an error after retries")
	}
}

func TestOfflineAndRefresh(t *testing.T) {
	ctx := context.Background()
	c := NewMemCache()
	g := &Getter{Cache: c}
	if _, err := g.Get("https://kdsintf.amd.com/vcek/v1/Milan/crl"); !errors.Is(err, ErrOffline) {
		t.Fatalf("err = %v, want ErrOffline", err)
	}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := Put(ctx, c, "https://kdsintf.amd.com/vcek/v1/Milan/crl", nil, []byte("crl"), old); err != nil {
		t.Fatal(err)
	}
	// Offline: a stale copy is served (the verifier checks CRL dates).
	if b, err := g.Get("https://kdsintf.amd.com/vcek/v1/Milan/crl"); err != nil || string(b) != "crl" {
		t.Fatalf("got %q, %v", b, err)
	}
}

func TestExportImport(t *testing.T) {
	ctx := context.Background()
	src := NewMemCache()
	now := time.Unix(1700000000, 0)
	for _, u := range []string{"https://kdsintf.amd.com/vcek/v1/Milan/aa", "https://api.trustedservices.intel.com/tdx/certification/v4/tcb?fmspc=00"} {
		if err := Put(ctx, src, u, map[string][]string{"A": {"b"}}, []byte(u), now); err != nil {
			t.Fatal(err)
		}
	}
	src.Put(ctx, "sessions/x", []byte("not collateral"))
	var buf bytes.Buffer
	n, err := Export(ctx, src, &buf)
	if err != nil || n != 2 {
		t.Fatalf("Export = %d, %v", n, err)
	}
	if bytes.Contains(buf.Bytes(), []byte("not collateral")) {
		t.Fatal("export leaked a non-collateral key")
	}
	dst := NewMemCache()
	if n, err := Import(ctx, dst, &buf); err != nil || n != 2 {
		t.Fatalf("Import = %d, %v", n, err)
	}
	g := &Getter{Cache: dst}
	if b, err := g.Get("https://kdsintf.amd.com/vcek/v1/Milan/aa"); err != nil || string(b) != "https://kdsintf.amd.com/vcek/v1/Milan/aa" {
		t.Fatalf("after import: %q, %v", b, err)
	}
	for _, bad := range []string{`{}`, `{"version":1,"entries":{"sessions/x":"e30="}}`, `{"version":1,"entries":{"collateral/https://x":"bm90anNvbg=="}}`, `[`} {
		if _, err := Import(ctx, NewMemCache(), bytes.NewReader([]byte(bad))); err == nil {
			t.Errorf("Import(%s) succeeded", bad)
		}
	}
}

// FuzzParseBundle: an accepted bundle imports, and exporting what was
// imported gives back the same entries (round trip); a refused one stores
// nothing.
func FuzzParseBundle(f *testing.F) {
	f.Add([]byte(`{"version":1,"entries":{}}`))
	f.Add([]byte(`{"version":1,"entries":{"collateral/https://a":"eyJib2R5IjoiWVE9PSJ9"}}`))
	// The real Intel PCS responses go-tdx-guest ships, as a bundle.
	intel := NewMemCache()
	for url, r := range tdxtest.TestGetter.Responses {
		if err := Put(context.Background(), intel, url, r.Header, r.Body, time.Unix(0, 0)); err != nil {
			f.Fatal(err)
		}
	}
	var seed bytes.Buffer
	if _, err := Export(context.Background(), intel, &seed); err != nil {
		f.Fatal(err)
	}
	f.Add(seed.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		b, err := ParseBundle(data)
		c := NewMemCache()
		n, ierr := Import(ctx, c, bytes.NewReader(data))
		if (err == nil) != (ierr == nil) {
			t.Fatalf("ParseBundle err %v, Import err %v", err, ierr)
		}
		if err != nil {
			if keys, _ := c.Keys(ctx, ""); len(keys) != 0 {
				t.Fatal("a refused bundle stored entries")
			}
			return
		}
		var out bytes.Buffer
		if _, err := Export(ctx, c, &out); err != nil {
			t.Fatal(err)
		}
		again, err := ParseBundle(out.Bytes())
		if err != nil || n != len(b.Entries) || len(again.Entries) != len(b.Entries) {
			t.Fatalf("round trip: %d of %d entries, err %v", n, len(b.Entries), err)
		}
		for k, v := range b.Entries {
			if !bytes.Equal(again.Entries[k], v) {
				t.Fatalf("round trip changed entry %s", k)
			}
		}
	})
}
