package store

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trustgate/trustgate/internal/testenv"
)

// TestAuditVisibleInIDOrderAcrossReplicas: two replicas over one
// PostgreSQL write audit rows at once; a reader pages by id (AuditSince,
// the audit stream). While replica A's transaction holding row N is still
// open, replica B's row N+1 must not become visible, or a reader that saw
// N+1 would page past N for good. A's transaction is held open by a
// session insert that waits for a conflicting insert of this test's own
// connection.
//
// Both ways a transaction is sent are checked: the pipelined batch (one
// round trip) and the general path (database/sql, one round trip per
// statement), which takes the lock just before its first audit row.
func TestAuditVisibleInIDOrderAcrossReplicas(t *testing.T) {
	u := testenv.Require(t, testenv.PostgresURL)
	for _, general := range []bool{false, true} {
		name := "pipelined"
		if general {
			name = "general"
		}
		t.Run(name, func(t *testing.T) { auditOrderAcrossReplicas(t, testenv.PostgresSchema(t, u), general) })
	}
}

func auditOrderAcrossReplicas(t *testing.T, u string, general bool) {
	ctx := context.Background()
	a, b := twoReplicas(t, u)
	start, err := a.AppendAudit(ctx, time.Now(), []byte(`{"start":1}`))
	if err != nil {
		t.Fatal(err)
	}

	// The blocker: an uncommitted session "x" that A's write will wait for.
	raw, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(ctx)
	blk, err := raw.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blk.Rollback(ctx) //nolint:errcheck // released below
	exp := time.Now().Add(time.Minute)
	if _, err := blk.Exec(ctx, `INSERT INTO sessions(id, nonce, tee, state, token, expires) VALUES ('x','n','sample','attested','t',$1)`, nanos(exp)); err != nil {
		t.Fatal(err)
	}

	// Replica A: its audit row, then the session insert that waits.
	var idA int64
	var prev *Session
	use := func(*Session) ([]AuditEntry, error) { return nil, nil }
	ops := []*writeOp{
		a.appendAuditOp(time.Now(), []byte(`{"replica":"a"}`), &idA),
		a.useSessionOp(Session{ID: "x", Nonce: "n", Tee: "sample", State: SessionAttested, Token: "t", Expires: exp}, use, &prev),
	}
	for _, op := range ops {
		op.ctx, op.err = ctx, make(chan error, 1)
	}
	doneA := make(chan struct{})
	go func() {
		defer close(doneA)
		if !general {
			a.commit(ops)
			return
		}
		_, err := a.runTx(ops, true)
		for _, op := range ops {
			op.err <- err
		}
	}()
	waitForLockWait(t, raw)

	// Replica B appends meanwhile.
	idB := make(chan int64, 1)
	go func() {
		id, err := b.AppendAudit(ctx, time.Now(), []byte(`{"replica":"b"}`))
		if err != nil {
			t.Error(err)
		}
		idB <- id
	}()
	select {
	case id := <-idB:
		recs, _ := b.AuditSince(ctx, start, time.Time{}, 0)
		t.Fatalf("replica B's row %d committed while replica A's earlier row was uncommitted: a reader saw %d row(s) after %d and would page past A's", id, len(recs), start)
	case <-time.After(300 * time.Millisecond):
	}
	if recs, err := b.AuditSince(ctx, start, time.Time{}, 0); err != nil || len(recs) != 0 {
		t.Fatalf("rows visible while the first is uncommitted: %d (%v)", len(recs), err)
	}

	// Release: A commits, then B; a reader sees both, in id order.
	if err := blk.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	<-doneA
	for i, op := range ops {
		if err := <-op.err; err != nil {
			t.Fatalf("replica A write %d: %v", i, err)
		}
	}
	gotB := <-idB
	if idA >= gotB {
		t.Fatalf("A's row %d, B's row %d: B waited for A, so its id comes after", idA, gotB)
	}
	recs, err := a.AuditSince(ctx, start, time.Time{}, 0)
	if err != nil || len(recs) != 2 || recs[0].ID != idA || recs[1].ID != gotB {
		t.Fatalf("after both commits: %+v (%v), want rows %d and %d", recs, err, idA, gotB)
	}
}

// waitForLockWait returns once another backend waits for c's transaction.
func waitForLockWait(t *testing.T, c *pgx.Conn) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := c.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))`, c.PgConn().PID()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("replica A's write never waited for the blocker")
}

// TestFrozenReplicaReleasesAuditLock: a replica frozen in the middle of a
// general-path transaction after taking the audit lock (a paused VM, a
// partition) holds every other replica's audit writes only until
// PostgreSQL ends its idle transaction (pgIdleInTransaction), not until
// TCP keepalive notices it.
func TestFrozenReplicaReleasesAuditLock(t *testing.T) {
	u := testenv.PostgresSchema(t, testenv.Require(t, testenv.PostgresURL))
	old := pgIdleInTransaction
	pgIdleInTransaction = "1s"
	t.Cleanup(func() { pgIdleInTransaction = old })
	ctx := context.Background()
	a, b := twoReplicas(t, u)
	// Replica A takes the lock and freezes (never commits).
	tx, err := a.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // ended by the server
	if err := a.auditLock(ctx, tx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := b.AppendAudit(ctx, time.Now(), []byte(`{"replica":"b"}`))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("replica B's audit write: %v", err)
		}
		if d := time.Since(start); d < 500*time.Millisecond {
			t.Fatalf("replica B wrote after %v while A held the lock: not ordered", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("replica B still waits for a frozen replica's lock after 10 s")
	}
}

// twoReplicas opens two stores over the PostgreSQL schema u, as two
// trustee replicas do (one KEK), closed when the test ends.
func twoReplicas(t *testing.T, u string) (a, b *SQL) {
	t.Helper()
	k := key(t)
	for _, s := range []**SQL{&a, &b} {
		st, err := Open(context.Background(), Options{URL: u, KEK: k})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		*s = st
	}
	return a, b
}
