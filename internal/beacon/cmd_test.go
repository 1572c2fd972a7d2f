package beacon

import (
	"bytes"
	"github.com/trustgate/trustgate/internal/cliflags/cliflagstest"
	"io"
	"strings"
	"testing"
)

// TestMainRefusesBadEnv: a BEACON_<FLAG> value the flag refuses stops the
// start with the variable's name (it used to be ignored silently).
func TestMainRefusesBadEnv(t *testing.T) {
	t.Setenv("BEACON_INTERVAL", "soon")
	var stderr bytes.Buffer
	if code := Main([]string{"--dashboard", "http://127.0.0.1:1", "--pod", "p", "--once"}, io.Discard, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "BEACON_INTERVAL") {
		t.Fatalf("stderr does not name the variable: %s", stderr.String())
	}
}

// TestMainUsage: help everywhere; a usage error's first line says what is
// wrong.
func TestMainUsage(t *testing.T) {
	t.Setenv("POD_NAME", "")
	tests := []struct {
		name      string
		args      []string
		code      int
		firstLine string // of stderr, or of stdout when code is 0
	}{
		{"--help", []string{"--help"}, 0, "usage: beacon [flags]"},
		{"-h", []string{"-h"}, 0, "usage: beacon [flags]"},
		{"help", []string{"help"}, 0, "usage: beacon [flags]"},
		{"nothing", nil, 2, "beacon: --dashboard and --pod are required"},
		{"no pod", []string{"--dashboard", "http://x:1"}, 2, "beacon: --pod is required"},
		{"not a URL", []string{"--dashboard", "dashboard:9443", "--pod", "p"}, 2, `beacon: --dashboard "dashboard:9443" is not an http:// or https:// URL`},
		{"unknown flag", []string{"--dashbord", "x"}, 2, "beacon: flag provided but not defined: -dashbord"},
		{"stray argument", []string{"--pod", "p", "once"}, 2, `beacon: unexpected argument "once"`},
		{"bad log level", []string{"--dashboard", "http://x:1", "--pod", "p", "--log-level", "loud"}, 2, `beacon: --log-level "loud"`},
		{"bad log format", []string{"--dashboard", "http://x:1", "--pod", "p", "-log-format=xml"}, 2, `beacon: --log-format "xml"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := cliflagstest.FirstLine(t, Main, tc.args, tc.code, tc.firstLine)
			if tc.code == 0 && (!strings.Contains(out, "-log-format") || !strings.Contains(out, "(env BEACON_LOG_LEVEL)")) {
				t.Fatalf("help lacks the logging flags or their variables: %s", out)
			}
		})
	}
}
