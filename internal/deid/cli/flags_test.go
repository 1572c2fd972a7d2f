package cli

import (
	"bytes"
	"strings"
	"testing"
)

// TestUsageErrors: the deid commands' mistakes on the command line exit 2
// with one line "deid CMD: what" on stderr; help exits 0.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		env       map[string]string
		code      int
		firstLine string
	}{
		{"help", []string{"redact", "-h"}, nil, 0, ""},
		{"help of synth", []string{"synth", "--help"}, nil, 0, ""},
		{"unknown flag", []string{"redact", "--tagg"}, nil, 2, "deid redact: flag provided but not defined: -tagg"},
		{"two files", []string{"redact", "--tagger=false", "a", "b"}, nil, 2, "deid redact: redact takes at most one FILE, got 2"},
		{"eval wants a file", []string{"eval", "--tagger=false"}, nil, 2, "deid eval: want exactly one FILE"},
		{"synth --n out of range", []string{"synth", "--n", "-1"}, nil, 2, "deid synth: --n must be between 0 and 1000000"},
		{"bad variable", []string{"synth"}, map[string]string{"TRUSTGATE_DEID_SEED": "x"}, 2, "deid synth: TRUSTGATE_DEID_SEED"},
		{"unknown command", []string{"frob"}, nil, 2, `deid: unknown command "frob"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errb bytes.Buffer
			code := Main(tc.args, strings.NewReader(""), &out, &errb)
			first, _, _ := strings.Cut(errb.String(), "\n")
			if code != tc.code || !strings.HasPrefix(first, tc.firstLine) {
				t.Fatalf("exit %d, first line %q; want %d, %q", code, first, tc.code, tc.firstLine)
			}
			if code == 0 && (!strings.HasPrefix(out.String(), "usage: deid "+tc.args[0]+" [flags]") || !strings.Contains(out.String(), "(env TRUSTGATE_DEID_SEED)")) {
				t.Fatalf("help printed %q", out.String())
			}
		})
	}
}
