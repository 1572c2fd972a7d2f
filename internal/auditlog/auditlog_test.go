package auditlog

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/store/storetest"
)

func newLog(t *testing.T) *Log {
	t.Helper()
	st := storetest.Open(t)
	return New(st)
}

func TestRecordAndSince(t *testing.T) {
	l := newLog(t)
	ctx := context.Background()
	e, err := l.Record(ctx, audit.Event{Kind: audit.KindResource, Tee: "sample", Outcome: audit.OutcomeDeny, Reason: "policy denied", Resource: "default/key/1"})
	if err != nil || e.ID == 0 || e.Time.IsZero() {
		t.Fatal(e, err)
	}
	if _, err := l.Record(ctx, audit.Event{Kind: audit.KindAuth, Outcome: audit.OutcomeAllow}); err != nil {
		t.Fatal(err)
	}
	all, err := l.Since(ctx, 0, time.Time{}, 0)
	if err != nil || len(all) != 2 || all[0].Resource != "default/key/1" || all[0].ID != e.ID {
		t.Fatal(all, err)
	}
	after, err := l.Since(ctx, e.ID, time.Time{}, 0)
	if err != nil || len(after) != 1 || after[0].Kind != audit.KindAuth {
		t.Fatal(after, err)
	}
	future, err := l.Since(ctx, 0, time.Now().Add(time.Hour), 0)
	if err != nil || len(future) != 0 {
		t.Fatal(future, err)
	}
}

func TestStream(t *testing.T) {
	l := newLog(t)
	ctx := context.Background()
	if _, err := l.Record(ctx, audit.Event{Kind: audit.KindAuth, Outcome: audit.OutcomeAllow}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = l.Stream(r.Context(), w, 0, time.Time{})
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatal(ct)
	}
	sc := bufio.NewScanner(resp.Body)
	next := func() audit.Event {
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var e audit.Event
				if err := json.Unmarshal([]byte(d), &e); err != nil {
					t.Fatal(err)
				}
				return e
			}
		}
		t.Fatal("stream ended", sc.Err())
		return audit.Event{}
	}
	if e := next(); e.Kind != audit.KindAuth {
		t.Fatal(e)
	}
	// A live event arrives without waiting for a poll.
	if _, err := l.Record(ctx, audit.Event{Kind: audit.KindResource, Outcome: audit.OutcomeDeny}); err != nil {
		t.Fatal(err)
	}
	if e := next(); e.Kind != audit.KindResource || e.Outcome != audit.OutcomeDeny {
		t.Fatal(e)
	}
}
