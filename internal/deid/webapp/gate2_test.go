package webapp

import (
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/testenv"
)

// TestGate2RealGuest runs the real trustee and guest binaries: the app stays
// closed (503) while Trustee's resource policy denies the connection string,
// and opens, uploading to real Azurite, once the policy allows it. This is
// Gate 2 end to end, with no stand-in for the guest's local API.
func TestGate2RealGuest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds trustee and guest; skipped with -short")
	}
	conn := testenv.Require(t, testenv.AzuriteConn)
	bin := testenv.Build(t, "./cmd/trustee", "./cmd/guest")
	data := t.TempDir()
	trustee := testenv.Start(t, nil, filepath.Join(bin, "trustee"), "serve", "--listen", "127.0.0.1:0", "--data-dir", data, "--insecure-http", "--auth-rate", "0")
	kbsURL := trustee.WaitFor(t, regexp.MustCompile(`trustee listening on (http://127\.0\.0\.1:\d+)`))
	admin := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, "trustee"), append([]string{"admin", "--url", kbsURL, "--key", filepath.Join(data, "admin.key")}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("trustee admin %v: %v\n%s", args, err, out)
		}
	}
	admin(conn, "set-resource", "default/azure/connection-string", "-")
	guest := testenv.Start(t, nil, filepath.Join(bin, "guest"), "serve", "--listen", "127.0.0.1:0", "--kbs-url", kbsURL, "--tee", "sample")
	guestAddr := guest.WaitFor(t, regexp.MustCompile(`guest local API listening.* addr=(127\.0\.0\.1:\d+)`))

	a := startApp(t, Config{SecretURL: "http://" + guestAddr + "/cdh/resource/default/azure/connection-string", RetryMax: 200 * time.Millisecond}, true)
	// Trustee's default policy never releases secrets to the sample TEE.
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if a.srv.Ready() {
			t.Fatal("app opened although Trustee denied the secret")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code, body := a.do("GET", "/", nil, ""); code != 503 {
		t.Fatalf("GET / while denied = %d %s", code, body)
	}
	if code, body := a.do("GET", "/readyz", nil, ""); code != 503 || !strings.Contains(string(body), "guest local API answered") {
		t.Fatalf("readyz while denied = %d %s", code, body)
	}

	admin(`package policy
import rego.v1
default allow := false
allow if data["resource-path"] == ["default", "azure", "connection-string"]
`, "set-resource-policy", "-")
	a.waitReady()
	a.open()
	n := a.paste(canaryNote)
	if code, _, raw := a.post("/api/notes/"+n.ID+"/approve", nil); code != 200 {
		t.Fatalf("approve = %d %s", code, raw)
	}
	names, err := a.store.List(context.Background(), "notes/")
	if err != nil || len(names) != 2 {
		t.Fatalf("blobs after approval through the released secret: %v %v", names, err)
	}
	for _, p := range []*testenv.Proc{trustee, guest} {
		for _, c := range append(canaries, "AccountKey") {
			if strings.Contains(p.Output(), c) {
				t.Errorf("%s logged %q", p.Name, c)
			}
		}
	}
}
