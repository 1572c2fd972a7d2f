package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// TestFailedBatchSkipsGoneCallers: when a batch fails (and did not commit)
// its writes run again one by one, but not the write of a caller that has
// gone meanwhile: it is answered with its context's error and not run
// again (review2: a lock wait would otherwise start afresh for nobody).
func TestFailedBatchSkipsGoneCallers(t *testing.T) {
	s, err := Open(context.Background(), Options{URL: filepath.Join(t.TempDir(), "t.db"), KEK: key(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	goneCtx, leave := context.WithCancel(context.Background())
	defer leave()
	refused := errors.New("refused")
	runs := map[string]int{}
	op := func(ctx context.Context, name string, fn func() error) *writeOp {
		return &writeOp{ctx: ctx, err: make(chan error, 1), durable: true, fn: func(context.Context, *sql.Tx) error {
			runs[name]++
			return fn()
		}}
	}
	ops := []*writeOp{
		op(context.Background(), "stays", func() error { return nil }),
		op(goneCtx, "gone", func() error { return nil }),
		op(context.Background(), "bad", func() error { leave(); return refused }), // refused; meanwhile "gone"'s caller leaves
	}
	s.commit(ops)
	want := map[string]error{"stays": nil, "gone": context.Canceled, "bad": refused}
	for i, name := range []string{"stays", "gone", "bad"} {
		if err := <-ops[i].err; !errors.Is(err, want[name]) {
			t.Errorf("%s: %v, want %v", name, err, want[name])
		}
	}
	if runs["gone"] != 1 || runs["stays"] != 2 || runs["bad"] != 2 {
		t.Errorf("runs %v: want stays and bad run again alone, gone only in the failed batch", runs)
	}
}
