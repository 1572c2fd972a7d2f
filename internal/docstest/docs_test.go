package docstest

import (
	"bufio"
	"bytes"
	"fmt"
	"github.com/trustgate/trustgate/internal/binaries"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/trustgate/trustgate/internal/testenv"
)

// mains are the real command lines, wired as cmd/<name>/main.go wires them.
var mains = binaries.Mains

// subcommands lists, per binary, the words that select a flag set; the
// longest that matches a command line wins.
var subcommands = map[string][][]string{
	"trustee":     {{"serve"}, {"admin"}, {"verify"}, {"bench"}},
	"guest":       {{"serve"}, {"get-resource"}, {"run"}, {"seal"}, {"keygen"}, {"image", "verify"}, {"image", "pull"}},
	"cocofy":      {{"apply"}, {"explain"}, {"sign"}, {"image", "build"}, {"initdata", "create"}},
	"dashboard":   {{}},
	"beacon":      {{}},
	"tls-sidecar": {{}},
	"deid":        {{}, {"serve"}},
	"trustgate":   {{"up"}, {"status"}, {"down"}, {"demo"}, {"demo", "denials"}},
}

// run runs bin's Main in this process with args and returns its exit code
// and everything it printed.
func run(bin string, args []string) (int, string) {
	code, out, err := binaries.Run(bin, args)
	if err != nil {
		return -1, err.Error()
	}
	return code, out
}

var (
	setsOnce sync.Once
	sets     map[string]map[string]bool
	setsErr  error
)

// flagSets maps "bin sub..." to the flag names its help lists ("--name" in
// usage lines too).
func flagSets(t *testing.T) map[string]map[string]bool {
	t.Helper()
	setsOnce.Do(func() {
		sets = map[string]map[string]bool{}
		for bin, subs := range subcommands {
			for _, sub := range subs {
				set, err := binaries.HelpFlags(bin, sub, true)
				if err != nil {
					setsErr = err
					return
				}
				set["h"], set["help"] = true, true
				sets[strings.Join(append([]string{bin}, sub...), " ")] = set
			}
		}
	})
	if setsErr != nil {
		t.Fatal(setsErr)
	}
	return sets
}

// block is one fenced code block.
type block struct {
	file  string
	line  int // of the opening fence
	info  string
	lines []string
}

// blocks reads the fenced code blocks of README.md and docs/*.md.
func blocks(t *testing.T) []block {
	t.Helper()
	root := testenv.RepoRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append([]string{filepath.Join(root, "README.md")}, files...)
	var out []block
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		sc := bufio.NewScanner(bytes.NewReader(b))
		var cur *block
		n := 0
		for sc.Scan() {
			n++
			l := sc.Text()
			trim := strings.TrimSpace(l)
			if strings.HasPrefix(trim, "```") {
				if cur == nil {
					cur = &block{file: rel, line: n, info: strings.TrimSpace(strings.TrimPrefix(trim, "```"))}
				} else {
					out = append(out, *cur)
					cur = nil
				}
				continue
			}
			if cur != nil {
				cur.lines = append(cur.lines, l)
			}
		}
	}
	return out
}

// shellBlock reports whether a block holds shell commands.
func shellBlock(info string) bool {
	lang, _, _ := strings.Cut(info, " ")
	switch lang {
	case "sh", "bash", "shell", "console":
		return true
	}
	return false
}

// command is one trustgate command line in a block.
type command struct {
	where string
	bin   string
	argv  []string
}

