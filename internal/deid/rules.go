package deid

import "context"

// Rules is the built-in rule recognizer: patterns, context rules and lexicons.
type Rules struct{}

var defaultRules = &Rules{}

// DefaultRules returns the shared rule recognizer (safe for concurrent use).
func DefaultRules() *Rules { return defaultRules }

// Name implements Recognizer.
func (r *Rules) Name() string { return "rules" }

// Recognize implements Recognizer.
func (r *Rules) Recognize(ctx context.Context, text string) ([]Span, error) {
	return nil, nil
}
