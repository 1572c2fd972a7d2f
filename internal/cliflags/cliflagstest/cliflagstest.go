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
