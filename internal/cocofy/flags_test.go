package cocofy

import (
	"io"
	"testing"

	"github.com/trustgate/trustgate/internal/cliflags/cliflagstest"
)

// TestCLIFlagExits: cocofy's flag sets answer help with 0, a mistake on the
// command line or in a TRUSTGATE_COCOFY_ variable with 2, and name each
// flag's variable in apply's help.
func TestCLIFlagExits(t *testing.T) {
	cliflagstest.Run(t, func(args []string, stdout, stderr io.Writer) int { return Main("cocofy", args, stdout, stderr, nil) }, []cliflagstest.Case{
		{"apply help", []string{"apply", "-h"}, nil, ExitOK, "(env TRUSTGATE_COCOFY_TRUSTEE_URL)"},
		{"explain help", []string{"explain", "--help"}, nil, ExitOK, "-trustee-url"},
		{"initdata create help", []string{"initdata", "create", "-h"}, nil, ExitOK, "-trustee-url"},
		{"initdata digest help", []string{"initdata", "digest", "-h"}, nil, ExitOK, "-f"},
		{"unknown flag", []string{"apply", "--trustee", "u"}, nil, ExitUsage, "flag provided but not defined: -trustee"},
		{"apply without -f", []string{"apply", "--offline"}, nil, ExitUsage, "-f IN is required"},
		{"bad variable", []string{"apply", "-f", "x"}, map[string]string{"TRUSTGATE_COCOFY_OFFLINE": "maybe"}, ExitUsage, "TRUSTGATE_COCOFY_OFFLINE"},
		{"initdata digest without a file", []string{"initdata", "digest"}, nil, ExitUsage, "usage:"},
		{"unknown initdata flag", []string{"initdata", "dump", "--g", "x"}, nil, ExitUsage, "flag provided but not defined: -g"},
	})
}
