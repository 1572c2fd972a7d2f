package trustee

import (
	"os"
	"testing"
)

// TestStatCPU: /proc/PID/stat's CPU fields, own and reaped children's,
// with a command name that holds spaces and parentheses.
func TestStatCPU(t *testing.T) {
	tests := []struct {
		name, line    string
		comm          string
		own, children int64
		ok            bool
	}{
		{"postmaster", "812 (postgres) S 1 812 812 0 -1 4194560 3062 77001 0 21 45 38 907 311 20 0 1 0 5730 228077568 6817 18446744073709551615 1 1 0 0 0 0 4194304 19935232 84487 0 0 0 17 1 0 0 0 0 0", "postgres", 83, 1218, true},
		{"odd name", "77 (a (b) c) R 1 77 77 0 -1 0 0 0 0 0 5 6 7 8 20 0 1 0 1 1 1", "a (b) c", 11, 15, true},
		{"short", "77 (x) R 1 2 3", "", 0, 0, false},
		{"no name", "77 x R", "", 0, 0, false},
		{"not a number", "77 (x) R 1 77 77 0 -1 0 0 0 0 0 five 6 7 8 20", "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			comm, own, children, ok := statCPU([]byte(tt.line))
			if comm != tt.comm || own != tt.own || children != tt.children || ok != tt.ok {
				t.Errorf("statCPU = %q, %d, %d, %v; want %q, %d, %d, %v", comm, own, children, ok, tt.comm, tt.own, tt.children, tt.ok)
			}
		})
	}
	// and this very process's line, as Linux writes it
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		if _, _, _, ok := statCPU(b); !ok {
			t.Errorf("/proc/self/stat not read: %q", b)
		}
	}
}
