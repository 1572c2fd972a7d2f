package realeval

import (
	"context"
	"fmt"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/tagger"
)

// Detectors are the names NewDetector knows.
var Detectors = []string{"rules", "tagger", "both"}

// NewDetector returns a named detector: "rules" is the rule engine alone,
// "tagger" the statistical tagger alone, "both" the engine with the tagger
// as a recognizer (the union of their spans, as the engine merges them).
func NewDetector(name string) (Detector, error) {
	switch name {
	case "rules":
		return deid.New().Detect, nil
	case "tagger":
		t, err := tagger.Load()
		if err != nil {
			return nil, err
		}
		return func(_ context.Context, text string) ([]deid.Span, error) {
			return deid.Resolve(t.Spans(text)), nil
		}, nil
	case "both":
		t, err := tagger.Load()
		if err != nil {
			return nil, err
		}
		return deid.New(deid.WithRecognizer(t)).Detect, nil
	default:
		return nil, fmt.Errorf("unknown detector %q (want rules, tagger or both)", name)
	}
}
