package webapp

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
)

func TestRedactEndpoint(t *testing.T) {
	a := startApp(t, Config{MaxNoteBytes: 1 << 10}, false)
	a.waitReady()
	for _, tc := range []struct {
		name string
		body string
		code int
		want string
	}{
		{"seed example", "Dr. Strange admitted John Doe to Mount Rushmore Hospital on 2023-05-12",
			http.StatusOK, "Dr. [NAME] admitted [NAME] to [LOCATION] on [DATE]\n"},
		{"empty", "  \n", http.StatusBadRequest, "empty"},
		{"invalid UTF-8", "Pt \xff\xfe", http.StatusBadRequest, "UTF-8"},
		{"too large", strings.Repeat("a", 2<<10), http.StatusRequestEntityTooLarge, "limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := a.client.Post(a.ts.URL+"/api/redact", "text/plain", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b := new(strings.Builder)
			_, _ = io.Copy(b, resp.Body)
			if resp.StatusCode != tc.code || !strings.Contains(b.String(), tc.want) {
				t.Fatalf("%d %q, want %d containing %q", resp.StatusCode, b.String(), tc.code, tc.want)
			}
			if tc.code == http.StatusOK && b.String() != tc.want {
				t.Fatalf("got %q, want exactly %q", b.String(), tc.want)
			}
		})
	}
}

// TestRedactEngineLimit: a note within the app's limit but over the
// engine's is the client's problem (413), not a server fault (500).
func TestRedactEngineLimit(t *testing.T) {
	a := startApp(t, Config{MaxNoteBytes: 4 << 10, Detector: deid.New(deid.WithMaxBytes(1 << 10))}, false)
	a.waitReady()
	resp, err := a.client.Post(a.ts.URL+"/api/redact", "text/plain", strings.NewReader(strings.Repeat("a", 2<<10)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b := new(strings.Builder)
	_, _ = io.Copy(b, resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(b.String(), "too long") {
		t.Fatalf("%d %q, want 413 saying the note is too long", resp.StatusCode, b.String())
	}
}
