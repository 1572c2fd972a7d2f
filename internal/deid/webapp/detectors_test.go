package webapp

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
)

type fixedDetector struct{}

func (fixedDetector) Detect(context.Context, string) ([]deid.Span, error) { return nil, nil }

type stubRec struct{ name string }

func (s stubRec) Name() string { return s.name }
func (stubRec) Recognize(context.Context, string) ([]deid.Span, error) {
	return nil, nil
}

// TestDetectorsShown: every note records which detectors ran on it, and the
// browser's view carries the list (the page prints it above the note).
func TestDetectorsShown(t *testing.T) {
	for _, tc := range []struct {
		d    Detector
		want []string
	}{
		{deid.New(), []string{"rules"}},
		{deid.New(deid.WithRecognizer(stubRec{"tagger"}), deid.WithRecognizer(stubRec{"ner"})), []string{"rules", "tagger", "ner"}},
		{fixedDetector{}, []string{"detector"}},
	} {
		s := &Server{cfg: Config{Detector: tc.d, Mode: deid.ModeTags}}
		n, msg := s.newNote(httptest.NewRequest("POST", "/api/notes", nil), incoming{name: "n.txt", text: "Seen by Dr. Wilson today."})
		if n == nil {
			t.Fatalf("newNote: %s", msg)
		}
		if got := n.view().Detectors; !slices.Equal(got, tc.want) {
			t.Errorf("detectors = %v, want %v", got, tc.want)
		}
	}
}
