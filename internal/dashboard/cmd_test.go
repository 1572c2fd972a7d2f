package dashboard

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// TestMainRefusesBadEnv: a DASHBOARD_<FLAG> value the flag refuses stops
// the start with the variable's name (it used to be ignored silently).
func TestMainRefusesBadEnv(t *testing.T) {
	t.Setenv("DASHBOARD_LATE_AFTER", "soon")
	var stderr bytes.Buffer
	if code := Main([]string{"--data-dir", t.TempDir()}, io.Discard, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "DASHBOARD_LATE_AFTER") {
		t.Fatalf("stderr does not name the variable: %s", stderr.String())
	}
}
