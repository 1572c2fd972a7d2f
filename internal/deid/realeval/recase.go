package realeval

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/trustgate/trustgate/internal/deid"
)

// Recase returns copies of notes written in one letter case, as a nurse with
// caps lock on ("upper") or one who never presses shift ("lower") would have
// written them; "" returns notes unchanged. Each rune maps to one rune, so the
// gold spans (code-point offsets) stay where they were. A mixed-case batch
// read this way tests the casing rules on words the engine was tuned on in
// another case: about 30 % of real nursing notes are in capitals and 26 % in
// lower case.
func Recase(notes []deid.GoldNote, mode string) ([]deid.GoldNote, error) {
	var f func(rune) rune
	switch mode {
	case "":
		return notes, nil
	case "upper":
		f = unicode.ToUpper
	case "lower":
		f = unicode.ToLower
	default:
		return nil, fmt.Errorf("recase: unknown case %q (want upper or lower)", mode)
	}
	out := make([]deid.GoldNote, len(notes))
	for i, n := range notes {
		out[i] = deid.GoldNote{Text: strings.Map(f, n.Text), Spans: n.Spans}
	}
	return out, nil
}
