package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
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
	s.TakeCommitStats()
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
	// The failed batch and the two writes run again alone are three
	// transactions of the writer (review3: the reruns were not counted).
	if st := s.TakeCommitStats(); st.Commits != 3 || st.Writes != 5 {
		t.Errorf("commit statistics: %d commits of %d writes, want 3 of 5", st.Commits, st.Writes)
	}
}

// TestCommitStatsStalls: TakeCommitStats counts the commits longer than
// the stall threshold and says when the longest one started (trustee
// bench lines a burst of slow handshakes up with it).
func TestCommitStatsStalls(t *testing.T) {
	s, err := Open(context.Background(), Options{URL: filepath.Join(t.TempDir(), "t.db"), KEK: key(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.stallAt = 20 * time.Millisecond
	// run commits one write whose fn sleeps d and returns how long the
	// commit took, measured from outside (at least what timedTx measured).
	run := func(d time.Duration) time.Duration {
		op := &writeOp{ctx: context.Background(), err: make(chan error, 1), durable: true, fn: func(context.Context, *sql.Tx) error {
			time.Sleep(d)
			return nil
		}}
		t0 := time.Now()
		s.commit([]*writeOp{op})
		if err := <-op.err; err != nil {
			t.Fatal(err)
		}
		return time.Since(t0)
	}
	// A fast commit is an fsync, which a loaded machine can stretch past
	// stallAt: such a try proves nothing and is run again. A fast commit
	// measured under stallAt from outside is not a stall, so the counts
	// below are exact.
	var st CommitStats
	var before, after time.Time
	for try := 0; ; try++ {
		if try == 20 {
			t.Fatalf("20 tries: a commit without a sleep never stayed under %v", s.stallAt)
		}
		s.TakeCommitStats()
		fast := run(0)
		before = time.Now()
		run(30 * time.Millisecond)
		after = time.Now()
		fast = max(fast, run(0))
		st = s.TakeCommitStats()
		if fast < s.stallAt {
			break
		}
	}
	if st.Commits != 3 || st.Stalls != 1 {
		t.Fatalf("commits %d, stalls %d: want 3 and 1", st.Commits, st.Stalls)
	}
	if st.StallTime < 30*time.Millisecond || st.Max != st.StallTime {
		t.Errorf("stall time %v, max %v: want one stall of at least 30ms, the longest", st.StallTime, st.Max)
	}
	if st.MaxAt.Before(before) || st.MaxAt.After(after) {
		t.Errorf("longest commit started at %v, not within the slow write (%v–%v)", st.MaxAt, before, after)
	}
	if st := s.TakeCommitStats(); st != (CommitStats{}) {
		t.Errorf("second take: %+v, want zero", st)
	}
}

// TestCreateSessionWithAuditIsDurable: a session alone commits lazily
// (synchronous=NORMAL), but a session with its /auth audit row commits
// durably (synchronous=FULL): an audit row a follower read must survive a
// power failure, and its id must never be handed out again.
func TestCreateSessionWithAuditIsDurable(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{URL: filepath.Join(t.TempDir(), "t.db"), KEK: key(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	exp := time.Now().Add(time.Minute)
	for i, tc := range []struct {
		audit []AuditEntry
		want  bool
	}{
		{nil, false},
		{[]AuditEntry{{At: time.Now(), Event: []byte(`{"kind":"auth"}`)}}, true},
		{nil, false},
	} {
		ss := Session{ID: fmt.Sprintf("s%d", i), Nonce: "n", Tee: "other", Expires: exp}
		if err := s.CreateSession(ctx, ss, tc.audit...); err != nil {
			t.Fatal(err)
		}
		if s.sync != tc.want {
			t.Errorf("session %d with %d audit rows: committed with synchronous=FULL %v, want %v", i, len(tc.audit), s.sync, tc.want)
		}
	}
}
