package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestPipelinedCommit commits one batch of handshake writes on PostgreSQL
// the way the writer does (one pipelined round trip): a first use of a
// session, a second use of another (its general form runs after the
// batch), audit appends, and a write PostgreSQL refuses (a NUL byte in a
// text column), which must fail alone: the batch is rolled back, every
// other write committed again on its own, the connection left usable.
func TestPipelinedCommit(t *testing.T) {
	s := OpenTestPostgres(t, key(t))
	ctx := context.Background()
	exp := time.Now().Add(time.Minute)
	ev := func(tag string) func(prev *Session) ([]AuditEntry, error) {
		return func(prev *Session) ([]AuditEntry, error) {
			e := `{"first":"` + tag + `"}`
			if prev != nil {
				e = `{"again":"` + tag + `","to":"` + prev.Token + `"}`
			}
			return []AuditEntry{{At: time.Now(), Event: []byte(e)}}, nil
		}
	}
	if _, err := s.UseSession(ctx, Session{ID: "used", Nonce: "n0", Tee: "sample", State: SessionAttested, Token: "t0", Expires: exp}, ev("before")); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []bool{false, true} {
		t.Run(map[bool]string{false: "all good", true: "one refused"}[bad], func(t *testing.T) {
			suffix := map[bool]string{false: "a", true: "b"}[bad]
			var id1, id2 int64
			var prevNew, prevUsed, prevBad *Session
			ops := []*writeOp{
				s.appendAuditOp(time.Now(), []byte(`{"append":"1`+suffix+`"}`), &id1),
				s.useSessionOp(Session{ID: "new" + suffix, Nonce: "n1", Tee: "sample", State: SessionAttested, Token: "t1", Expires: exp}, ev("new"+suffix), &prevNew),
				s.useSessionOp(Session{ID: "used", Nonce: "n0", Tee: "sample", State: SessionAttested, Token: "t2", Expires: exp}, ev("used"+suffix), &prevUsed),
				s.appendAuditOp(time.Now(), []byte(`{"append":"2`+suffix+`"}`), &id2),
			}
			if bad {
				ops = append(ops, s.useSessionOp(Session{ID: "bad", Nonce: "n\x00", Tee: "sample", State: SessionAttested, Token: "t3", Expires: exp}, ev("bad"), &prevBad))
			}
			start, err := s.AuditSince(ctx, 0, time.Time{}, 100000)
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range ops {
				if op.pg == nil {
					t.Fatal("a handshake write has no pipelined form")
				}
				op.ctx, op.err = ctx, make(chan error, 1)
			}
			s.commit(ops)
			for i, op := range ops {
				err := <-op.err
				if wantErr := bad && i == len(ops)-1; (err != nil) != wantErr {
					t.Errorf("write %d: %v", i, err)
				}
			}
			if id1 == 0 || id2 <= id1 {
				t.Errorf("audit ids %d, %d", id1, id2)
			}
			if prevNew != nil || prevUsed == nil || prevUsed.Token != "t0" || prevBad != nil {
				t.Errorf("prev: new %+v, used %+v, bad %+v", prevNew, prevUsed, prevBad)
			}
			got := auditEvents(t, s, start[len(start)-1].ID)
			// In one batch the second use commits after it; after a
			// refusal each write commits alone, in order.
			a2, again := `{"append":"2`+suffix+`"}`, `{"again":"used`+suffix+`","to":"t0"}`
			want := []string{`{"append":"1` + suffix + `"}`, `{"first":"new` + suffix + `"}`, a2, again}
			if bad {
				want[2], want[3] = again, a2
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("audit rows\n got %s\nwant %s", got, want)
			}
			if _, err := s.GetSession(ctx, "bad"); err != ErrNotFound {
				t.Errorf("refused write's session: %v", err)
			}
			if ss, err := s.GetSession(ctx, "new"+suffix); err != nil || ss.Token != "t1" {
				t.Errorf("session new: %+v %v", ss, err)
			}
		})
	}
}

// auditEvents returns the events of the audit rows after id, in order.
func auditEvents(t *testing.T, s *SQL, id int64) []string {
	t.Helper()
	recs, err := s.AuditSince(context.Background(), id, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, string(r.Event))
	}
	return got
}
