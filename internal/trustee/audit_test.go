package trustee

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/audit"
)

// TestAuditExplainAndExport: a release the default policy refuses (sample
// TEE) is explained by `audit --explain ID` with the failing rule, the
// claims and the rule values of the attestation that issued the token;
// `audit export` writes every event as JSON Lines.
func TestAuditExplainAndExport(t *testing.T) {
	inst, ac, dir := startPlain(t)
	ctx := context.Background()
	if err := ac.SetResource(ctx, "default/k/1", []byte("v")); err != nil {
		t.Fatal(err)
	}
	tok, _ := sampleToken(t, inst.URL)
	if c := fetchBearer(t, inst.URL, "default/k/1", tok); c != 401 {
		t.Fatalf("default policy released to the sample TEE: %d", c)
	}
	evs, err := ac.Audit(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	denied := evs[len(evs)-1]
	if denied.Kind != audit.KindResource || denied.Outcome != audit.OutcomeDeny {
		t.Fatalf("last event %+v", denied)
	}
	var out bytes.Buffer
	code := adminMain([]string{"--url", inst.URL, "--key", filepath.Join(dir, "admin.key"), "audit", "--explain", strconv.FormatInt(denied.ID, 10)}, &out, &out, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("%d %s", code, out.String())
	}
	for _, want := range []string{
		"resource  DENY", "failed check  resource-policy default: allow is false",
		"tee: sample (software TEE", "init_data: none registered; evidence binds none",
		"the token it saw was issued by event", "(default)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explain lacks %q:\n%s", want, out.String())
		}
	}

	file := filepath.Join(t.TempDir(), "audit.jsonl")
	out.Reset()
	code = adminMain([]string{"--url", inst.URL, "--key", filepath.Join(dir, "admin.key"), "audit", "export", "--output", file}, &out, &out, func(string) string { return "" })
	if code != 0 || !strings.Contains(out.String(), "exported "+strconv.Itoa(len(evs))+" audit events") {
		t.Fatalf("%d %s", code, out.String())
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.ID != evs[n].ID {
			t.Fatalf("line %d: %v %s", n+1, err, sc.Bytes())
		}
		n++
	}
	if n != len(evs) {
		t.Fatalf("%d lines, %d events", n, len(evs))
	}
}
