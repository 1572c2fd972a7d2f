package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/trustgate/trustgate/internal/testenv"
)

// cutProxy forwards TCP between the store and PostgreSQL. Once armed, it
// forwards the next write of the client that executes prepared statements
// (a Bind message first: the pipelined batch of BEGIN, the statements,
// COMMIT and Sync), holds back the server's answer, and when the server
// is ready for the next query (COMMIT has run) cuts both connections: a
// commit that went through, whose outcome the client never learns.
type cutProxy struct {
	target string
	armed  atomic.Bool
	cuts   atomic.Int32
}

func (p *cutProxy) serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *cutProxy) handle(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	var once sync.Once
	cut := func() { once.Do(func() { c.Close(); s.Close() }) }
	var hold atomic.Bool
	go func() { // server -> client; once held, until the batch's end
		var held []byte
		b := make([]byte, 1<<16)
		for {
			n, err := s.Read(b)
			if n > 0 && hold.Load() {
				// ReadyForQuery, idle: COMMIT has run; the client never
				// hears of it
				if held = append(held, b[:n]...); bytes.Contains(held, []byte{'Z', 0, 0, 0, 5, 'I'}) {
					p.cuts.Add(1)
					break
				}
			} else if n > 0 {
				if _, err := c.Write(b[:n]); err != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		cut()
	}()
	b := make([]byte, 1<<16)
	for {
		n, err := c.Read(b)
		if n > 0 {
			if b[0] == 'B' && bytes.Contains(b[:n], []byte("stmtcache_")) && p.armed.CompareAndSwap(true, false) {
				hold.Store(true)
			}
			if _, err := s.Write(b[:n]); err != nil {
				cut()
				return
			}
		}
		if err != nil {
			cut()
			return
		}
	}
}

// TestPipelinedCommitInDoubt: when the connection breaks after a pipelined
// batch was sent and committed, before its answer is read, no write of
// the batch is run again (review F1: before, each ran again alone, so its
// audit rows were written twice and the first use of a nonce met its own
// row and read as a replay); each reports that the outcome is unknown.
func TestPipelinedCommitInDoubt(t *testing.T) {
	u := testenv.Require(t, testenv.PostgresURL)
	pu, err := url.Parse(testenv.PostgresSchema(t, u))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	p := &cutProxy{target: pu.Host}
	go p.serve(ln)
	pu.Host = ln.Addr().String()
	s, err := Open(context.Background(), Options{URL: pu.String(), KEK: key(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	exp := time.Now().Add(time.Minute)
	use := func(prev *Session) ([]AuditEntry, error) {
		e := `{"use":"first"}`
		if prev != nil {
			e = `{"use":"again"}`
		}
		return []AuditEntry{{At: time.Now(), Event: []byte(e)}}, nil
	}
	// prepare both statements on the writer's connection, so that the
	// batch below is sent in one write that starts with Bind
	if _, err := s.AppendAudit(ctx, time.Now(), []byte(`{"warm":1}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseSession(ctx, Session{ID: "warm", Nonce: "n", Tee: "sample", State: SessionAttested, Token: "w", Expires: exp}, use); err != nil {
		t.Fatal(err)
	}
	start, err := s.AuditSince(ctx, 0, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var id1, id2 int64
	var prev *Session
	ops := []*writeOp{
		s.appendAuditOp(time.Now(), []byte(`{"cut":"a1"}`), &id1),
		s.useSessionOp(Session{ID: "cut", Nonce: "n", Tee: "sample", State: SessionAttested, Token: "tok", Expires: exp}, use, &prev),
		s.appendAuditOp(time.Now(), []byte(`{"cut":"a2"}`), &id2),
	}
	for _, op := range ops {
		op.ctx, op.err = ctx, make(chan error, 1)
	}
	p.armed.Store(true)
	s.commit(ops)
	if p.cuts.Load() != 1 {
		t.Fatalf("the proxy cut %d connections, want 1", p.cuts.Load())
	}
	for i, op := range ops {
		if err := <-op.err; !inDoubt(err) {
			t.Errorf("write %d: %v, want an outcome-unknown error", i, err)
		}
	}
	if prev != nil {
		t.Errorf("the first use of the nonce read as a replay of %+v", prev)
	}
	got := auditEvents(t, s, start[len(start)-1].ID)
	if want := []string{`{"cut":"a1"}`, `{"use":"first"}`, `{"cut":"a2"}`}; !slices.Equal(got, want) {
		t.Errorf("audit rows after the cut: %q, want %q (committed once)", got, want)
	}
	// the store goes on: a new write commits on a new connection
	if _, err := s.AppendAudit(ctx, time.Now(), []byte(`{"after":1}`)); err != nil {
		t.Errorf("append after the cut: %v", err)
	}
}

// TestPgOutcome: a commit is in doubt unless its error shows that nothing
// committed.
func TestPgOutcome(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		doubt bool
	}{
		{"server refused a statement", &pgconn.PgError{Code: "22021"}, false},
		{"refused, wrapped with a dropped connection", errors.Join(&pgconn.PgError{Code: "40001"}, errors.New("bad conn")), false},
		{"COMMIT answered ROLLBACK", errRolledBack, false},
		{"nothing sent", notSent{}, false},
		{"connection lost after sending", io.ErrUnexpectedEOF, true},
		{"deadline", context.DeadlineExceeded, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inDoubt(pgOutcome(tt.err)); got != tt.doubt {
				t.Errorf("in doubt %v, want %v", got, tt.doubt)
			}
		})
	}
}

// notSent is an error of a request that never reached the server.
type notSent struct{}

func (notSent) Error() string     { return "dial: refused" }
func (notSent) SafeToRetry() bool { return true }