// commands finds the trustgate command lines of a shell block: lines (with
// their backslash continuations) split at pipes and && / ;, after
// variable assignments, sudo, `go run ./cmd/NAME` or a bin/ path.
func commands(b block) []command {
	var out []command
	var logical []string
	var starts []int
	acc, start := "", 0
	for i, l := range b.lines {
		if acc == "" {
			start = i
		}
		if strings.HasSuffix(l, "\\") {
			acc += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		logical = append(logical, acc+l)
		starts = append(starts, start)
		acc = ""
	}
	for i, l := range logical {
		if b.info == "console" {
			if !strings.HasPrefix(strings.TrimSpace(l), "$ ") {
				continue
			}
		}
		l = strings.TrimPrefix(strings.TrimSpace(l), "$ ")
		words := shellWords(l)
		var seg []string
		flush := func() {
			if c, ok := commandOf(seg); ok {
				c.where = fmt.Sprintf("%s:%d", b.file, b.line+1+starts[i])
				out = append(out, c)
			}
			seg = nil
		}
		for _, w := range words {
			switch w {
			case "|", "&&", "||", ";", "&":
				flush()
				continue
			}
			if strings.HasPrefix(w, "#") {
				break
			}
			seg = append(seg, w)
		}
		flush()
	}
	return out
}

var assignRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

func commandOf(words []string) (command, bool) {
	for len(words) > 0 && (assignRE.MatchString(words[0]) || words[0] == "sudo" || words[0] == "env" || words[0] == "exec") {
		words = words[1:]
	}
	if len(words) >= 3 && words[0] == "go" && words[1] == "run" {
		if name, ok := strings.CutPrefix(words[2], "./cmd/"); ok {
			words = append([]string{name}, words[3:]...)
		}
	}
	if len(words) == 0 {
		return command{}, false
	}
	bin := filepath.Base(words[0])
	if bin == "kubectl" && len(words) > 1 && words[1] == "coco" {
		return command{bin: "cocofy", argv: words[2:]}, true
	}
	if bin == "kubectl-coco" {
		bin = "cocofy"
	}
	if _, ok := mains[bin]; !ok {
		return command{}, false
	}
	return command{bin: bin, argv: words[1:]}, true
}

// shellWords splits a line as sh would, closely enough for flags: quotes
// group, and the operators | && || ; & are words of their own.
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	in := false
	var quote rune
	emit := func() {
		if in {
			out = append(out, cur.String())
			cur.Reset()
			in = false
		}
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			emit()
		case r == '|' || r == '&' || r == ';':
			emit()
			op := string(r)
			if i+1 < len(rs) && (rs[i+1] == '|' || rs[i+1] == '&') && r != ';' {
				op += string(rs[i+1])
				i++
			}
			out = append(out, op)
		case r == '>' || r == '<':
			emit()
			// A redirection's target is not an argument.
			for i+1 < len(rs) && (rs[i+1] == '>' || rs[i+1] == '&') {
				i++
			}
			for i+1 < len(rs) && rs[i+1] == ' ' {
				i++
			}
			for i+1 < len(rs) && rs[i+1] != ' ' {
				i++
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	emit()
	return out
}

// check resolves the subcommand and reports every flag the binary lacks.
func check(sets map[string]map[string]bool, c command) []string {
	var key string
	var rest []string
	for _, sub := range subcommands[c.bin] {
		if len(c.argv) >= len(sub) && strings.Join(c.argv[:len(sub)], " ") == strings.Join(sub, " ") {
			if k := strings.TrimSpace(strings.Join(append([]string{c.bin}, sub...), " ")); len(k) >= len(key) {
				key, rest = k, c.argv[len(sub):]
			}
		}
	}
	if key == "" {
		if len(c.argv) > 0 && (c.argv[0] == "--help" || c.argv[0] == "-h" || c.argv[0] == "help") {
			return nil
		}
		return []string{fmt.Sprintf("%s: `%s %s`: no such subcommand", c.where, c.bin, strings.Join(c.argv, " "))}
	}
	known := sets[key]
	var bad []string
	for _, a := range rest {
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' || a == "-" || strings.HasPrefix(a, "-0") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if name == "" || strings.ContainsAny(name, "…<>[]") {
			continue
		}
		if !known[name] {
			names := make([]string, 0, len(known))
			for k := range known {
				names = append(names, k)
			}
			sort.Strings(names)
			bad = append(bad, fmt.Sprintf("%s: %s has no flag --%s (it has: %s)", c.where, key, name, strings.Join(names, ", ")))
		}
	}
	return bad
}

// TestDocumentedCommandsUseRealFlags: every trustgate command line shown in
// a shell block of the README or docs/ names a real subcommand and real
// flags.
func TestDocumentedCommandsUseRealFlags(t *testing.T) {
	sets := flagSets(t)
	for k, v := range sets {
		if len(v) <= 2 && k != "guest keygen" && k != "trustgate status" && k != "trustgate down" && k != "deid" {
			t.Fatalf("%s -h listed no flags: the help format changed", k)
		}
	}
	n := 0
	for _, b := range blocks(t) {
		if !shellBlock(b.info) {
			continue
		}
		for _, c := range commands(b) {
			n++
			for _, msg := range check(sets, c) {
				t.Error(msg)
			}
		}
	}
	if n < 20 {
		t.Fatalf("found only %d documented command lines: the parser broke", n)
	}
	t.Logf("%d documented command lines checked", n)
}

var spanRE = regexp.MustCompile("`([^`\n]+)`")

// inlineCommands finds trustgate command lines with flags in the inline
// code spans outside code blocks ("`trustee admin --url URL token-key`").
func inlineCommands(t *testing.T) []command {
	t.Helper()
	root := testenv.RepoRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append([]string{filepath.Join(root, "README.md")}, files...)
	var out []command
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, f)
		fenced := false
		for i, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "```") {
				fenced = !fenced
				continue
			}
			if fenced {
				continue
			}
			for _, m := range spanRE.FindAllStringSubmatch(l, -1) {
				c, ok := commandOf(shellWords(m[1]))
				if !ok || !strings.Contains(m[1], " -") {
					continue
				}
				c.where = fmt.Sprintf("%s:%d", rel, i+1)
				out = append(out, c)
			}
		}
	}
	return out
}

