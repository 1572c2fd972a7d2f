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

// TestAdminEnv: the connection flags read TRUSTEE_ADMIN_<FLAG> through
// cliflags. Every spelling that worked before still works (a flag beats its
// variable, an empty variable is unset, TRUSTEE_ADMIN_INSECURE=true), the
// other boolean spellings now work too, and a value the flag refuses is a
// usage error (exit 2) instead of a silent false. The command flags have no
// variable.
func TestAdminEnv(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	inst := startTest(t, func(c *Config) { c.DataDir = dir }, quiet())
	key := filepath.Join(dir, "admin.key")
	ca := filepath.Join(dir, "tls.crt")
	conn := map[string]string{"TRUSTEE_ADMIN_URL": inst.URL, "TRUSTEE_ADMIN_KEY": key}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range conn {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, c := range []struct {
		name      string
		args      []string
		env       map[string]string
		code      int
		firstLine string // of stderr, when set
	}{
		{"url, key and cacert from the environment", []string{"list-resources"}, with(map[string]string{"TRUSTEE_ADMIN_CACERT": ca}), 0, ""},
		{"empty url is unset", []string{"list-resources"}, map[string]string{"TRUSTEE_ADMIN_URL": "", "TRUSTEE_ADMIN_KEY": key}, 2, "trustee admin: missing --url"},
		{"flag beats variable", []string{"--url", inst.URL, "--cacert", ca, "list-resources"}, map[string]string{"TRUSTEE_ADMIN_URL": "https://127.0.0.1:1", "TRUSTEE_ADMIN_KEY": key}, 0, ""},
		{"insecure=true", []string{"list-resources"}, with(map[string]string{"TRUSTEE_ADMIN_INSECURE": "true"}), 0, ""},
		{"insecure=1", []string{"list-resources"}, with(map[string]string{"TRUSTEE_ADMIN_INSECURE": "1"}), 0, ""},
		{"insecure=false verifies", []string{"list-resources"}, with(map[string]string{"TRUSTEE_ADMIN_INSECURE": "false"}), 1, ""},
		{"insecure empty is unset", []string{"list-resources"}, with(map[string]string{"TRUSTEE_ADMIN_INSECURE": ""}), 1, ""},
		{"insecure typo is a usage error", []string{"list-resources"}, with(map[string]string{"TRUSTEE_ADMIN_INSECURE": "yes"}), 2, "trustee admin: TRUSTEE_ADMIN_INSECURE: parse error"},
		{"--insecure=false beats the variable", []string{"--insecure=false", "list-resources"}, with(map[string]string{"TRUSTEE_ADMIN_INSECURE": "true"}), 1, ""},
		{"command flags read no variable", []string{"--cacert", ca, "audit", "--limit", "1"}, with(map[string]string{"TRUSTEE_ADMIN_LIMIT": "x", "TRUSTEE_ADMIN_FOLLOW": "true"}), 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := adminMain(c.args, &out, &errb, func(k string) string { return c.env[k] })
			if code != c.code {
				t.Fatalf("exit %d, want %d: %s%s", code, c.code, out.String(), errb.String())
			}
			if first, _, _ := strings.Cut(errb.String(), "\n"); c.firstLine != "" && !strings.HasPrefix(first, c.firstLine) {
				t.Fatalf("first line %q, want %q", first, c.firstLine)
			}
		})
	}
}
