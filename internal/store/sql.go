package store

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// Options configure Open.
type Options struct {
	// URL is "postgres://…" / "postgresql://…" for PostgreSQL, or a SQLite
	// file path (optionally "sqlite://PATH" or "file:PATH").
	URL string
	// KEK is the 32-byte AES-256 key-encryption key for resource values
	// and secret keys.
	KEK []byte
	// MaxBatch caps the writes group-committed in one transaction (default 256).
	MaxBatch int
	// Pressure, when set, reports how many requests the server is
	// serving now. While it is at least 4 x GOMAXPROCS the writer lets
	// the runnable request handlers run before taking each batch, so that
	// their writes join it (see writer). nil: the writer never yields.
	Pressure func() int
}

type dialect int

const (
	sqlite dialect = iota
	postgres
)

// SQL is the Store over database/sql.
type SQL struct {
	d    dialect
	w    *sql.DB   // writes
	wc   *sql.Conn // SQLite: the writer's own connection, so writers never wait on locks
	sync bool      // SQLite: wc is in synchronous=FULL (else NORMAL)
	r    *sql.DB   // reads
	kmu  sync.RWMutex
	kek  cipher.AEAD
	kid  string
	q    chan *writeOp
	done chan struct{}
	max  int

	closeOnce sync.Once

	// pressure is Options.Pressure; the writer yields at yieldAt or more.
	pressure func() int
	yieldAt  int

	// Prepared statements by query text, for reads (on r) and for writes
	// (prepared on w, used in transactions through Tx.StmtContext).
	// Parsing the SQL again for every query cost about as much as
	// running it.
	rstmts, wstmts sync.Map

	// Group-commit figures (TakeCommitStats); stallAt is StallCommit
	// (a test sets it lower).
	stallAt time.Duration
	stats   struct {
		sync.Mutex
		CommitStats
	}
}

// CommitStats describes the group commits since the last TakeCommitStats.
type CommitStats struct {
	Commits int64         // transactions committed (or failed)
	Writes  int64         // writes they carried
	Busy    time.Duration // time spent running them, fsync included
	Max     time.Duration // the longest one
	MaxAt   time.Time     // when the longest one started
	// Stalls counts the commits longer than StallCommit, and StallTime
	// their summed time: every write that arrives during one waits for
	// it (one fsync of the WAL, whose latency is the disk's), so a stall
	// shows as a burst of slow handshakes, whatever the server's load.
	Stalls    int64
	StallTime time.Duration
}

// StallCommit is the commit time CommitStats counts as a stall: the
// open-loop latency target of trustee bench (p99 under 50 ms).
const StallCommit = 50 * time.Millisecond

// TakeCommitStats returns the figures of the commits since the last call
// and starts new ones (for trustee bench: how long writes queue behind
// each other's fsync).
func (s *SQL) TakeCommitStats() CommitStats {
	s.stats.Lock()
	defer s.stats.Unlock()
	c := s.stats.CommitStats
	s.stats.CommitStats = CommitStats{}
	return c
}

var _ Store = (*SQL)(nil)

// Open opens (creating if needed) the database at opts.URL and applies
// pending schema migrations.
func Open(ctx context.Context, opts Options) (*SQL, error) {
	aead, kid, err := newKEK(opts.KEK)
	if err != nil {
		return nil, err
	}
	s := &SQL{kek: aead, kid: kid, q: make(chan *writeOp, 4096), done: make(chan struct{}), max: opts.MaxBatch,
		pressure: opts.Pressure, yieldAt: 4 * runtime.GOMAXPROCS(0), stallAt: StallCommit}
	if s.max <= 0 {
		s.max = 256
	}
	u := opts.URL
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		s.d = postgres
		db, err := sql.Open("pgx", u)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		s.w, s.r = db, db
	default:
		s.d = sqlite
		path := sqlitePath(u)
		if path == "" {
			return nil, errors.New("open sqlite: empty path")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// synchronous(FULL) in WAL mode fsyncs the WAL on every commit:
		// an acknowledged write survives a crash of the process or host.
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
		w, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(2) // the writer's, and one for migrations and tests
		r, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		s.w, s.r = w, r
	}
	if err := s.migrate(ctx); err != nil {
		s.closeDBs()
		return nil, err
	}
	if s.d == sqlite {
		// The file exists now; secrets in it are encrypted, but sessions
		// and tokens are not: keep it to the owner.
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Chmod(sqlitePath(u)+suffix, 0o600)
		}
		wc, err := s.w.Conn(ctx)
		if err != nil {
			s.closeDBs()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		s.wc, s.sync = wc, true
	}
	go s.writer()
	return s, nil
}

func sqlitePath(u string) string {
	return strings.TrimPrefix(strings.TrimPrefix(u, "sqlite://"), "file:")
}

func (s *SQL) closeDBs() {
	for _, m := range []*sync.Map{&s.rstmts, &s.wstmts} {
		m.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
	}
	s.w.Close()
	if s.r != s.w {
		s.r.Close()
	}
}