// TestInlineCommandsUseRealFlags: the same for command lines in inline code.
func TestInlineCommandsUseRealFlags(t *testing.T) {
	sets := flagSets(t)
	cmds := inlineCommands(t)
	for _, c := range cmds {
		for _, msg := range check(sets, c) {
			t.Error(msg)
		}
	}
	t.Logf("%d inline command lines checked", len(cmds))
}

// TestRunnableBlocks runs the commands of blocks marked "sh runnable": each
// must exit 0.
func TestRunnableBlocks(t *testing.T) {
	t.Chdir(t.TempDir())
	ran := 0
	for _, b := range blocks(t) {
		if b.info != "sh runnable" {
			continue
		}
		for _, c := range commands(b) {
			ran++
			if code, out := run(c.bin, c.argv); code != 0 {
				t.Errorf("%s: `%s %s` exited %d:\n%s", c.where, c.bin, strings.Join(c.argv, " "), code, out)
			}
		}
	}
	if ran == 0 {
		t.Fatal("no runnable block found")
	}
}

// TestCheckerCatchesMistakes: the checker fails on a wrong flag or
// subcommand, in the shapes the docs use.
func TestCheckerCatchesMistakes(t *testing.T) {
	sets := flagSets(t)
	b := block{file: "x.md", info: "sh", lines: []string{
		"go run ./cmd/trustgate up --state-dir /tmp/x   # fine",
		"dashboard --token-key token.pub \\",
		"  --no-such-flag 1",
		"printf x | trustee admin --url U --key K set-resource a/b/c - && trustee admin --ur U audit",
		"sudo TRUSTEE_LISTEN=:1 trustgate sideways",
		"echo trustee --nope  # not a command of ours",
	}}
	var got []string
	for _, c := range commands(b) {
		got = append(got, check(sets, c)...)
	}
	want := []string{"--no-such-flag", "--ur", "no such subcommand"}
	if len(got) != len(want) {
		t.Fatalf("problems %q, want one for each of %q", got, want)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("problem %d = %q, want it to mention %q", i, got[i], w)
		}
	}
}
