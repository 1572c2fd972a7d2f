package up

import (
	"bytes"
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
		{"no command", nil, nil, 2, "usage"},
		{"unknown command", []string{"sideways"}, nil, 2, "unknown command"},
		{"demo needs denials", []string{"demo"}, nil, 2, "usage: trustgate demo denials"},
		{"status when not running", []string{"status", "--state-dir", dir}, nil, 3, "not running"},
		{"down when not running", []string{"down", "--state-dir", dir}, nil, 0, "not running"},
		{"demo when not running", []string{"demo", "denials", "--state-dir", dir}, nil, 1, "no trustgate up is running"},
		{"bad environment value", []string{"status"}, map[string]string{"TRUSTGATE_NO_AZURITE": "perhaps"}, 2, "TRUSTGATE_NO_AZURITE"},
		{"state dir from the environment", []string{"status"}, map[string]string{"TRUSTGATE_STATE_DIR": dir}, 3, "not running"},
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
