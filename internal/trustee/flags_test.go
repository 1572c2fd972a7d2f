package trustee

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/cliflags"
)

// TestServeFlagSpellings: every spelling `trustee serve` accepted before it
// moved to flag + cliflags still gives the same configuration, with the
// precedence flag > TRUSTEE_ > TRUSTGATE_TRUSTEE_ > TOML > default, and a
// mistake is a usage error (exit 2).
func TestServeFlagSpellings(t *testing.T) {
	cf := filepath.Join(t.TempDir(), "t.toml")
	if err := os.WriteFile(cf, []byte("listen = \"127.0.0.1:9000\"\nadmin_public_keys = [\"f1.pub\", \"f2.pub\"]\nlog_format = \"json\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(Config) bool
		usage bool // a usage error is wanted
	}{
		{name: "--x v", args: []string{"--listen", "127.0.0.1:1"}, check: func(c Config) bool { return c.Listen == "127.0.0.1:1" }},
		{name: "--x=v", args: []string{"--listen=127.0.0.1:2"}, check: func(c Config) bool { return c.Listen == "127.0.0.1:2" }},
		{name: "-x v", args: []string{"-listen", "127.0.0.1:3"}, check: func(c Config) bool { return c.Listen == "127.0.0.1:3" }},
		{name: "bool", args: []string{"--insecure-http"}, check: func(c Config) bool { return c.InsecureHTTP }},
		{name: "durations", args: []string{"--session-timeout", "2m", "--token-lifetime=90s", "--audit-retention", "2160h"},
			check: func(c Config) bool {
				return c.SessionTimeout.Duration == 2*time.Minute && c.TokenLifetime.Duration == 90*time.Second && c.AuditRetention.Duration == 2160*time.Hour
			}},
		{name: "numbers", args: []string{"--max-body", "4096", "--max-import-body", "8192", "--auth-rate", "0", "--auth-burst", "7"},
			check: func(c Config) bool {
				return c.MaxBody == 4096 && c.MaxImportBody == 8192 && c.AuthRate == 0 && c.AuthBurst == 7
			}},
		{name: "admin keys comma-separated", args: []string{"--admin-public-key", "a.pub,b.pub"},
			check: func(c Config) bool { return strings.Join(c.AdminPublicKeys, " ") == "a.pub b.pub" }},
		{name: "data dir derives paths", args: []string{"--data-dir", "/d"},
			check: func(c Config) bool {
				return c.Store == "/d/trustee.db" && c.KEKFile == "/d/kek" && c.TLSCert == "/d/tls.crt" && c.AdminPublicKeys[0] == "/d/admin.pub"
			}},
		{name: "log flags", args: []string{"--log-level", "debug", "--log-format", "json"}, check: func(c Config) bool { return c.LogLevel == "debug" && c.LogFormat == "json" }},
		{name: "log env", env: map[string]string{"TRUSTEE_LOG_LEVEL": "warn", "TRUSTEE_LOG_FORMAT": "json"}, check: func(c Config) bool { return c.LogLevel == "warn" && c.LogFormat == "json" }},
		{name: "TRUSTEE_ env", env: map[string]string{"TRUSTEE_MAX_BODY": "5000", "TRUSTEE_SESSION_TIMEOUT": "1m"},
			check: func(c Config) bool { return c.MaxBody == 5000 && c.SessionTimeout.Duration == time.Minute }},
		{name: "legacy TRUSTGATE_TRUSTEE_ env", env: map[string]string{"TRUSTGATE_TRUSTEE_AUTH_BURST": "9"}, check: func(c Config) bool { return c.AuthBurst == 9 }},
		{name: "TRUSTEE_ beats legacy", env: map[string]string{"TRUSTEE_AUTH_BURST": "8", "TRUSTGATE_TRUSTEE_AUTH_BURST": "9"}, check: func(c Config) bool { return c.AuthBurst == 8 }},
		{name: "empty variable is unset", env: map[string]string{"TRUSTEE_LISTEN": ""}, check: func(c Config) bool { return c.Listen == "127.0.0.1:8080" }},
		{name: "flag beats env", args: []string{"--auth-burst", "3"}, env: map[string]string{"TRUSTEE_AUTH_BURST": "8"}, check: func(c Config) bool { return c.AuthBurst == 3 }},
		{name: "config from env", env: map[string]string{"TRUSTEE_CONFIG": cf},
			check: func(c Config) bool {
				return c.Listen == "127.0.0.1:9000" && c.LogFormat == "json" && strings.Join(c.AdminPublicKeys, " ") == "f1.pub f2.pub"
			}},
		{name: "env beats file", args: []string{"--config", cf}, env: map[string]string{"TRUSTEE_LISTEN": "127.0.0.1:4"}, check: func(c Config) bool { return c.Listen == "127.0.0.1:4" }},
		{name: "flag beats file", args: []string{"--config=" + cf, "--admin-public-key", "x.pub", "--log-format", "text"},
			check: func(c Config) bool { return strings.Join(c.AdminPublicKeys, " ") == "x.pub" && c.LogFormat == "text" }},
		{name: "unknown flag", args: []string{"--kek=abc"}, usage: true},
		{name: "positional", args: []string{"serve"}, usage: true},
		{name: "bad env value", env: map[string]string{"TRUSTEE_MAX_BODY": "big"}, usage: true},
		{name: "bad legacy env value", env: map[string]string{"TRUSTGATE_TRUSTEE_INSECURE_HTTP": "maybe"}, usage: true},
		{name: "bad log level", args: []string{"--log-level", "loud"}, usage: true},
		{name: "bad log format", env: map[string]string{"TRUSTEE_LOG_FORMAT": "xml"}, usage: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseServeFlags(tc.args, func(k string) string { return tc.env[k] })
			if tc.usage {
				if cliflags.ExitCode(cliflags.AsUsage(err)) != cliflags.ExitUsage {
					t.Fatalf("err = %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(cfg) {
				t.Fatalf("config %+v", cfg)
			}
		})
	}
}

// TestServeUsage: `trustee serve` help and mistakes keep their first line
// and exit codes; each help line names its variable.
func TestServeUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"serve", "--nope"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "trustee serve: flag provided but not defined: -nope") {
		t.Fatalf("unknown flag: %d %q", code, stderr.String())
	}
	if _, err := ParseServeFlags([]string{"-h"}, func(string) string { return "" }); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	cfg := Defaults()
	fs := serveFlagSet(&cfg)
	cliflags.DocumentEnv(fs, EnvPrefix)
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(f.Usage, cliflags.EnvName(EnvPrefix, f.Name)) {
			t.Errorf("--%s help does not name its variable: %q", f.Name, f.Usage)
		}
	})
}

