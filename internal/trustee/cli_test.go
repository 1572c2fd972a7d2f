package trustee

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestAdminCLIGuides: usage errors say what was wrong on their first line,
// help works every way, global flags may follow the command, and the usual
// connection mistakes come with the fix.
func TestAdminCLIGuides(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	tlsInst := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
	plainDir := filepath.Join(t.TempDir(), "plain")
	plain := startTest(t, func(c *Config) { c.DataDir, c.InsecureHTTP = plainDir, true }, quiet())
	key := filepath.Join(dir, "admin.key")
	ca := filepath.Join(dir, "tls.crt")
	httpURL := strings.Replace(tlsInst.URL, "https://", "http://", 1)
	for _, c := range []struct {
		name      string
		args      []string
		code      int
		firstLine string // of stderr ("" when stdout is checked)
		want      string // anywhere in the output
	}{
		{"no args", nil, 2, "trustee admin: no command given", "usage:"},
		{"--help", []string{"--help"}, 0, "", "usage: trustee admin"},
		{"-h", []string{"-h"}, 0, "", "commands:"},
		{"help", []string{"help"}, 0, "", "rotate-token-key"},
		{"help after command", []string{"list-resources", "--help"}, 0, "", "usage:"},
		{"no url", []string{"--key", key, "list-resources"}, 2, "trustee admin: missing --url", "https://127.0.0.1:8080"},
		{"no key", []string{"--url", tlsInst.URL, "list-resources"}, 2, "trustee admin: missing --key", "admin.key"},
		{"key file missing", []string{"--url", tlsInst.URL, "--key", "/nonexistent/admin.key", "list-resources"}, 2, "trustee admin: --key /nonexistent/admin.key", "admin.key"},
		{"unknown flag", []string{"--frob", "list-resources"}, 2, "trustee admin: flag provided but not defined: -frob", "usage:"},
		{"flags after the verb", []string{"list-resources", "--url", tlsInst.URL, "--key", key, "--cacert", ca}, 0, "", ""},
		{"flags around the verb", []string{"--url", tlsInst.URL, "audit", "--limit", "1", "--key=" + key, "--cacert", ca}, 0, "", ""},
		{"http against https", []string{"--url", httpURL, "--key", key, "list-resources"}, 1, "", "use --url https://"},
		{"unknown CA", []string{"--url", tlsInst.URL, "--key", key, "list-resources"}, 1, "", "--cacert PATH"},
		{"https against http", []string{"--url", strings.Replace(plain.URL, "http://", "https://", 1), "--key", key, "list-resources"}, 1, "", "use --url http://"},
		{"unknown command", []string{"--url", tlsInst.URL, "--key", key, "--cacert", ca, "frob"}, 2, `trustee admin frob: unknown admin command "frob"`, ""},
		{"wrong admin key", []string{"--url", plain.URL, "--key", key, "list-resources"}, 1, "", "not one this trustee trusts"},
	} {
		var out, errb bytes.Buffer
		code := adminMain(c.args, &out, &errb, func(string) string { return "" })
		all := out.String() + errb.String()
		if code != c.code {
			t.Errorf("%s: exit %d, want %d: %s", c.name, code, c.code, all)
			continue
		}
		if c.firstLine != "" {
			first, _, _ := strings.Cut(errb.String(), "\n")
			if !strings.HasPrefix(first, c.firstLine) {
				t.Errorf("%s: first line %q, want %q", c.name, first, c.firstLine)
			}
		}
		if !strings.Contains(all, c.want) {
			t.Errorf("%s: output lacks %q: %s", c.name, c.want, all)
		}
	}
}
