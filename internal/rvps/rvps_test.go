package rvps

import (
	"context"
	"encoding/base64"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/store"
)

func newService(t *testing.T) *Service {
	t.Helper()
	st, err := store.Open(context.Background(), store.Options{URL: filepath.Join(t.TempDir(), "db"), KEK: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return New(st)
}

func msg(payload string) []byte {
	return []byte(`{"version":"0.1.0","type":"sample","payload":"` + base64.StdEncoding.EncodeToString([]byte(payload)) + `"}`)
}

func TestParseMessage(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	good, exp, err := ParseMessage(msg(`{"snp_launch_measurement":["aa","bb"],"svn":1}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(good["snp_launch_measurement"], []any{"aa", "bb"}) || !reflect.DeepEqual(good["svn"], []any{1.0}) {
		t.Fatalf("%v", good)
	}
	if !exp.Equal(now.Add(DefaultExpiry)) {
		t.Fatalf("default expiry %v", exp)
	}
	for name, in := range map[string]string{
		"not json":        `{`,
		"trailing":        string(msg(`{"a":[1]}`)) + `{}`,
		"wrong version":   `{"version":"0.2.0","type":"sample","payload":""}`,
		"wrong type":      `{"version":"0.1.0","type":"in-toto","payload":""}`,
		"bad base64":      `{"version":"0.1.0","type":"sample","payload":"!!"}`,
		"payload array":   string(msg(`[1]`)),
		"empty payload":   string(msg(`{}`)),
		"bad name":        string(msg(`{"a b":[1]}`)),
		"past expiration": `{"version":"0.1.0","type":"sample","payload":"eyJhIjpbMV19","expiration":"2020-01-01T00:00:00Z"}`,
		"bad expiration":  `{"version":"0.1.0","type":"sample","payload":"eyJhIjpbMV19","expiration":"tomorrow"}`,
	} {
		if _, _, err := ParseMessage([]byte(in), now); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestServiceExpiryNeverMatches(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	now := time.Now()
	s.Now = func() time.Time { return now }
	names, err := s.Register(ctx, msg(`{"m":["x"]}`))
	if err != nil || len(names) != 1 {
		t.Fatal(names, err)
	}
	if v, err := s.Query(ctx, "m"); err != nil || !reflect.DeepEqual(v, []any{"x"}) {
		t.Fatal(v, err)
	}
	if v, err := s.Query(ctx, "unknown"); err != nil || v != nil {
		t.Fatal(v, err)
	}
	all, err := s.All(ctx)
	if err != nil || len(all) != 1 {
		t.Fatal(all, err)
	}
	// A year and a day later the value has expired: it no longer matches,
	// but is still listed so an operator sees why.
	now = now.Add(DefaultExpiry + 24*time.Hour)
	if v, err := s.Query(ctx, "m"); err != nil || v != nil {
		t.Fatalf("expired value matched: %v %v", v, err)
	}
	if n, err := s.Names(ctx); err != nil || len(n) != 0 {
		t.Fatalf("expired in Names: %v %v", n, err)
	}
	if all, _ := s.All(ctx); len(all) != 0 {
		t.Fatalf("expired in All: %v", all)
	}
	l, err := s.List(ctx)
	if err != nil || len(l) != 1 || l[0].Name != "m" {
		t.Fatal(l, err)
	}
	if err := s.Delete(ctx, "m"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "m"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}

func TestNewMessageRoundTrip(t *testing.T) {
	now := time.Now()
	exp := now.Add(time.Hour).Truncate(time.Second)
	b, err := NewMessage(Values{"k": {"v1", "v2"}}, exp)
	if err != nil {
		t.Fatal(err)
	}
	v, e, err := ParseMessage(b, now)
	if err != nil || !e.Equal(exp) || !reflect.DeepEqual(v["k"], []any{"v1", "v2"}) {
		t.Fatal(v, e, err)
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add(msg(`{"a":["b"]}`))
	f.Add([]byte(`{"version":"0.1.0","type":"sample","payload":"e30=","expiration":"2099-01-01T00:00:00Z"}`))
	f.Add([]byte(`{`))
	now := time.Now()
	f.Fuzz(func(t *testing.T, b []byte) {
		v, _, err := ParseMessage(b, now)
		if err == nil && len(v) == 0 {
			t.Fatal("accepted a message with no values")
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("error not marked invalid: %v", err)
		}
	})
}