// TestAdminFlagSpellings: the admin command flags parse with the flag
// package wherever they appear (before or after the command and its
// arguments, --x v, --x=v, -x v), reach the command, and a mistake exits 2.
func TestAdminFlagSpellings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	inst := startTest(t, func(c *Config) { c.DataDir, c.InsecureHTTP = dir, true }, quiet())
	key := filepath.Join(dir, "admin.key")
	base := []string{"--url", inst.URL, "--key", key}
	policy := filepath.Join(t.TempDir(), "p.rego")
	if err := os.WriteFile(policy, []byte("package policy\n\ndefault allow := false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"--id after the file", []string{"set-attestation-policy", policy, "--id", "p1"}, 0, "attestation policy p1 set"},
		{"--id=v before the command", []string{"--id=p2", "set-attestation-policy", policy}, 0, "attestation policy p2 set"},
		{"-id v between", []string{"set-attestation-policy", "-id", "p3", policy}, 0, "attestation policy p3 set"},
		{"--expires after values", []string{"set-reference-value", "rv1", "a", "b", "--expires", "720h"}, 0, "reference value rv1 set (2 values)"},
		{"-- ends flags", []string{"get-attestation-policy", "--", "--id"}, 1, ""},
		{"bad --expires", []string{"set-reference-value", "rv1", "a", "--expires", "soon"}, 2, ""},
		{"bad --limit", []string{"audit", "--limit", "x"}, 2, ""},
		{"--limit takes a value", []string{"audit", "--limit"}, 2, ""},
		{"--follow=false lists", []string{"audit", "--limit", "1", "--follow=false"}, 0, "{"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := adminMain(append(append([]string{}, base...), tc.args...), &out, &errb, func(string) string { return "" })
			if code != tc.code || !strings.Contains(out.String(), tc.out) {
				t.Fatalf("exit %d, out %q, err %q; want %d, %q", code, out.String(), errb.String(), tc.code, tc.out)
			}
		})
	}
}
