package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL every statement run through database/sql is a network
// round trip of its own (Bind, Execute, Sync; a write and a read on each
// side and the server's per-message work), so a group commit of 26 writes
// cost 28 round trips where SQLite's costs none. The writes of a KBS
// handshake (UseSession, AppendAudit) therefore also say what they do as
// statements queued on a pgx batch (writeOp.pg); a commit whose writes all
// can is sent as BEGIN, the statements and COMMIT in one round trip
// (pipelined, one Sync). What commits and when it is durable is unchanged:
// the same rows in one transaction, acknowledged after COMMIT returned
// (synchronous_commit on for a durable batch).

// pgWrite is a write as statements queued on a pgx batch. queue adds them
// with callbacks that record their results; the callbacks run in order when
// the batch is read. A write whose result makes it need its general form
// (UseSession finding the session already there) sets *again, and commit
// runs its fn alone in a transaction of its own after this one: it must
// have written nothing in that case.
type pgWrite func(b *pgx.Batch, again *bool)

// runBatch commits ops (every one with a pg form) on one connection in one
// round trip. again[i] reports the writes to run again through fn.
func (s *SQL) runBatch(ctx context.Context, ops []*writeOp, durable bool) (again []bool, err error) {
	again = make([]bool, len(ops))
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	if !durable {
		b.Queue("SET LOCAL synchronous_commit TO OFF")
	}
	b.Queue(pgCommitOrderLock, commitOrderKey)
	for i, op := range ops {
		op.pg(b, &again[i])
	}
	b.Queue("COMMIT").Exec(func(ct pgconn.CommandTag) error {
		if ct.String() != "COMMIT" {
			return fmt.Errorf("%w (%s)", errRolledBack, ct)
		}
		return nil
	})
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres driver connection is %T", dc)
		}
		c := sc.Conn()
		err := c.SendBatch(ctx, b).Close()
		if err != nil && c.PgConn().TxStatus() != 'I' {
			// A failed statement leaves the transaction open (the server
			// skipped COMMIT): roll it back, or drop the connection.
			if _, rerr := c.Exec(ctx, "ROLLBACK"); rerr != nil {
				return errors.Join(err, driver.ErrBadConn)
			}
		}
		return err
	})
	if err != nil {
		return nil, pgOutcome(err)
	}
	return again, nil
}

// Audit rows are read by id (AuditSince: the admin API's pages, the
// audit stream, a SIEM following it), so a row must never become visible
// after a row with a higher id: a reader past the higher id would skip it
// for good. On SQLite one writer commits at a time. On PostgreSQL several
// replicas write at once, and a sequence hands out ids when a row is
// inserted, not when it commits: replica A's row 10 could commit after
// replica B's row 11, and a reader between the two commits would page
// past 10. So a transaction takes one transaction-scoped advisory lock
// before its audit rows draw their ids, and PostgreSQL releases it only
// once the commit is visible: ids are then handed out, and made visible,
// in one order across replicas.
//
// Where it is taken bounds how long others wait. A pipelined batch
// (runBatch) takes it right after BEGIN: the batch is one round trip, so
// the lock is held while the server runs the statements and the commit,
// never across a step of the client. A database/sql transaction (the
// general path: one round trip per statement) takes it just before its
// first audit row (auditLock), so transactions that write no audit row
// (pruning, deleting expired sessions, re-encrypting under a new KEK)
// never take it, and one that does holds it for the round trips left
// before its COMMIT; and it sets idle_in_transaction_session_timeout, so a
// client frozen there holds it at most that long. Within a replica the
// writer commits one transaction at a time anyway; across replicas their
// audit-writing commits take turns. The lock is keyed by the schema,
// which the replicas share (and other databases' users, or tests in other
// schemas, do not).
const (
	pgCommitOrderLock = "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))"
	commitOrderKey    = int32(0x74676175) // "tgau"
)

// pgIdleInTransaction bounds how long a general-path transaction holding
// the lock may sit idle (a variable for the test that freezes one).
var pgIdleInTransaction = "15s"

// errRolledBack: COMMIT answered ROLLBACK (the transaction had failed).
var errRolledBack = errors.New("commit: transaction rolled back")

// inDoubtError is a commit that failed in a way that leaves its outcome
// unknown: the connection broke or timed out after BEGIN, the statements
// and COMMIT were sent, so the server may have committed. Its writes must
// not be run again (a committed audit row would be written twice, a
// first use of a nonce would meet itself and read as a replay); each
// reports the error, and a client that retries meets the replay path,
// which answers as the first use decided.
type inDoubtError struct{ err error }

func (e *inDoubtError) Error() string { return "commit outcome unknown: " + e.err.Error() }
func (e *inDoubtError) Unwrap() error { return e.err }

// inDoubt reports whether err is a commit whose outcome is unknown.
func inDoubt(err error) bool {
	var d *inDoubtError
	return errors.As(err, &d)
}

// pgOutcome marks err in doubt unless it shows that nothing committed:
// the server refused a statement (it then skips the rest of the
// transaction, COMMIT included, or answers it with ROLLBACK), COMMIT
// answered ROLLBACK, or nothing reached the server.
func pgOutcome(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) || errors.Is(err, errRolledBack) || pgconn.SafeToRetry(err) {
		return err
	}
	return &inDoubtError{err}
}

// pgUseSession is UseSession's common case as one statement: insert the
// session unless its id is there, and only if it was inserted the audit
// rows for a first use (audit(nil)). When the id is there, nothing is
// written and the write runs again through its general form, which reads
// the session that came first.
func pgUseSession(ss Session, audit func(prev *Session) ([]AuditEntry, error)) (pgWrite, error) {
	ents, err := audit(nil)
	if err != nil {
		return nil, err
	}
	at := make([]int64, len(ents))
	ev := make([][]byte, len(ents))
	for i, a := range ents {
		at[i], ev[i] = nanos(a.At), a.Event
	}
	return func(b *pgx.Batch, again *bool) {
		b.Queue(`WITH ins AS (INSERT INTO sessions(id, nonce, tee, state, token, expires) VALUES ($1,$2,$3,$4,$5,$6)
			ON CONFLICT (id) DO NOTHING RETURNING 1),
		a AS (INSERT INTO audit(at, event) SELECT u.at, u.event FROM unnest($7::bigint[], $8::bytea[]) WITH ORDINALITY AS u(at, event, n)
			WHERE EXISTS (SELECT 1 FROM ins) ORDER BY u.n)
		SELECT count(*) FROM ins`, ss.ID, ss.Nonce, ss.Tee, ss.State, ss.Token, nanos(ss.Expires), at, ev).
			QueryRow(func(row pgx.Row) error {
				var n int64
				if err := row.Scan(&n); err != nil {
					return err
				}
				*again = n == 0
				return nil
			})
	}, nil
}
