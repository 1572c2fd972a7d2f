package cocofy

import (
	"bytes"
	"strings"
	"testing"
)

// TestCLIFlagExits: cocofy's flag sets answer help with 0, a mistake on the
// command line or in a TRUSTGATE_COCOFY_ variable with 2, and name each
// flag's variable in apply's help.
func TestCLIFlagExits(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string // in the output
	}{
		{"apply help", []string{"apply", "-h"}, nil, ExitOK, "(env TRUSTGATE_COCOFY_TRUSTEE_URL)"},
		{"explain help", []string{"explain", "--help"}, nil, ExitOK, "-trustee-url"},
		{"initdata create help", []string{"initdata", "create", "-h"}, nil, ExitOK, "-trustee-url"},
		{"initdata digest help", []string{"initdata", "digest", "-h"}, nil, ExitOK, "-f"},
		{"unknown flag", []string{"apply", "--trustee", "u"}, nil, ExitUsage, "flag provided but not defined: -trustee"},
		{"apply without -f", []string{"apply", "--offline"}, nil, ExitUsage, "-f IN is required"},
		{"bad variable", []string{"apply", "-f", "x"}, map[string]string{"TRUSTGATE_COCOFY_OFFLINE": "maybe"}, ExitUsage, "TRUSTGATE_COCOFY_OFFLINE"},
		{"initdata digest without a file", []string{"initdata", "digest"}, nil, ExitUsage, "usage:"},
		{"unknown initdata flag", []string{"initdata", "dump", "--g", "x"}, nil, ExitUsage, "flag provided but not defined: -g"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			code := Main("cocofy", tc.args, &out, &errb, nil)
			if all := out.String() + errb.String(); code != tc.code || !strings.Contains(all, tc.want) {
				t.Fatalf("exit %d, want %d with %q: %s", code, tc.code, tc.want, all)
			}
		})
	}
}
