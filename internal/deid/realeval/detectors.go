package realeval

import (
	"context"
	"fmt"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/tagger"
)

// Detectors are the names NewDetector knows.
var Detectors = []string{"rules", "tagger", "both"}

// Option changes a detector.
type Option func(*options)

type options struct{ tagger *tagger.Tagger }

// WithTagger uses t instead of the embedded model.
func WithTagger(t *tagger.Tagger) Option { return func(o *options) { o.tagger = t } }

// NewDetector returns a named detector: "rules" is the rule engine alone,
// "tagger" the statistical tagger alone, "both" the engine with the tagger
// as a recognizer (the union of their spans, as the engine merges them).
func NewDetector(name string, opts ...Option) (Detector, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	load := func() (*tagger.Tagger, error) {
		if o.tagger != nil {
			return o.tagger, nil
		}
		return tagger.Load()
	}
	switch name {
	case "rules":
		return deid.New().Detect, nil
	case "tagger":
		t, err := load()
		if err != nil {
			return nil, err
		}
		return func(_ context.Context, text string) ([]deid.Span, error) {
			return deid.Resolve(t.Spans(text)), nil
		}, nil
	case "both":
		t, err := load()
		if err != nil {
			return nil, err
		}
		return deid.New(deid.WithRecognizer(t)).Detect, nil
	default:
		return nil, fmt.Errorf("unknown detector %q (want rules, tagger or both)", name)
	}
}
