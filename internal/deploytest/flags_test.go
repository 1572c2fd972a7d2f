package deploytest

import (
	"bytes"
	"github.com/trustgate/trustgate/internal/binaries"
	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/imagesig"
	"sort"
	"strings"
	"sync"
	"testing"
)

// mains are the real command lines, wired as cmd/<name>/main.go wires them.
var mains = binaries.Mains

// subcommands lists, per binary, the words that select a flag set.
var subcommands = map[string][][]string{
	"trustee":     {{"serve"}, {"admin"}},
	"guest":       {{"serve"}, {"get-resource"}, {"run"}, {"seal"}, {"keygen"}, {"image", "verify"}, {"image", "pull"}},
	"cocofy":      {{"apply"}, {"explain"}, {"sign"}, {"image", "build"}},
	"dashboard":   {{}},
	"beacon":      {{}},
	"tls-sidecar": {{}},
	"deid":        {{"serve"}},
}

// flagSets maps "bin sub..." to the flag names its -h lists.
var (
	flagSetsOnce sync.Once
	flagSetsVal  map[string]map[string]bool
	flagSetsErr  error
)

func flagSets(t *testing.T) map[string]map[string]bool {
	t.Helper()
	flagSetsOnce.Do(func() {
		flagSetsVal = map[string]map[string]bool{}
		for bin, subs := range subcommands {
			for _, sub := range subs {
				set, err := binaries.HelpFlags(bin, sub, false)
				if err != nil {
					flagSetsErr = err
					return
				}
				flagSetsVal[strings.Join(append([]string{bin}, sub...), " ")] = set
			}
		}
	})
	if flagSetsErr != nil {
		t.Fatal(flagSetsErr)
	}
	for k, v := range flagSetsVal {
		if len(v) == 0 && k != "guest keygen" {
			t.Fatalf("%s -h listed no flags: the help format changed", k)
		}
	}
	return flagSetsVal
}

// invocation is one command line found in an artifact.
type invocation struct {
	where string   // file and place, for messages
	bin   string   // trustee, guest, cocofy, ...
	argv  []string // arguments after the binary
}

// extraFlags are flags a command accepts that its FlagSet's help does not
// list (none now: guest's --api is in `guest image`'s flag set; the test
// TestGuestImageAcceptsAPI proves the binary accepts it).
var extraFlags = map[string][]string{}

// checkInvocation resolves the subcommand and reports every flag that the
// binary does not define.
func checkInvocation(sets map[string]map[string]bool, inv invocation) []string {
	subs, ok := subcommands[inv.bin]
	if !ok {
		return []string{inv.where + ": unknown binary " + inv.bin}
	}
	var key string
	var rest []string
	for _, sub := range subs {
		if len(inv.argv) >= len(sub) && strings.Join(inv.argv[:len(sub)], " ") == strings.Join(sub, " ") {
			if k := strings.Join(append([]string{inv.bin}, sub...), " "); len(k) > len(key) {
				key, rest = k, inv.argv[len(sub):]
			}
		}
	}
	if key == "" {
		return []string{inv.where + ": " + inv.bin + " " + strings.Join(inv.argv, " ") + ": unknown subcommand"}
	}
	known := map[string]bool{}
	for k := range sets[key] {
		known[k] = true
	}
	for _, k := range extraFlags[key] {
		known[k] = true
	}
	var bad []string
	for _, a := range rest {
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !known[name] {
			names := make([]string, 0, len(known))
			for k := range known {
				names = append(names, k)
			}
			sort.Strings(names)
			bad = append(bad, inv.where+": "+key+" has no flag --"+name+" (has "+strings.Join(names, ", ")+")")
		}
	}
	return bad
}

// TestFlagCheckerCatchesMistakes proves the checker fails on a wrong flag,
// a wrong subcommand and an unknown binary, and passes the documented forms.
func TestFlagCheckerCatchesMistakes(t *testing.T) {
	sets := flagSets(t)
	cases := []struct {
		inv  invocation
		good bool
	}{
		{invocation{"doc", "cocofy", []string{"image", "build", "--binary", "b", "--repo", "r", "--key", "k"}}, true},
		{invocation{"doc", "cocofy", []string{"apply", "-f", "in", "-o", "out", "--trustee-url", "u", "--admin-key", "k"}}, true},
		{invocation{"doc", "guest", []string{"image", "verify", "--policy", "p.json", "img"}}, true},
		{invocation{"doc", "trustee", []string{"serve", "--store=postgres://x"}}, true},
		{invocation{"doc", "cocofy", []string{"image", "build", "--binary", "b", "--registry", "r"}}, false},
		{invocation{"doc", "cocofy", []string{"apply", "--trustee", "u"}}, false},
		{invocation{"doc", "guest", []string{"image", "check", "img"}}, false},
		{invocation{"doc", "trustee", []string{"serve", "--kek=abc"}}, false},
		{invocation{"doc", "kubectl", []string{"apply"}}, false},
	}
	for _, c := range cases {
		bad := checkInvocation(sets, c.inv)
		if (len(bad) == 0) != c.good {
			t.Errorf("%s %v: good=%v, problems %v", c.inv.bin, c.inv.argv, c.good, bad)
		}
	}
}

// TestGuestImageAcceptsAPI: --api is a flag of `guest image` even though
// the help does not list it. An unknown flag exits 2 (usage); with --api
// and a policy file that does not exist the command is denied (1).
func TestGuestImageAcceptsAPI(t *testing.T) {
	var out bytes.Buffer
	missing := t.TempDir() + "/no-policy.json"
	if code := guest.Main([]string{"image", "verify", "--api", "http://127.0.0.1:1", "--policy", missing, "example.invalid/app@sha256:" + strings.Repeat("0", 64)}, &out, &out); code != imagesig.ExitDenied {
		t.Fatalf("guest image verify --api: exit %d, want %d: %s", code, imagesig.ExitDenied, out.String())
	}
	out.Reset()
	if code := guest.Main([]string{"image", "verify", "--no-such-flag", "x", "--policy", missing, "img"}, &out, &out); code != imagesig.ExitUsage {
		t.Fatalf("unknown flag: exit %d, want %d", code, imagesig.ExitUsage)
	}
}
