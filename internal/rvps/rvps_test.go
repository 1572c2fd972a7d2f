package rvps

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/refvalue"
	"github.com/trustgate/trustgate/internal/store"
	"github.com/trustgate/trustgate/internal/store/storetest"
)

func newService(t *testing.T) *Service {
	t.Helper()
	st := storetest.Open(t)
	return New(st)
}

func TestServiceExpiryNeverMatches(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	now := time.Now()
	s.Now = func() time.Time { return now }
	names, err := s.Register(ctx, mustMessage(t, refvalue.Values{"m": {"x"}}))
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
	now = now.Add(refvalue.DefaultExpiry + 24*time.Hour)
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

func mustMessage(t *testing.T, v refvalue.Values) []byte {
	t.Helper()
	b, err := refvalue.NewMessage(v, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestQuerySharesDecodedValues: while cached, Query answers with one
// decoded slice (policy.Engine converts it once); a write through the
// service answers with the new values at once, and a stored value that does
// not decode is an error on every query, cached or not.
func TestQuerySharesDecodedValues(t *testing.T) {
	s := newService(t)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	if err := s.Set(ctx, "m", []any{"a", "b"}, exp); err != nil {
		t.Fatal(err)
	}
	v1, err := s.Query(ctx, "m")
	if err != nil || !reflect.DeepEqual(v1, []any{"a", "b"}) {
		t.Fatal(v1, err)
	}
	v2, err := s.Query(ctx, "m")
	if err != nil || &v1[0] != &v2[0] {
		t.Fatalf("second query decoded again (or failed: %v)", err)
	}
	if err := s.Set(ctx, "m", []any{"c"}, exp); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Query(ctx, "m"); err != nil || !reflect.DeepEqual(v, []any{"c"}) {
		t.Fatalf("after a write: %v %v", v, err)
	}
	if err := s.Store.PutReferenceValue(ctx, store.ReferenceValue{Name: "bad", Values: []byte("{"), Expiration: exp}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if v, err := s.Query(ctx, "bad"); err == nil {
			t.Fatalf("query %d of a corrupt value: %v, no error", i, v)
		}
	}
}