// Close stops the writer after it has flushed what is queued.
func (s *SQL) Close() error {
	s.closeOnce.Do(func() {
		close(s.q)
		<-s.done
		if s.wc != nil {
			s.wc.Close()
		}
		s.closeDBs()
	})
	return nil
}

// Ping checks both connections.
func (s *SQL) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("ping store: %w", err)
	}
	return s.r.PingContext(ctx)
}

// Dialect names the backend ("sqlite" or "postgres").
func (s *SQL) Dialect() string {
	if s.d == postgres {
		return "postgres"
	}
	return "sqlite"
}

// rebind turns ? placeholders into $n for PostgreSQL. Our queries hold no
// literal question marks.
func (s *SQL) rebind(q string) string {
	if s.d != postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// ---- prepared statements ----

// prepared returns the cached prepared statement for q (before rebind) on
// db, preparing it on first use.
func (s *SQL) prepared(ctx context.Context, cache *sync.Map, db *sql.DB, q string) (*sql.Stmt, error) {
	if st, ok := cache.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, s.rebind(q))
	if err != nil {
		return nil, err
	}
	if prev, loaded := cache.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// queryRow runs a one-row read with a cached prepared statement.
func (s *SQL) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if s.d == sqlite {
		// A one-row read of the local file is not worth cancelling (its
		// waits are bounded by busy_timeout), and a context that can end
		// costs database/sql and modernc's driver a watcher goroutine each
		// per query: the resource fetch of every handshake reads here.
		ctx = context.WithoutCancel(ctx)
	}
	st, err := s.prepared(ctx, &s.rstmts, s.r, q)
	if err != nil { // the plain query reports the error through Scan
		return s.r.QueryRowContext(ctx, s.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txStmt returns q prepared for tx (closed with the transaction).
func (s *SQL) txStmt(ctx context.Context, tx *sql.Tx, q string) (*sql.Stmt, error) {
	st, err := s.prepared(ctx, &s.wstmts, s.w, q)
	if err != nil {
		return nil, err
	}
	return tx.StmtContext(ctx, st), nil
}

// txExec runs a write statement inside tx with a cached prepared statement.
func (s *SQL) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	st, err := s.txStmt(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// txQueryRow runs a one-row statement (… RETURNING) inside tx.
func (s *SQL) txQueryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) *sql.Row {
	st, err := s.txStmt(ctx, tx, q)
	if err != nil {
		return tx.QueryRowContext(ctx, s.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// ---- group commit ----

type writeOp struct {
	fn func(ctx context.Context, tx *sql.Tx) error
	// pg, when set, is fn as statements for a pipelined PostgreSQL
	// commit (pgbatch.go); fn stays the general form.
	pg      pgWrite
	ctx     context.Context
	err     chan error
	durable bool
}

// write runs fn inside a transaction shared with other concurrent writes
// and returns once that transaction has committed and is on disk (fsync).
// fn must report logical outcomes (not found, already used) through
// captured variables and return only database errors, because it may run
// twice: when any write in a batch fails, the batch is rolled back and
// each write re-run alone.
func (s *SQL) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.enqueue(ctx, true, fn)
}

// enqueue queues fn. A durable write returns once its commit is fsync'd.
// A lazy one (durable false) is for state that may be lost in a power
// failure, never in a process crash: KBS sessions, which a guest recreates
// with /auth, and cached collateral. Its commit skips the fsync (SQLite
// synchronous=NORMAL, PostgreSQL synchronous_commit=off), and the next
// durable commit makes it durable too.
func (s *SQL) enqueue(ctx context.Context, durable bool, fn func(ctx context.Context, tx *sql.Tx) error) (err error) {
	return s.enqueueOp(ctx, &writeOp{fn: fn, durable: durable})
}

// enqueueOp queues op (fn, pg and durable set) as enqueue does.
func (s *SQL) enqueueOp(ctx context.Context, op *writeOp) (err error) {
	op.ctx, op.err = ctx, make(chan error, 1)
	defer func() {
		if r := recover(); r != nil { // send on closed queue: store closed
			err = errors.New("store closed")
		}
	}()
	select {
	case s.q <- op:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the caller must
	// not report failure for a write that may yet commit.
	return <-op.err
}

func (s *SQL) writer() {
	defer close(s.done)
	batch := make([]*writeOp, 0, s.max)
	for op := range s.q {
		batch = append(batch[:0], op)
		// When the server is saturated (Options.Pressure: at least
		// 4 x GOMAXPROCS requests in progress), let the goroutines that
		// are already runnable run before taking the batch. A channel
		// send makes the writer the next goroutine on the sender's P, so
		// without this it commits each write almost alone (about 2 writes
		// per commit at 64 clients on a fast disk) while request handlers
		// about to write wait in the run queue; and each commit costs
		// about 0.1 ms of CPU (BEGIN, WAL frames, fsync) whatever it
		// carries. After one yield they have queued theirs: about 10
		// writes per commit at 64 clients. There is no timer and no wait
		// for a write that may not come, but the yield lasts until the
		// runnable handlers have run (the local run queue drains), which
		// below saturation would only add latency: measured in an open
		// loop at half the capacity, a few ms per commit. So a server
		// with only a few requests in progress never yields.
		if s.pressure != nil && s.pressure() >= s.yieldAt {
			runtime.Gosched()
		}
	drain:
		for len(batch) < s.max {
			select {
			case o, ok := <-s.q:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		s.commit(batch)
	}
}

func (s *SQL) commit(batch []*writeOp) {
	live := batch[:0:0]
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.err <- err
			continue
		}
		live = append(live, op)
	}
	if len(live) == 0 {
		return
	}
	again, err := s.timedTx(live, false)
	if err == nil {
		for i, op := range live {
			if again != nil && again[i] {
				_, err := s.timedTx(live[i:i+1], true)
				op.err <- err
				continue
			}
			op.err <- nil
		}
		return
	}
	if len(live) == 1 || inDoubt(err) {
		// A commit that may have gone through is not run again, write by
		// write: each reports the error (inDoubtError).
		for _, op := range live {
			op.err <- err
		}
		return
	}
	for _, op := range live {
		// each alone: one whose caller has gone is not run again (a wait
		// for a lock already spent its time)
		if err := op.ctx.Err(); err != nil {
			op.err <- err
			continue
		}
		op.err <- s.runOne(op)
	}
}

// runOne commits op alone, through its general form when its pipelined
// one asks for it.
func (s *SQL) runOne(op *writeOp) error {
	ops := []*writeOp{op}
	again, err := s.timedTx(ops, false)
	if err == nil && again != nil && again[0] {
		_, err = s.timedTx(ops, true)
	}
	return err
}

// timedTx is runTx, counted in the commit statistics (TakeCommitStats):
// every transaction the writer runs, a batch's write run again alone
// included.
func (s *SQL) timedTx(ops []*writeOp, general bool) ([]bool, error) {
	t0 := time.Now()
	again, err := s.runTx(ops, general)
	d := time.Since(t0)
	s.stats.Lock()
	s.stats.Commits++
	s.stats.Writes += int64(len(ops))
	s.stats.Busy += d
	if d > s.stats.Max {
		s.stats.Max, s.stats.MaxAt = d, t0
	}
	if d > s.stallAt {
		s.stats.Stalls++
		s.stats.StallTime += d
	}
	s.stats.Unlock()
	return again, err
}

// runTx commits ops in one transaction. On PostgreSQL, unless general is
// set, ops that all have a pipelined form go in one round trip (runBatch),
// and again says which of them must run again through fn; nil otherwise.
func (s *SQL) runTx(ops []*writeOp, general bool) (again []bool, err error) {
	ctx := context.Background()
	if s.d == postgres {
		// A network round trip can hang; SQLite's waits are bounded by
		// busy_timeout. A context that can end costs modernc's driver a
		// watcher goroutine for every statement, BEGIN and COMMIT of the
		// transaction, which in a lone commit is about as much CPU as a
		// statement; so SQLite's commits run without one.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
	}
	durable, pipelined := false, s.d == postgres && !general
	for _, op := range ops {
		durable = durable || op.durable
		pipelined = pipelined && op.pg != nil
	}
	if pipelined {
		return s.runBatch(ctx, ops, durable)
	}
	return nil, s.runSQLTx(ctx, ops, durable)
}

// runSQLTx commits ops in one database/sql transaction, running each fn.
func (s *SQL) runSQLTx(ctx context.Context, ops []*writeOp, durable bool) error {
	var tx *sql.Tx
	var err error
	if s.wc != nil {
		if durable != s.sync {
			mode := "NORMAL"
			if durable {
				mode = "FULL"
			}
			if _, err := s.wc.ExecContext(ctx, "PRAGMA synchronous = "+mode); err != nil {
				return fmt.Errorf("set synchronous: %w", err)
			}
			s.sync = durable
		}
		tx, err = s.wc.BeginTx(ctx, nil)
	} else {
		tx, err = s.w.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if !durable && s.d == postgres {
		if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit TO OFF"); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("set synchronous_commit: %w", err)
		}
	}
	for _, op := range ops {
		if err := op.fn(ctx, tx); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("commit: %w", err)
		if s.d == postgres {
			// COMMIT was sent: unless the server refused it, it may have
			// committed (SQLite's commit is local: it did not)
			err = pgOutcome(err)
		}
		return err
	}
	return nil
}

// exec is a durable write of one statement; it returns the rows affected.
func (s *SQL) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return s.execMode(ctx, true, q, args...)
}

// execAudited is a durable write of one statement with audit rows in the
// same transaction, written only when the statement changed a row: an
// admin change and its audit event commit together or not at all.
func (s *SQL) execAudited(ctx context.Context, audit []AuditEntry, q string, args ...any) (int64, error) {
	var n int64
	err := s.enqueue(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, q, args...)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	return n, err
}

func (s *SQL) execMode(ctx context.Context, durable bool, q string, args ...any) (int64, error) {
	var n int64
	err := s.enqueue(ctx, durable, func(ctx context.Context, tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// ---- KEK ----

func newKEK(k []byte) (cipher.AEAD, string, error) {
	if len(k) != 32 {
		return nil, "", fmt.Errorf("key-encryption key must be 32 bytes, got %d", len(k))
	}
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, "", err
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, "", err
	}
	h := sha256.Sum256(append([]byte("trustgate kek id\x00"), k...))
	return g, hex.EncodeToString(h[:8]), nil
}

// seal encrypts value with AAD = kind/name so that a ciphertext cannot be
// moved to another row.
func seal(g cipher.AEAD, aad string, value []byte) []byte {
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(value)+g.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return g.Seal(nonce, nonce, value, []byte(aad))
}

func open(g cipher.AEAD, aad string, ct []byte) ([]byte, error) {
	if len(ct) < g.NonceSize() {
		return nil, errors.New("ciphertext too short")
	}
	return g.Open(nil, ct[:g.NonceSize()], ct[g.NonceSize():], []byte(aad))
}

func (s *SQL) current() (cipher.AEAD, string) {
	s.kmu.RLock()
	defer s.kmu.RUnlock()
	return s.kek, s.kid
}

func (s *SQL) decrypt(aad, kid string, ct []byte) ([]byte, error) {
	g, cur := s.current()
	if kid != cur {
		return nil, fmt.Errorf("value is encrypted under key-encryption key %s, this server holds %s: start every replica with the same KEK (TRUSTEE_KEK or one kek file), and after rotate-kek give the other replicas the new one", kid, cur)
	}
	v, err := open(g, aad, ct)
	if err != nil {
		return nil, fmt.Errorf("decrypt %s: integrity check failed", aad)
	}
	return v, nil
}

// ---- sessions ----

func nanos(t time.Time) int64 { return t.UnixNano() }

// auditLock takes, on PostgreSQL, the lock under which audit rows draw
// their ids (pgCommitOrderLock) inside a database/sql transaction, just
// before its first audit row; and bounds how long the transaction may then
// sit idle, so that a replica frozen mid-transaction (paused VM, partition)
// cannot hold every replica's audit writes for longer: PostgreSQL ends its
// session after pgIdleInTransaction and the lock goes with it.
func (s *SQL) auditLock(ctx context.Context, tx *sql.Tx) error {
	if s.d != postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, pgCommitOrderLock+", set_config('idle_in_transaction_session_timeout', $2, true)", commitOrderKey, pgIdleInTransaction); err != nil {
		return fmt.Errorf("audit order lock: %w", err)
	}
	return nil
}

// insertAudit adds audit rows inside a transaction.
func (s *SQL) insertAudit(ctx context.Context, tx *sql.Tx, audit []AuditEntry) error {
	if len(audit) > 0 {
		if err := s.auditLock(ctx, tx); err != nil {
			return err
		}
	}
	for _, a := range audit {
		if _, err := s.txExec(ctx, tx, `INSERT INTO audit(at, event) VALUES (?,?)`, nanos(a.At), a.Event); err != nil {
			return err
		}
	}
	return nil
}

// CreateSession implements Store.
func (s *SQL) CreateSession(ctx context.Context, ss Session, audit ...AuditEntry) error {
	// A session alone may be lost in a crash (its guest starts again),
	// but an audit row may not: a follower that read it would keep its
	// id while the database hands the id out again. With audit rows the
	// commit is durable (once per client and aggregation window).
	err := s.enqueue(ctx, len(audit) > 0, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.txExec(ctx, tx, `INSERT INTO sessions(id, nonce, tee, state, token, expires) VALUES (?,?,?,?,?,?)`,
			ss.ID, ss.Nonce, ss.Tee, SessionChallenged, "", nanos(ss.Expires)); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

func (s *SQL) getSession(ctx context.Context, id string) (Session, error) {
	var ss Session
	var exp int64
	err := s.queryRow(ctx, `SELECT id, nonce, tee, state, token, expires FROM sessions WHERE id = ?`, id).
		Scan(&ss.ID, &ss.Nonce, &ss.Tee, &ss.State, &ss.Token, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	ss.Expires = time.Unix(0, exp)
	return ss, nil
}

// GetSession implements Store.
func (s *SQL) GetSession(ctx context.Context, id string) (Session, error) {
	ss, err := s.getSession(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if !time.Now().Before(ss.Expires) {
		return Session{}, ErrNotFound
	}
	return ss, nil
}

// ClaimSession implements Store.
func (s *SQL) ClaimSession(ctx context.Context, id string, now time.Time) (Session, error) {
	var ss Session
	var exp int64
	claimed := false
	// Lazy: it survives a process crash; against a power failure, every
	// answer to the attest request that follows a claim (token or refusal)
	// is preceded by a durable write, which makes the claim durable too.
	err := s.enqueue(ctx, false, func(ctx context.Context, tx *sql.Tx) error {
		claimed = false
		err := s.txQueryRow(ctx, tx, `UPDATE sessions SET state = ? WHERE id = ? AND state = ? AND expires > ?
			RETURNING id, nonce, tee, state, token, expires`, SessionClaimed, id, SessionChallenged, nanos(now)).
			Scan(&ss.ID, &ss.Nonce, &ss.Tee, &ss.State, &ss.Token, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		claimed = true
		return nil
	})
	if err != nil {
		return Session{}, fmt.Errorf("claim session: %w", err)
	}
	if claimed {
		ss.Expires = time.Unix(0, exp)
		return ss, nil
	}
	ss, err = s.getSession(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if !now.Before(ss.Expires) {
		return ss, ErrSessionExpired
	}
	return ss, ErrNonceUsed
}

// AttestSession implements Store.
func (s *SQL) AttestSession(ctx context.Context, id, token string, audit ...AuditEntry) error {
	var n int64
	err := s.enqueue(ctx, len(audit) > 0, func(ctx context.Context, tx *sql.Tx) error {
		res, err := s.txExec(ctx, tx, `UPDATE sessions SET state = ?, token = ? WHERE id = ? AND state = ?`,
			SessionAttested, token, id, SessionClaimed)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err // n == 0: nothing to audit; reported below
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("attest session: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// UseSession implements Store.
func (s *SQL) UseSession(ctx context.Context, ss Session, audit func(prev *Session) ([]AuditEntry, error)) (*Session, error) {
	var prev *Session
	if err := s.enqueueOp(ctx, s.useSessionOp(ss, audit, &prev)); err != nil {
		return nil, fmt.Errorf("use session: %w", err)
	}
	return prev, nil
}

// useSessionOp is UseSession's write; it sets *prevp.
func (s *SQL) useSessionOp(ss Session, audit func(prev *Session) ([]AuditEntry, error), prevp **Session) *writeOp {
	op := &writeOp{durable: true}
	if s.d == postgres {
		// The first use of a session: prev stays nil. Else fn runs too.
		op.pg, _ = pgUseSession(ss, audit) // on error, fn reports it
	}
	op.fn = func(ctx context.Context, tx *sql.Tx) error {
		*prevp = nil
		res, err := s.txExec(ctx, tx, `INSERT INTO sessions(id, nonce, tee, state, token, expires) VALUES (?,?,?,?,?,?)
			ON CONFLICT (id) DO NOTHING`, ss.ID, ss.Nonce, ss.Tee, ss.State, ss.Token, nanos(ss.Expires))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			var p Session
			var exp int64
			if err := s.txQueryRow(ctx, tx, `SELECT id, nonce, tee, state, token, expires FROM sessions WHERE id = ?`, ss.ID).
				Scan(&p.ID, &p.Nonce, &p.Tee, &p.State, &p.Token, &exp); err != nil {
				return err
			}
			p.Expires = time.Unix(0, exp)
			*prevp = &p
		}
		ents, err := audit(*prevp)
		if err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, ents)
	}
	return op
}

// DeleteExpiredSessions implements Store.
func (s *SQL) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.execMode(ctx, false, `DELETE FROM sessions WHERE expires <= ?`, nanos(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}

// ---- resources ----

// PutResource implements Store.
func (s *SQL) PutResource(ctx context.Context, path string, value []byte, audit ...AuditEntry) error {
	// Hold the key read lock until committed, so that a KEK rotation never
	// runs between sealing under the old key and storing the row.
	s.kmu.RLock()
	defer s.kmu.RUnlock()
	g, kid := s.kek, s.kid
	ct := seal(g, "resource/"+path, value)
	_, err := s.execAudited(ctx, audit, `INSERT INTO resources(path, kek_id, value, updated) VALUES (?,?,?,?)
		ON CONFLICT (path) DO UPDATE SET kek_id = excluded.kek_id, value = excluded.value, updated = excluded.updated`,
		path, kid, ct, nanos(time.Now()))
	if err != nil {
		return fmt.Errorf("put resource: %w", err)
	}
	return nil
}

// GetResource implements Store.
func (s *SQL) GetResource(ctx context.Context, path string) ([]byte, error) {
	var kid string
	var ct []byte
	err := s.queryRow(ctx, `SELECT kek_id, value FROM resources WHERE path = ?`, path).Scan(&kid, &ct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get resource: %w", err)
	}
	return s.decrypt("resource/"+path, kid, ct)
}

// DeleteResource implements Store.
func (s *SQL) DeleteResource(ctx context.Context, path string, audit ...AuditEntry) error {
	n, err := s.execAudited(ctx, audit, `DELETE FROM resources WHERE path = ?`, path)
	if err != nil {
		return fmt.Errorf("delete resource: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// ListResources implements Store.
func (s *SQL) ListResources(ctx context.Context) ([]string, error) {
	return s.strings(ctx, `SELECT path FROM resources ORDER BY path`)
}

func (s *SQL) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("list: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ---- policies ----

// PutPolicy implements Store.
func (s *SQL) PutPolicy(ctx context.Context, kind, id string, body []byte, audit ...AuditEntry) error {
	_, err := s.execAudited(ctx, audit, `INSERT INTO policies(kind, id, body, updated) VALUES (?,?,?,?)
		ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, updated = excluded.updated`,
		kind, id, body, nanos(time.Now()))
	if err != nil {
		return fmt.Errorf("put %s policy: %w", kind, err)
	}
	return nil
}

// GetPolicy implements Store.
func (s *SQL) GetPolicy(ctx context.Context, kind, id string) ([]byte, error) {
	var b []byte
	err := s.queryRow(ctx, `SELECT body FROM policies WHERE kind = ? AND id = ?`, kind, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get %s policy: %w", kind, err)
	}
	return b, nil
}

// ListPolicies implements Store.
func (s *SQL) ListPolicies(ctx context.Context, kind string) ([]string, error) {
	return s.strings(ctx, `SELECT id FROM policies WHERE kind = ? ORDER BY id`, kind)
}

// ---- reference values ----

// PutReferenceValue implements Store.
func (s *SQL) PutReferenceValue(ctx context.Context, rv ReferenceValue) error {
	return s.PutReferenceValues(ctx, []ReferenceValue{rv})
}

// PutReferenceValues implements Store.
func (s *SQL) PutReferenceValues(ctx context.Context, rvs []ReferenceValue, audit ...AuditEntry) error {
	err := s.enqueue(ctx, true, func(ctx context.Context, tx *sql.Tx) error {
		for _, rv := range rvs {
			if _, err := s.txExec(ctx, tx, `INSERT INTO reference_values(name, value, expiration) VALUES (?,?,?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, expiration = excluded.expiration`,
				rv.Name, rv.Values, nanos(rv.Expiration)); err != nil {
				return err
			}
		}
		return s.insertAudit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("put reference value: %w", err)
	}
	return nil
}

// UpdateReferenceValue implements Store. The read and the write share one
// durable transaction; on PostgreSQL the row is locked (FOR UPDATE), so
// replicas updating the same name at once apply their changes one after
// the other instead of overwriting each other. SQLite has one writer.
func (s *SQL) UpdateReferenceValue(ctx context.Context, name string, fn func(cur *ReferenceValue) (ReferenceValue, error)) error {
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		lock := ""
		if s.d == postgres {
			// Make sure there is a row to lock; a placeholder is never
			// committed, since the update below replaces it.
			if _, err := s.txExec(ctx, tx, `INSERT INTO reference_values(name, value, expiration) VALUES (?, ?, 0) ON CONFLICT (name) DO NOTHING`, name, []byte("null")); err != nil {
				return err
			}
			lock = " FOR UPDATE"
		}
		cur := &ReferenceValue{Name: name}
		var exp int64
		err := s.txQueryRow(ctx, tx, `SELECT value, expiration FROM reference_values WHERE name = ?`+lock, name).Scan(&cur.Values, &exp)
		switch {
		case errors.Is(err, sql.ErrNoRows) || (err == nil && string(cur.Values) == "null"):
			cur = nil
		case err != nil:
			return err
		default:
			cur.Expiration = time.Unix(0, exp)
		}
		rv, err := fn(cur)
		if err != nil {
			return updateError{err} // rolls back (and the placeholder with it)
		}
		_, err = s.txExec(ctx, tx, `INSERT INTO reference_values(name, value, expiration) VALUES (?,?,?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value, expiration = excluded.expiration`, name, rv.Values, nanos(rv.Expiration))
		return err
	})
	var ue updateError
	if errors.As(err, &ue) {
		return ue.err
	}
	if err != nil {
		return fmt.Errorf("update reference value: %w", err)
	}
	return nil
}

// updateError carries the error of an update function out of the write
// transaction it rolled back.
type updateError struct{ err error }

func (e updateError) Error() string { return e.err.Error() }

// GetReferenceValue implements Store.
func (s *SQL) GetReferenceValue(ctx context.Context, name string) (ReferenceValue, error) {
	rv := ReferenceValue{Name: name}
	var exp int64
	err := s.queryRow(ctx, `SELECT value, expiration FROM reference_values WHERE name = ?`, name).Scan(&rv.Values, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return ReferenceValue{}, ErrNotFound
	}
	if err != nil {
		return ReferenceValue{}, fmt.Errorf("get reference value: %w", err)
	}
	rv.Expiration = time.Unix(0, exp)
	return rv, nil
}

// ListReferenceValues implements Store.
func (s *SQL) ListReferenceValues(ctx context.Context) ([]ReferenceValue, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name, value, expiration FROM reference_values ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list reference values: %w", err)
	}
	defer rows.Close()
	out := []ReferenceValue{}
	for rows.Next() {
		var rv ReferenceValue
		var exp int64
		if err := rows.Scan(&rv.Name, &rv.Values, &exp); err != nil {
			return nil, fmt.Errorf("list reference values: %w", err)
		}
		rv.Expiration = time.Unix(0, exp)
		out = append(out, rv)
	}
	return out, rows.Err()
}

// DeleteReferenceValue implements Store.
func (s *SQL) DeleteReferenceValue(ctx context.Context, name string, audit ...AuditEntry) error {
	n, err := s.execAudited(ctx, audit, `DELETE FROM reference_values WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("delete reference value: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// ---- secret keys ----

// SecretKey implements Store.
func (s *SQL) SecretKey(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	get := func() ([]byte, error) {
		var kid string
		var ct []byte
		err := s.queryRow(ctx, `SELECT kek_id, value FROM secret_keys WHERE name = ?`, name).Scan(&kid, &ct)
		if err != nil {
			return nil, err
		}
		return s.decrypt("key/"+name, kid, ct)
	}
	k, err := get()
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("secret key %s: %w", name, err)
	}
	k, err = gen()
	if err != nil {
		return nil, fmt.Errorf("generate secret key %s: %w", name, err)
	}
	s.kmu.RLock() // as in PutResource
	_, err = s.exec(ctx, `INSERT INTO secret_keys(name, kek_id, value) VALUES (?,?,?) ON CONFLICT (name) DO NOTHING`,
		name, s.kid, seal(s.kek, "key/"+name, k))
	s.kmu.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("store secret key %s: %w", name, err)
	}
	// Another replica may have won the race: use what is stored.
	k, err = get()
	if err != nil {
		return nil, fmt.Errorf("secret key %s: %w", name, err)
	}
	return k, nil
}

// GetSecretKey returns the secret key material stored under name, or
// ErrNotFound.
func (s *SQL) GetSecretKey(ctx context.Context, name string) ([]byte, error) {
	var kid string
	var ct []byte
	err := s.queryRow(ctx, `SELECT kek_id, value FROM secret_keys WHERE name = ?`, name).Scan(&kid, &ct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("secret key %s: %w", name, err)
	}
	return s.decrypt("key/"+name, kid, ct)
}

// RotateSecretKey replaces the key stored under name, in one durable
// transaction with audit: fn gets the current key material and returns the
// new one, and what to keep under prevName (replacing what was there).
// Replicas see the change at their next read. fn may run more than once.
// ErrNotFound when name holds no key.
func (s *SQL) RotateSecretKey(ctx context.Context, name, prevName string, fn func(cur []byte) (next, prev []byte, err error), audit ...AuditEntry) error {
	s.kmu.RLock() // as in PutResource: sealed under the current KEK
	defer s.kmu.RUnlock()
	found := false
	var fnErr error
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var kid string
		var ct []byte
		err := s.txQueryRow(ctx, tx, `SELECT kek_id, value FROM secret_keys WHERE name = ?`, name).Scan(&kid, &ct)
		if errors.Is(err, sql.ErrNoRows) {
			found = false
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		cur, err := s.decrypt("key/"+name, kid, ct)
		if err != nil {
			fnErr = err
			return nil
		}
		next, prev, err := fn(cur)
		if fnErr = err; err != nil {
			return nil
		}
		if _, err := s.txExec(ctx, tx, `DELETE FROM secret_keys WHERE name = ?`, prevName); err != nil {
			return err
		}
		if _, err := s.txExec(ctx, tx, `INSERT INTO secret_keys(name, kek_id, value) VALUES (?,?,?)`, prevName, s.kid, seal(s.kek, "key/"+prevName, prev)); err != nil {
			return err
		}
		if _, err := s.txExec(ctx, tx, `UPDATE secret_keys SET kek_id = ?, value = ? WHERE name = ?`, s.kid, seal(s.kek, "key/"+name, next), name); err != nil {
			return err
		}
		return s.insertAudit(ctx, tx, audit)
	})
	switch {
	case err != nil:
		return fmt.Errorf("rotate secret key %s: %w", name, err)
	case !found:
		return ErrNotFound
	case fnErr != nil:
		return fmt.Errorf("rotate secret key %s: %w", name, fnErr)
	}
	return nil
}

// ---- collateral cache (attest.Cache) ----

// Get implements attest.Cache.
func (s *SQL) Get(ctx context.Context, key string) ([]byte, bool, error) {
	var v []byte
	err := s.queryRow(ctx, `SELECT value FROM collateral WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("collateral cache get: %w", err)
	}
	return v, true, nil
}

// Put implements attest.Cache.
func (s *SQL) Put(ctx context.Context, key string, val []byte) error {
	_, err := s.execMode(ctx, false, `INSERT INTO collateral(key, value, updated) VALUES (?,?,?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated = excluded.updated`, key, val, nanos(time.Now()))
	if err != nil {
		return fmt.Errorf("collateral cache put: %w", err)
	}
	return nil
}

// Keys lists the collateral cache keys that start with prefix, sorted
// (collateral.Lister: `trustee admin collateral export`). The prefix is
// matched in Go, not with LIKE, so that '%' and '_' in it are literal.
func (s *SQL) Keys(ctx context.Context, prefix string) ([]string, error) {
	all, err := s.strings(ctx, `SELECT key FROM collateral ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("collateral cache keys: %w", err)
	}
	out := all[:0]
	for _, k := range all {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out, nil
}

// ---- audit ----

// AppendAudit implements Store.
func (s *SQL) AppendAudit(ctx context.Context, at time.Time, event []byte) (int64, error) {
	var id int64
	if err := s.enqueueOp(ctx, s.appendAuditOp(at, event, &id)); err != nil {
		return 0, fmt.Errorf("append audit: %w", err)
	}
	return id, nil
}

// appendAuditOp is AppendAudit's write; it sets *id.
func (s *SQL) appendAuditOp(at time.Time, event []byte, id *int64) *writeOp {
	const q = `INSERT INTO audit(at, event) VALUES (?,?) RETURNING id`
	op := &writeOp{durable: true, fn: func(ctx context.Context, tx *sql.Tx) error {
		if err := s.auditLock(ctx, tx); err != nil {
			return err
		}
		return s.txQueryRow(ctx, tx, q, nanos(at), event).Scan(id)
	}}
	if s.d == postgres {
		op.pg = func(b *pgx.Batch, _ *bool) {
			b.Queue(s.rebind(q), nanos(at), event).QueryRow(func(row pgx.Row) error { return row.Scan(id) })
		}
	}
	return op
}

// AuditSince implements Store.
func (s *SQL) AuditSince(ctx context.Context, afterID int64, since time.Time, limit int) ([]AuditRecord, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	var from int64
	if !since.IsZero() {
		from = nanos(since)
	}
	rows, err := s.r.QueryContext(ctx, s.rebind(`SELECT id, at, event FROM audit WHERE id > ? AND at >= ? ORDER BY id LIMIT ?`), afterID, from, limit)
	if err != nil {
		return nil, fmt.Errorf("query audit: %w", err)
	}
	defer rows.Close()
	out := []AuditRecord{}
	for rows.Next() {
		var r AuditRecord
		var at int64
		if err := rows.Scan(&r.ID, &at, &r.Event); err != nil {
			return nil, fmt.Errorf("query audit: %w", err)
		}
		r.Time = time.Unix(0, at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- KEK rotation ----

// pruneBatch is how many audit rows one pruning transaction deletes.
var pruneBatch = 5000

// PruneAudit implements Store: batches of pruneBatch rows, each its own
// transaction, so that pruning a large backlog never holds the writer long.
func (s *SQL) PruneAudit(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		n, err := s.exec(ctx, `DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < ? ORDER BY id LIMIT ?)`, nanos(before), pruneBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("prune audit: %w", err)
		}
		if n < int64(pruneBatch) {
			return total, nil
		}
	}
}

// RotateKEK implements Store. All rows are re-encrypted in one transaction;
// rows under a KEK this server does not hold make it fail without change.
func (s *SQL) RotateKEK(ctx context.Context, kek []byte) error {
	ng, nkid, err := newKEK(kek)
	if err != nil {
		return err
	}
	// Hold the key lock across the rewrite: writers that sealed under the
	// old key have committed (they hold the read lock until then), and new
	// ones wait for the new key.
	s.kmu.Lock()
	defer s.kmu.Unlock()
	og, okid := s.kek, s.kid
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, t := range []struct{ table, key, prefix string }{{"resources", "path", "resource/"}, {"secret_keys", "name", "key/"}} {
			rows, err := tx.QueryContext(ctx, `SELECT `+t.key+`, kek_id, value FROM `+t.table)
			if err != nil {
				return err
			}
			type row struct {
				k  string
				ct []byte
			}
			var all []row
			for rows.Next() {
				var r row
				var kid string
				if err := rows.Scan(&r.k, &kid, &r.ct); err != nil {
					rows.Close()
					return err
				}
				if kid != okid {
					rows.Close()
					return fmt.Errorf("row %s%s is under key-encryption key %s, not the current %s", t.prefix, r.k, kid, okid)
				}
				all = append(all, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, r := range all {
				pt, err := open(og, t.prefix+r.k, r.ct)
				if err != nil {
					return fmt.Errorf("decrypt %s%s: integrity check failed", t.prefix, r.k)
				}
				if _, err := tx.ExecContext(ctx, s.rebind(`UPDATE `+t.table+` SET kek_id = ?, value = ? WHERE `+t.key+` = ?`),
					nkid, seal(ng, t.prefix+r.k, pt), r.k); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rotate key-encryption key: %w", err)
	}
	s.kek, s.kid = ng, nkid
	return nil
}

// KEKID returns the identifier (not the key) of the current KEK.
func (s *SQL) KEKID() string {
	_, kid := s.current()
	return kid
}
