package guest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/sealed"
)

// TestKeygenSeal makes a key and a sealed secret with the CLI, and checks
// that the data hub verifies and unseals it with the public JWK keygen
// printed, stored where the kid says.
func TestKeygenSeal(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "k.pem")
	var out, errb bytes.Buffer
	if code := Main([]string{"keygen", "--out", keyPath}, &out, &errb); code != 0 {
		t.Fatalf("keygen: %d %s", code, errb.String())
	}
	jwk := bytes.TrimSpace(out.Bytes())
	if _, err := sealed.ParsePublicKey(jwk); err != nil {
		t.Fatalf("keygen printed no public JWK: %v", err)
	}
	if st, err := os.Stat(keyPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st, err)
	}
	out.Reset()
	args := []string{"seal", "--key", keyPath, "--kid", "kbs:///default/sealed-secret-key/1", "--resource", "kbs:///default/azure/conn"}
	if code := Main(args, &out, &errb); code != 0 {
		t.Fatalf("seal: %d %s", code, errb.String())
	}
	s := strings.TrimSpace(out.String())
	kbs := newFake(t)
	kbs.resources["default/sealed-secret-key/1"] = jwk
	got, err := NewHub(kbs, &Config{}).Unseal(context.Background(), s)
	if err != nil || string(got) != canary {
		t.Fatalf("unseal CLI output: %q %v", got, err)
	}
	for _, bad := range [][]string{
		{"seal", "--resource", "kbs:///default/azure/conn"},
		{"seal", "--key", keyPath, "--kid", "x", "--resource", "not-a-uri"},
		{"keygen"},
		{"nope"},
	} {
		if code := Main(bad, &out, &errb); code == 0 {
			t.Errorf("%v succeeded", bad)
		}
	}
}

func TestEnvFlags(t *testing.T) {
	t.Setenv("TRUSTGATE_GUEST_KBS_URL", "http://127.0.0.1:1")
	fs := newFS("t", &bytes.Buffer{})
	var c common
	c.register(fs)
	if err := parseFlags(fs, nil); err != nil {
		t.Fatal(err)
	}
	if c.cfg.KBSURL != "http://127.0.0.1:1" {
		t.Fatalf("env not applied: %q", c.cfg.KBSURL)
	}
	if err := parseFlags(fs, []string{"--kbs-url", "http://x"}); err != nil || c.cfg.KBSURL != "http://x" {
		t.Fatalf("flag must win over env: %q %v", c.cfg.KBSURL, err)
	}
}
