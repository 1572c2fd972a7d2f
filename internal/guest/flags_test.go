package guest

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIFlags: the guest commands' flags, logging flags, usage errors and
// exit codes: help 0, a mistake on the command line 2 (one line naming it on
// stderr), a failure after a good command line 1.
func TestCLIFlags(t *testing.T) {
	for _, k := range []string{"LOG_LEVEL", "LOG_FORMAT", "KBS_URL", "TEE", "INITDATA"} {
		t.Setenv(envPrefix+k, "")
	}
	// A command line that parses, then fails for lack of a KBS (exit 1).
	noKBS := []string{"get-resource", "--tee", "sample", "--initdata", filepath.Join(t.TempDir(), "none.toml"), "kbs:///a/b/c"}
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		code      int
		firstLine string // of stderr, when code is 2
	}{
		{"help", []string{"serve", "-h"}, nil, 0, ""},
		{"help of keygen", []string{"keygen", "--help"}, nil, 0, ""},
		{"unknown flag", []string{"serve", "--nope"}, nil, 2, "flag provided but not defined: -nope"},
		{"positional to serve", []string{"serve", "x"}, nil, 2, `guest serve: unexpected arguments ["x"]`},
		{"get-resource wants one URI", []string{"get-resource"}, nil, 2, "guest get-resource: want exactly one resource URI"},
		{"run wants a command", []string{"run", "--tee", "sample"}, nil, 2, "guest run: no command"},
		{"keygen wants --out", []string{"keygen"}, nil, 2, "guest keygen: --out is required"},
		{"seal wants a kind", []string{"seal"}, nil, 2, "guest seal: give either --resource"},
		{"bad hex", append([]string{"get-resource", "--kbs-cert-sha256", "zz"}, noKBS[1:]...), nil, 2, "guest get-resource: --kbs-cert-sha256: not hex"},
		{"bad log level", append([]string{"get-resource", "--log-level", "loud"}, noKBS[1:]...), nil, 2, `guest get-resource: --log-level "loud"`},
		{"bad log format", append([]string{"get-resource", "--log-format=xml"}, noKBS[1:]...), nil, 2, `guest get-resource: --log-format "xml"`},
		{"bad log level in the environment", noKBS, map[string]string{"TRUSTGATE_GUEST_LOG_LEVEL": "loud"}, 2, `guest get-resource: --log-level "loud"`},
		{"bad env value", []string{"serve"}, map[string]string{"TRUSTGATE_GUEST_SKIP_SEALED_SECRET_VERIFICATION": "maybe"}, 2, "guest serve: TRUSTGATE_GUEST_SKIP_SEALED_SECRET_VERIFICATION"},
		{"good log flags", append([]string{"get-resource", "-log-level", "debug", "--log-format", "json"}, noKBS[1:]...), nil, 1, ""},
		{"flag beats env", append([]string{"get-resource", "--log-level=warn"}, noKBS[1:]...), map[string]string{"TRUSTGATE_GUEST_LOG_LEVEL": "loud"}, 1, ""},
		{"unknown command", []string{"frob"}, nil, 2, `guest: unknown command "frob"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			code := Main(tc.args, &out, &errb)
			first, _, _ := strings.Cut(errb.String(), "\n")
			if code != tc.code || !strings.HasPrefix(first, tc.firstLine) {
				t.Fatalf("exit %d, first line %q; want %d, %q", code, first, tc.code, tc.firstLine)
			}
			if code == 0 && !strings.Contains(errb.String()+out.String(), "(env TRUSTGATE_GUEST_LOG_LEVEL)") && tc.args[0] == "serve" {
				t.Fatalf("help lacks the logging flags: %s", errb.String())
			}
		})
	}
}
