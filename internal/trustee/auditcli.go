package trustee

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/kbsadmin"
)

// explainEvent prints the whole decision of one audit event.
func explainEvent(ctx context.Context, c *kbsadmin.Client, id int64, out io.Writer) error {
	e, err := c.AuditEvent(ctx, id)
	if err != nil {
		return err
	}
	printDecision(out, e, "")
	if a, ok := c.IssuingAttestation(ctx, e); ok {
		fmt.Fprintf(out, "\nthe token it saw was issued by event %d:\n", a.ID)
		printDecision(out, a, "  ")
	}
	return nil
}

func printDecision(out io.Writer, e audit.Event, ind string) {
	fmt.Fprintf(out, "%sevent %d  %s  %s  %s\n", ind, e.ID, e.Time.UTC().Format(time.RFC3339), e.Kind, strings.ToUpper(e.Outcome))
	field := func(name, v string) {
		if v != "" {
			fmt.Fprintf(out, "%s  %-13s %s\n", ind, name, v)
		}
	}
	field("action", e.Action)
	field("resource", e.Resource)
	field("workload", e.Workload)
	field("tee", e.Tee)
	field("client", e.Client)
	field("policy", e.PolicyID)
	field("failed check", e.Check)
	field("reason", e.Reason)
	field("ear.status", e.Status)
	if e.Count > 1 {
		field("requests", strconv.Itoa(e.Count))
	}
	if len(e.TrustVector) > 0 {
		keys := make([]string, 0, len(e.TrustVector))
		for k := range e.TrustVector {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s=%d", k, e.TrustVector[k]))
		}
		field("trust vector", strings.Join(parts, " "))
	}
	if len(e.Claims) > 0 {
		fmt.Fprintf(out, "%s  claims:\n", ind)
		for _, l := range e.Claims {
			fmt.Fprintf(out, "%s    %s\n", ind, l)
		}
	}
	if len(e.Explain) > 0 {
		fmt.Fprintf(out, "%s  attestation policy rules (\"(default)\": no rule body matched, e.g. no reference value):\n", ind)
		for _, l := range e.Explain {
			fmt.Fprintf(out, "%s    %s\n", ind, l)
		}
	}
	field("claims digest", e.ClaimsDigest)
}

// runAudit is `trustee admin audit …`: list, follow, explain, export.
func runAudit(ctx context.Context, c *kbsadmin.Client, fl map[string]string, pos []string, out io.Writer) error {
	print := func(e audit.Event) error {
		b, _ := json.Marshal(e)
		_, err := fmt.Fprintln(out, string(b))
		return err
	}
	if len(pos) > 0 {
		if pos[0] != "export" || len(pos) > 1 {
			return cliflags.Usagef("audit: unexpected argument %q (usage: audit [--since ID|RFC3339] [--limit N] [--follow] | audit --explain ID | audit export [--since ID|RFC3339] [--output FILE])", pos[0])
		}
		w := out
		var f *os.File
		if p := fl["output"]; p != "" && p != "-" {
			var err error
			// Audit rows hold client addresses and workload names: owner only.
			if f, err = os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
				return err
			}
			w = f
		}
		n, last, err := c.AuditExport(ctx, fl["since"], w)
		if f != nil {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err == nil {
				fmt.Fprintf(out, "exported %d audit events to %s (last id %d; continue with --since %d)\n", n, fl["output"], last, last)
			}
		}
		return err
	}
	if x := fl["explain"]; x != "" {
		id, err := strconv.ParseInt(x, 10, 64)
		if err != nil || id < 1 {
			return cliflags.Usagef("audit --explain wants an event id (a positive number), got %q", x)
		}
		return explainEvent(ctx, c, id, out)
	}
	if fl["follow"] == "true" {
		return c.FollowAudit(ctx, fl["since"], print)
	}
	limit := 0
	if l := fl["limit"]; l != "" {
		if _, err := fmt.Sscan(l, &limit); err != nil {
			return cliflags.Usagef("--limit must be a number")
		}
	}
	evs, err := c.Audit(ctx, fl["since"], limit)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if err := print(e); err != nil {
			return err
		}
	}
	return nil
}
