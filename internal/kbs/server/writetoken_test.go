package server

import (
	"net/http/httptest"
	"testing"

	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/kbs"
)

// TestWriteTokenMatchesWriteJSON: the attestation answer writeToken builds
// is byte for byte what encoding/json gives, headers included, for a real
// token and for strings JSON must escape.
func TestWriteTokenMatchesWriteJSON(t *testing.T) {
	key, err := ear.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	iss, err := ear.NewIssuer(key, ear.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := iss.Issue(ear.Appraisal{Tee: "sample", TrustVector: map[string]int{"hardware": 97}, PolicyID: "default"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{tok, "", "a.b.c", `a"b`, `a\b`, "<a&b>", "a\u2028b", "a\nb", "\xff", "é"} {
		got, want := httptest.NewRecorder(), httptest.NewRecorder()
		writeToken(got, s)
		writeJSON(want, 200, kbs.TokenResponse{Token: s})
		if got.Code != want.Code || got.Body.String() != want.Body.String() {
			t.Errorf("writeToken(%q) = %d %q, writeJSON gives %d %q", s, got.Code, got.Body, want.Code, want.Body)
		}
		for _, h := range []string{"Content-Type", "Cache-Control"} {
			if got.Header().Get(h) != want.Header().Get(h) {
				t.Errorf("writeToken(%q): %s %q, writeJSON gives %q", s, h, got.Header().Get(h), want.Header().Get(h))
			}
		}
	}
}
