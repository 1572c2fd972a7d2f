package deploytest

import (
	"errors"
	"path"
	"regexp"
	"strings"
	"testing"
)

var jinjaRE = regexp.MustCompile(`\{\{\s*(.*?)\s*\}\}`)

// squashJinja turns "{{ a.b('x') }}" into "{{a.b('x')}}" so that a Jinja
// expression stays one shell word (and one unit-file word).
func squashJinja(s string) string {
	return jinjaRE.ReplaceAllStringFunc(s, func(m string) string {
		inner := jinjaRE.FindStringSubmatch(m)[1]
		return "{{" + strings.ReplaceAll(inner, " ", "") + "}}"
	})
}

// shellWords splits a POSIX shell command line into words, with the
// operators | ; && || as words of their own. It understands quotes and
// backslash escapes; it is for reading our own scripts, not for untrusted input.
func shellWords(s string) ([]string, error) {
	s = strings.ReplaceAll(s, "\\\n", " ")
	var words []string
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated double quote")
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t':
			flush()
		case c == '\n':
			flush()
			words = append(words, ";")
		case c == ';' || c == '|' || c == '&':
			flush()
			op := string(c)
			if i+1 < len(s) && (s[i+1] == '|' || s[i+1] == '&') && c != ';' {
				op += string(s[i+1])
				i++
			}
			words = append(words, op)
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return words, nil
}

// commands splits a script into simple commands (argv lists), descending
// into `sh -c '…'` / `bash -c '…'`.
func commands(script string) ([][]string, error) {
	words, err := shellWords(squashJinja(script))
	if err != nil {
		return nil, err
	}
	var out [][]string
	var cur []string
	end := func() {
		if len(cur) > 0 {
			out = append(out, cur)
		}
		cur = nil
	}
	for _, w := range words {
		switch w {
		case ";", "|", "&&", "||", "&":
			end()
		default:
			cur = append(cur, w)
		}
	}
	end()
	var expanded [][]string
	for _, c := range out {
		if len(c) >= 3 && (path.Base(c[0]) == "sh" || path.Base(c[0]) == "bash") && c[1] == "-c" {
			inner, err := commands(c[2])
			if err != nil {
				return nil, err
			}
			expanded = append(expanded, inner...)
			continue
		}
		expanded = append(expanded, c)
	}
	return expanded, nil
}

// binaryOf names the trustgate binary argv[0] runs ("" for other programs).
// The Ansible role runs guest as {{trustgate_guest_bin}}.
func binaryOf(argv0 string) string {
	if argv0 == "{{trustgate_guest_bin}}" {
		return "guest"
	}
	b := path.Base(argv0)
	if _, ok := mains[b]; ok {
		return b
	}
	return ""
}

// invocationsIn finds the trustgate command lines in a script.
func invocationsIn(where, script string) ([]invocation, error) {
	cmds, err := commands(script)
	if err != nil {
		return nil, err
	}
	var out []invocation
	for _, c := range cmds {
		// Skip environment assignments and exec.
		for len(c) > 0 && (strings.Contains(c[0], "=") && !strings.HasPrefix(c[0], "-") || c[0] == "exec") {
			c = c[1:]
		}
		if len(c) > 0 {
			if bin := binaryOf(c[0]); bin != "" {
				out = append(out, invocation{where: where, bin: bin, argv: c[1:]})
			}
		}
	}
	return out, nil
}

func TestShellWords(t *testing.T) {
	cmds, err := commands(`set -euo pipefail; /bin/bash -c 'set -o pipefail; {{ trustgate_guest_bin }} get-resource {{ x }} | cryptsetup open --key-file=- "$DEV" name' && echo "a b"
ls \
  -l`)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"set", "-euo", "pipefail"},
		{"set", "-o", "pipefail"},
		{"{{trustgate_guest_bin}}", "get-resource", "{{x}}"},
		{"cryptsetup", "open", "--key-file=-", "$DEV", "name"},
		{"echo", "a b"},
		{"ls", "-l"},
	}
	if len(cmds) != len(want) {
		t.Fatalf("got %q", cmds)
	}
	for i := range want {
		if strings.Join(cmds[i], "\x00") != strings.Join(want[i], "\x00") {
			t.Errorf("command %d = %q, want %q", i, cmds[i], want[i])
		}
	}
	if _, err := shellWords(`echo 'open`); err == nil {
		t.Error("unterminated quote accepted")
	}
}
