package dashboard

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMainRefusesBadEnv: a DASHBOARD_<FLAG> value the flag refuses stops
// the start with the variable's name (it used to be ignored silently).
func TestMainRefusesBadEnv(t *testing.T) {
	t.Setenv("DASHBOARD_LATE_AFTER", "soon")
	var stderr bytes.Buffer
	if code := Main([]string{"--data-dir", t.TempDir()}, io.Discard, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "DASHBOARD_LATE_AFTER") {
		t.Fatalf("stderr does not name the variable: %s", stderr.String())
	}
}

func TestMainUsage(t *testing.T) {
	dir := t.TempDir()
	cert := filepath.Join(dir, "tls.crt")
	if err := os.WriteFile(cert, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		code      int
		firstLine string
	}{
		{"--help", []string{"--help"}, 0, "usage: dashboard [flags]"},
		{"-h", []string{"-h"}, 0, "usage: dashboard [flags]"},
		{"help", []string{"help"}, 0, "usage: dashboard [flags]"},
		{"no token key", []string{"--data-dir", dir}, 1, "dashboard: --token-key is required"},
		{"a certificate as token key", []string{"--data-dir", dir, "--token-key", cert}, 1, "dashboard: token key " + cert + " is a certificate"},
		{"unknown flag", []string{"--token", "x"}, 2, "dashboard: flag provided but not defined: -token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(tc.args, &stdout, &stderr)
			out := stderr.String()
			if tc.code == 0 {
				out = stdout.String()
			}
			first, _, _ := strings.Cut(out, "\n")
			if code != tc.code || !strings.HasPrefix(first, tc.firstLine) {
				t.Fatalf("exit %d, first line %q; want %d, %q", code, first, tc.code, tc.firstLine)
			}
			if tc.code == 0 && strings.Contains(out, "token-signer.pub") {
				t.Fatal("help names a file Trustee does not write")
			}
		})
	}
}
