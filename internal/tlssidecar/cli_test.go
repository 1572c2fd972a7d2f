package tlssidecar

import (
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/cliflags/cliflagstest"
)

// TestMainUsage: tls-sidecar's help, usage errors and logging flags: help
// exits 0 and names each flag's variable, a mistake on the command line
// (flag, value, variable, logging flag) exits 2 with one line naming it.
func TestMainUsage(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		code      int
		firstLine string // of stderr, or of stdout when code is 0
	}{
		{"--help", []string{"--help"}, nil, 0, "usage: tls-sidecar [flags]"},
		{"-h", []string{"-h"}, nil, 0, "usage: tls-sidecar [flags]"},
		{"help", []string{"help"}, nil, 0, "usage: tls-sidecar [flags]"},
		{"unknown flag", []string{"--listn", ":1"}, nil, 2, "tls-sidecar: flag provided but not defined: -listn"},
		{"stray argument", []string{"serve"}, nil, 2, `tls-sidecar: unexpected argument "serve"`},
		{"bad duration", []string{"--refresh", "soon"}, nil, 2, "tls-sidecar: invalid value"},
		{"bad variable", nil, map[string]string{"TRUSTGATE_TLS_SIDECAR_IDENTITY": "maybe"}, 2, "tls-sidecar: TRUSTGATE_TLS_SIDECAR_IDENTITY"},
		{"bad log level", []string{"--log-level", "loud"}, nil, 2, `tls-sidecar: --log-level "loud"`},
		{"bad log format", nil, map[string]string{"TRUSTGATE_TLS_SIDECAR_LOG_FORMAT": "xml"}, 2, `tls-sidecar: --log-format "xml"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			out := cliflagstest.FirstLine(t, Main, tc.args, tc.code, tc.firstLine)
			if tc.code == 0 {
				for _, want := range []string{"(env TRUSTGATE_TLS_SIDECAR_LOG_LEVEL)", "-log-format", `(default "json")`} {
					if !strings.Contains(out, want) {
						t.Fatalf("help lacks %q: %s", want, out)
					}
				}
			}
		})
	}
}
