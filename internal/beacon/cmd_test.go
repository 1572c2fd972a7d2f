package beacon

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestMainRefusesBadEnv: a BEACON_<FLAG> value the flag refuses stops the
// start with the variable's name (it used to be ignored silently).
func TestMainRefusesBadEnv(t *testing.T) {
	t.Setenv("BEACON_INTERVAL", "soon")
	var stderr bytes.Buffer
	if code := Main([]string{"--dashboard", "http://127.0.0.1:1", "--pod", "p", "--once"}, io.Discard, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "BEACON_INTERVAL") {
		t.Fatalf("stderr does not name the variable: %s", stderr.String())
	}
}
