package up

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMainCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		out  string
	}{
		{"no command", nil, nil, 2, "trustgate: no command given\n"},
		{"unknown command", []string{"sideways"}, nil, 2, "unknown command"},
		{"a guess answered", []string{"start"}, nil, 2, "did you mean `trustgate up`"},
		{"flag before the command", []string{"--state-dir", "x"}, nil, 2, "flags come after the command"},
		{"demo needs denials", []string{"demo"}, nil, 2, "usage: trustgate demo denials"},
		{"--help", []string{"--help"}, nil, 0, "Commands:"},
		{"-h", []string{"-h"}, nil, 0, "Commands:"},
		{"help", []string{"help"}, nil, 0, "Commands:"},
		{"help up", []string{"help", "up"}, nil, 0, "-dashboard-addr"},
		{"up --help", []string{"up", "--help"}, nil, 0, "stay in the foreground"},
		{"up --help names --model", []string{"up", "--help"}, nil, 0, "-model"},
		{"a model that is not there", []string{"up", "--state-dir", dir, "--model", filepath.Join(dir, "no-model")}, nil, 1, "trustgate up: deid model"},
		{"--identity is accepted (a no-op)", []string{"up", "--identity", "--state-dir", dir, "--model", filepath.Join(dir, "no-model")}, nil, 1, "trustgate up: deid model"},
		{"--identity=false names cocofy's deprecated flag", []string{"up", "--identity=false", "--state-dir", dir}, nil, 2, "cocofy apply --uploaded-server-key"},
		{"demo --help", []string{"demo", "--help"}, nil, 0, "usage: trustgate demo denials"},
		{"unknown flag says so first", []string{"status", "--sate-dir", "x"}, nil, 2, "trustgate status: flag provided but not defined: -sate-dir\n"},
		{"stray argument", []string{"status", "now"}, nil, 2, `unexpected argument "now"`},
		{"status when not running", []string{"status", "--state-dir", dir}, nil, 3, "not running"},
		{"down when not running", []string{"down", "--state-dir", dir}, nil, 0, "not running"},
		{"demo when not running", []string{"demo", "denials", "--state-dir", dir}, nil, 1, "no trustgate up is running"},
		{"bad environment value", []string{"up", "--state-dir", dir}, map[string]string{"TRUSTGATE_NO_AZURITE": "perhaps"}, 2, "TRUSTGATE_NO_AZURITE"},
		{"state dir from the environment", []string{"status"}, map[string]string{"TRUSTGATE_STATE_DIR": dir}, 3, "not running"},
		{"up --help names the logging flags", []string{"up", "--help"}, nil, 0, "(env TRUSTGATE_LOG_FORMAT)"},
		{"bad log level", []string{"up", "--state-dir", dir, "--log-level", "loud"}, nil, 2, `trustgate up: --log-level "loud"`},
		{"bad log format from the environment", []string{"up", "--state-dir", dir}, map[string]string{"TRUSTGATE_LOG_FORMAT": "xml"}, 2, `trustgate up: --log-format "xml"`},
		{"logging flags parse (then the model stops up)", []string{"up", "--state-dir", dir, "--log-level=debug", "-log-format", "json", "--model", filepath.Join(dir, "no-model")}, nil, 1, "trustgate up: deid model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out bytes.Buffer
			if code := Main(tc.args, &out, &out); code != tc.code || !strings.Contains(out.String(), tc.out) {
				t.Fatalf("exit %d, output %q; want %d containing %q", code, out.String(), tc.code, tc.out)
			}
		})
	}
}

// TestFindAzurite: up finds the Azurite that scripts/test.sh installed, in
// TRUSTGATE_TOOLS or in the repository's .tools, when none is on PATH.
func TestFindAzurite(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	repo := t.TempDir()
	sub := filepath.Join(repo, "internal", "x")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := FindAzurite("", sub); got != "" {
		t.Fatalf("found %q with nothing installed", got)
	}
	install := func(root string) string {
		bin := filepath.Join(root, "npm", "node_modules", ".bin", "azurite-blob")
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return bin
	}
	inRepo := install(filepath.Join(repo, ".tools"))
	if got := FindAzurite("", sub); got != inRepo {
		t.Fatalf("FindAzurite from a subdirectory = %q, want %q", got, inRepo)
	}
	tools := install(t.TempDir())
	if got := FindAzurite(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(tools)))), sub); got != tools {
		t.Fatalf("FindAzurite with TRUSTGATE_TOOLS = %q, want %q", got, tools)
	}
}
