package audit

import "testing"

func TestParseSince(t *testing.T) {
	for in, ok := range map[string]bool{"": true, "12": true, "2026-01-01T00:00:00Z": true, "-1": false, "yesterday": false} {
		_, _, err := ParseSince(in)
		if (err == nil) != ok {
			t.Errorf("%q: %v", in, err)
		}
	}
}
