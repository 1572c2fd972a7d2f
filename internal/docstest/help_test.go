package docstest

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// notYet lists the binaries known not to answer help with exit 0 yet (not
// this package's owner's code); the test fails when one starts to, so that
// the entry goes.
var notYet = map[string]string{}

// TestEveryBinaryHasHelp: --help, -h and help print the usage and exit 0,
// for every binary.
func TestEveryBinaryHasHelp(t *testing.T) {
	bins := make([]string, 0, len(mains))
	for b := range mains {
		bins = append(bins, b)
	}
	sort.Strings(bins)
	for _, bin := range bins {
		bad := ""
		for _, arg := range []string{"--help", "-h", "help"} {
			code, out := run(bin, []string{arg})
			if code != 0 || !strings.Contains(strings.ToLower(out), "usage") {
				bad += fmt.Sprintf("`%s %s` exited %d, printed %q; ", bin, arg, code, firstLine(out))
			}
		}
		switch why, known := notYet[bin]; {
		case bad != "" && !known:
			t.Error(bad)
		case bad == "" && known:
			t.Errorf("%s now answers help: remove it from notYet (%s)", bin, why)
		case known:
			t.Logf("known: %s %s", bin, why)
		}
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
