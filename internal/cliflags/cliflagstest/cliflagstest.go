// Package cliflagstest checks a binary's command line the way cliflags
// promises it behaves: the exit code, and the first line of what it prints
// (stdout for help, stderr for a usage error). For tests only.
package cliflagstest

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// Main is the shape of every binary's entry point.
type Main func(args []string, stdout, stderr io.Writer) int

// FirstLine runs main with args and fails the test unless it exits with code
// and the first line of its output (stdout when code is 0, else stderr)
// starts with firstLine. It returns that whole output.
func FirstLine(t *testing.T, main Main, args []string, code int, firstLine string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	got := main(args, &stdout, &stderr)
	out := stderr.String()
	if code == 0 {
		out = stdout.String()
	}
	first, _, _ := strings.Cut(out, "\n")
	if got != code || !strings.HasPrefix(first, firstLine) {
		t.Fatalf("exit %d, first line %q; want %d, %q", got, first, code, firstLine)
	}
	return out
}

// Case is one command line of a table test: its environment, the exit
// code it must end with, and text its output (stdout and stderr) must hold.
// It is an alias of an unnamed struct so that tables stay one line a case
// (positional literals of another package's named struct upset go vet).
type Case = struct {
	Name string
	Args []string
	Env  map[string]string
	Code int
	Want string
}

// Run runs each case as a subtest, with its variables set (t.Setenv), and
// fails one whose exit code differs or whose output lacks Want.
func Run(t *testing.T, main Main, cases []Case) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			for k, v := range tc.Env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := main(tc.Args, &stdout, &stderr)
			if all := stdout.String() + stderr.String(); code != tc.Code || !strings.Contains(all, tc.Want) {
				t.Fatalf("exit %d, want %d with %q: %s", code, tc.Code, tc.Want, all)
			}
		})
	}
}
