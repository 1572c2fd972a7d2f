package kbsadmin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
)

// AuditExport writes every audit event after since (an event id or an RFC
// 3339 time; "" from the beginning) to w as JSON Lines, oldest first, one
// event per line (the JSON of the audit API). It pages through the API
// by event id and returns the number of events written and the last id.
func (c *Client) AuditExport(ctx context.Context, since string, w io.Writer) (int, int64, error) {
	n, last := 0, int64(0)
	for {
		evs, err := c.Audit(ctx, since, 10000)
		if err != nil {
			return n, last, err
		}
		for _, e := range evs {
			b, err := json.Marshal(e)
			if err != nil {
				return n, last, err
			}
			if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
				return n, last, err
			}
			n, last = n+1, e.ID
		}
		if len(evs) < 10000 {
			return n, last, nil
		}
		since = strconv.FormatInt(last, 10)
	}
}

// AuditEvent returns the audit event with id.
func (c *Client) AuditEvent(ctx context.Context, id int64) (audit.Event, error) {
	evs, err := c.Audit(ctx, strconv.FormatInt(id-1, 10), 1)
	if err != nil {
		return audit.Event{}, err
	}
	if len(evs) == 0 || evs[0].ID != id {
		return audit.Event{}, fmt.Errorf("no audit event %d (pruned, or not written yet)", id)
	}
	return evs[0], nil
}

// IssuingAttestation finds the attest event that issued the token a
// resource decision saw (same claims digest, within a day before it).
func (c *Client) IssuingAttestation(ctx context.Context, e audit.Event) (audit.Event, bool) {
	if e.ClaimsDigest == "" || e.Kind != audit.KindResource {
		return audit.Event{}, false
	}
	since := e.Time.Add(-24 * time.Hour).UTC().Format(time.RFC3339Nano)
	var found audit.Event
	ok := false
	for {
		evs, err := c.Audit(ctx, since, 10000)
		if err != nil || len(evs) == 0 {
			return found, ok
		}
		for _, a := range evs {
			if a.ID >= e.ID {
				return found, ok
			}
			if a.Kind == audit.KindAttest && a.ClaimsDigest == e.ClaimsDigest && a.Outcome == audit.OutcomeAllow {
				found, ok = a, true
			}
		}
		since = strconv.FormatInt(evs[len(evs)-1].ID, 10)
	}
}
