package cliflags

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"help", flag.ErrHelp, 0},
		{"wrapped help", fmt.Errorf("x: %w", flag.ErrHelp), 0},
		{"usage", Usagef("want one FILE"), ExitUsage},
		{"wrapped usage", fmt.Errorf("audit: %w", Usagef("--limit must be a number")), ExitUsage},
		{"parse error as usage", AsUsage(errors.New("flag provided but not defined: -x")), ExitUsage},
		{"other", errors.New("connection refused"), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExitCode(tc.err); got != tc.want {
				t.Fatalf("ExitCode(%v) = %d, want %d", tc.err, got, tc.want)
			}
			var buf bytes.Buffer
			if got := Report(&buf, "cmd", tc.err); got != tc.want {
				t.Fatalf("Report = %d, want %d", got, tc.want)
			}
			if want := tc.want != 0; (buf.Len() > 0) != want || (want && buf.String() != "cmd: "+tc.err.Error()+"\n") {
				t.Fatalf("Report printed %q", buf.String())
			}
		})
	}
	if AsUsage(nil) != nil || AsUsage(flag.ErrHelp) != flag.ErrHelp {
		t.Fatal("AsUsage must keep nil and flag.ErrHelp")
	}
}

func TestNewLogger(t *testing.T) {
	tests := []struct {
		level, format string
		wantErr       string
		debugShown    bool
		infoShown     bool
		json          bool
	}{
		{level: "", format: "", infoShown: true},
		{level: "info", format: "text", infoShown: true},
		{level: "DEBUG", format: "json", debugShown: true, infoShown: true, json: true},
		{level: "warn", format: "JSON", json: true},
		{level: "error", format: "text"},
		{level: "loud", format: "text", wantErr: "--log-level"},
		{level: "info", format: "xml", wantErr: "--log-format"},
	}
	for _, tc := range tests {
		t.Run(tc.level+"/"+tc.format, func(t *testing.T) {
			var buf bytes.Buffer
			l, err := Logging{Level: tc.level, Format: tc.format}.Logger(&buf)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || ExitCode(err) != ExitUsage {
					t.Fatalf("err = %v, want a usage error naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l.Debug("d-msg")
			l.Info("i-msg")
			out := buf.String()
			if strings.Contains(out, "d-msg") != tc.debugShown || strings.Contains(out, "i-msg") != tc.infoShown {
				t.Fatalf("level %s printed %q", tc.level, out)
			}
			if out != "" && strings.HasPrefix(out, "{") != tc.json {
				t.Fatalf("format %s printed %q", tc.format, out)
			}
		})
	}
}

func TestLoggingRegister(t *testing.T) {
	tests := []struct {
		name          string
		defaults      Logging
		args          []string
		env           map[string]string
		level, format string
	}{
		{name: "package defaults", level: "info", format: "text"},
		{name: "binary defaults", defaults: Logging{Format: "json"}, level: "info", format: "json"},
		{name: "flags", args: []string{"--log-level=debug", "--log-format", "json"}, level: "debug", format: "json"},
		{name: "env", env: map[string]string{"X_LOG_LEVEL": "warn", "X_LOG_FORMAT": "json"}, level: "warn", format: "json"},
		{name: "flag beats env", args: []string{"-log-level", "error"}, env: map[string]string{"X_LOG_LEVEL": "warn"}, level: "error", format: "text"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			l := tc.defaults
			l.Register(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if err := FromLookup(fs, "X_", func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }); err != nil {
				t.Fatal(err)
			}
			if l.Level != tc.level || l.Format != tc.format {
				t.Fatalf("got %+v, want %s %s", l, tc.level, tc.format)
			}
		})
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args    []string
		pos     string
		dest    string
		follow  bool
		wantErr bool
	}{
		{args: []string{"pull", "img", "--dest", "d"}, pos: "pull img", dest: "d"},
		{args: []string{"--dest=d", "pull", "-follow", "img"}, pos: "pull img", dest: "d", follow: true},
		{args: []string{"set", "-", "--dest", "d"}, pos: "set -", dest: "d"},
		{args: []string{"a", "--", "--dest", "x"}, pos: "a --dest x"},
		{args: []string{"--", "-"}, pos: "-"},
		{args: []string{"a", "--follow=false"}, pos: "a"},
		{args: []string{"a", "--nope"}, wantErr: true},
		{args: []string{"a", "--dest"}, wantErr: true},
		{args: nil, pos: ""},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			dest := fs.String("dest", "", "")
			follow := fs.Bool("follow", false, "")
			pos, err := ParseInterspersed(fs, tc.args)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if got := strings.Join(pos, " "); got != tc.pos || *dest != tc.dest || *follow != tc.follow {
				t.Fatalf("pos %q dest %q follow %v; want %q %q %v", got, *dest, *follow, tc.pos, tc.dest, tc.follow)
			}
		})
	}
}

func TestDocumentEnv(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.String("data-dir", "", "data directory")
	fs.String("kek-file", "", "KEK file (env X_KEK_FILE; X_KEK holds the key)")
	DocumentEnv(fs, "X_")
	DocumentEnv(fs, "X_") // twice: no second mention
	if u := fs.Lookup("data-dir").Usage; u != "data directory (env X_DATA_DIR)" {
		t.Fatal(u)
	}
	if u := fs.Lookup("kek-file").Usage; u != "KEK file (env X_KEK_FILE; X_KEK holds the key)" {
		t.Fatal(u)
	}
}

func TestSignalContext(t *testing.T) {
	ctx, stop := SignalContext(context.Background())
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not end the context")
	}
}
