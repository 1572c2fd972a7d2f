package kbs

import (
	"regexp"
	"strings"
	"testing"
)

// upstreamSegmentRE is upstream Trustee's rule for a resource path segment,
// the reference ValidSegment is held to.
var upstreamSegmentRE = regexp.MustCompile(`^[a-zA-Z0-9_\-]+[a-zA-Z0-9_\-\.]*$`)

func upstreamValidSegment(s string) bool {
	return len(s) <= maxSegment && upstreamSegmentRE.MatchString(s)
}

func TestValidSegmentMatchesUpstreamRE(t *testing.T) {
	for _, s := range []string{
		"", ".", "..", ".hidden", "a", "key", "my-repo", "tag_1", "v1.2.3", "a.", "a..b", "-", "_",
		"%2F", "%2e%2e", "a/b", "a b", "a\n", "\na", "é", "a\x00", "A-Z_0.9",
		strings.Repeat("a", maxSegment), strings.Repeat("a", maxSegment+1),
	} {
		if got, want := ValidSegment(s), upstreamValidSegment(s); got != want {
			t.Errorf("ValidSegment(%q) = %v, upstream's expression says %v", s, got, want)
		}
	}
}

func FuzzValidSegment(f *testing.F) {
	for _, s := range []string{"key", ".", "..", "a.b", "%2F", "a\n", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidSegment(s), upstreamValidSegment(s); got != want {
			t.Fatalf("ValidSegment(%q) = %v, upstream's expression says %v", s, got, want)
		}
	})
}
