//go:build cgo

package up

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/deid/ner/onnxgen"
	"github.com/trustgate/trustgate/internal/testenv"
)

// TestUpWithModel: `up --model DIR` gives the deid app the model. The tiny
// generated model plants one answer (" Quaxley" is a patient, a name no rule
// knows); a note sent through the sidecar lists the model among the detectors
// that ran, and the planted span comes from it.
func TestUpWithModel(t *testing.T) {
	testenv.Require(t, testenv.ONNXRuntime) // ner.Load reads it, as `deid serve` does
	model := t.TempDir()
	if err := onnxgen.WriteTiny(model, onnxgen.Tiny{Tokens: map[string]string{" Quaxley": "U-PATIENT"}, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	s, out, _ := startTestStack(t, context.Background(), "-", func(o *Options) { o.Model = model })
	defer s.Close()
	tc, err := s.ClientTLS()
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}

	const text = "Seen today: Quaxley walked in."
	_, raw := uploadNote(t, c, s.SidecarURL, text)
	var n struct {
		Detectors []string `json:"detectors"`
		Spans     []struct {
			Start, End int
			Recognizer string
		} `json:"spans"`
	}
	if err := json.Unmarshal(raw, &n); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(n.Detectors, []string{"rules", "ner"}) {
		t.Errorf("detectors that ran = %v, want rules and the model (ner)", n.Detectors)
	}
	start := len([]rune(text[:strings.Index(text, "Quaxley")]))
	found := false
	for _, sp := range n.Spans {
		if sp.Recognizer == "ner" && sp.Start == start && sp.End == start+len("Quaxley") {
			found = true
		}
	}
	if !found {
		b, _ := json.Marshal(n.Spans)
		t.Errorf("no span from the model over the planted name; spans: %s", b)
	}
	if !strings.Contains(out.String(), "deid model loaded") {
		t.Errorf("progress does not say the model loaded:\n%s", out.String())
	}
}
