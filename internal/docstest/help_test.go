package docstest

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/binaries"
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

// longRunning are the commands that run until stopped (servers, daemons,
// the sidecar, the one-machine stack): each must offer the logging flags
// of cliflags.Logging.
var longRunning = [][]string{
	{"trustee", "serve"},
	{"guest", "serve"},
	{"dashboard"},
	{"beacon"},
	{"tls-sidecar"},
	{"deid", "serve"},
	{"trustgate", "up"},
}

// TestLongRunningBinariesHaveLogFlags: the --help of every long-running
// command lists --log-level and --log-format as flags of its flag set.
func TestLongRunningBinariesHaveLogFlags(t *testing.T) {
	for _, cmd := range longRunning {
		if _, ok := mains[cmd[0]]; !ok {
			t.Errorf("%s: no such binary", cmd[0])
			continue
		}
		set, err := binaries.HelpFlags(cmd[0], cmd[1:], false)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"log-level", "log-format"} {
			if !set[f] {
				t.Errorf("`%s --help` does not list --%s", strings.Join(cmd, " "), f)
			}
		}
	}
}
