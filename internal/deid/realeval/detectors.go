package realeval

import (
	"fmt"

	"github.com/trustgate/trustgate/internal/deid"
)

// NewDetector returns a named detector: "rules" is the rule engine alone.
func NewDetector(name string) (Detector, error) {
	switch name {
	case "rules":
		return deid.New().Detect, nil
	default:
		return nil, fmt.Errorf("unknown detector %q (want rules, tagger or both)", name)
	}
}
