package testenv

import (
	"regexp"
	"strings"
	"testing"
)

func TestStartWaitFor(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"still running", "echo starting; echo listening on 127.0.0.1:7; exec sleep 30", "127.0.0.1:7"},
		// The line comes just before exit: Done must not win over the
		// last lines of output.
		{"exits right after printing", "echo listening on 127.0.0.1:8", "127.0.0.1:8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Start(t, []string{"TESTENV_X=1"}, "/bin/sh", "-c", tc.script)
			if got := p.WaitFor(t, regexp.MustCompile(`listening on (\S+)`)); got != tc.want {
				t.Fatalf("WaitFor = %q, want %q", got, tc.want)
			}
			if p.Name != "sh" {
				t.Fatalf("Name = %q", p.Name)
			}
		})
	}
}

func TestStartEnv(t *testing.T) {
	p := Start(t, []string{"TESTENV_X=hello"}, "/bin/sh", "-c", `echo "x=$TESTENV_X"`)
	<-p.Done()
	if !strings.Contains(p.Output(), "x=hello\n") {
		t.Fatalf("output %q", p.Output())
	}
}
