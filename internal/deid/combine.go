package deid

import (
	"context"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Combining the rules with other detectors (the statistical tagger, the
// transformer model): their spans are added to the rules' (a union: recall
// first), except a span made only of what the rules know is not PHI — safe
// everyday or clinical words, clinical numbers claimed by the number grammar
// ("0/10", "EBL 250", "130-150S"), punctuation. A word the rules would
// consider (a name, a candidate, a capitalised word of a mixed-case line
// that is no everyday word) or any other number keeps the span.

// Plausible returns the spans of another detector that the rules do not veto
// (see above). spans are code-point offsets into text; order is kept.
func (r *Rules) Plausible(ctx context.Context, text string, spans []Span) []Span {
	if len(spans) == 0 || ctx.Err() != nil {
		return spans
	}
	sc := r.pool.Get().(*scan)
	defer r.pool.Put(sc)
	sc.reset(text, r.vocab)
	sc.scanNumbers()
	return sc.plausible(spans)
}

// plausible is Plausible on a scan of its text that has been reset and has
// run scanNumbers. A full run leaves what plausible reads as scanNumbers
// left it (token kinds, case, flags and keywords are set by reset; the
// clinical-number marks only by scanNumbers, from the tokens alone; the
// per-token candidate memo depends on the token alone), so the engine
// passes the scan of its rules run (Rules.recognizeKeep) instead of
// tokenizing the note again.
func (sc *scan) plausible(spans []Span) []Span {
	text := sc.text
	// code point → byte offsets, only when the text is not ASCII
	var cpByte []int
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			cpByte = make([]int, 0, len(text)+1)
			for b := range text {
				cpByte = append(cpByte, b)
			}
			cpByte = append(cpByte, len(text))
			break
		}
	}
	toByte := func(cp int) int {
		if cpByte == nil {
			return min(cp, len(text))
		}
		return cpByte[min(cp, len(cpByte)-1)]
	}
	out := make([]Span, 0, len(spans))
	k := 0 // first token that may overlap the current span (spans sorted or not: reset when going back)
	for _, s := range spans {
		bs, be := toByte(s.Start), toByte(s.End)
		if k > 0 && k < len(sc.toks) && sc.toks[k].s > bs || k >= len(sc.toks) {
			k = 0
		}
		for k < len(sc.toks) && sc.toks[k].e <= bs {
			k++
		}
		keep := false
		for m := k; m < len(sc.toks) && sc.toks[m].s < be; m++ {
			if sc.plausibleTok(m, s.Type) {
				keep = true
				break
			}
		}
		if keep {
			out = append(out, s)
		}
	}
	return out
}

// plausibleTok: token k may be (part of) PHI as far as the rules know.
func (sc *scan) plausibleTok(k int, typ Type) bool {
	t := sc.toks[k]
	switch t.kind {
	case kPunct:
		return false
	case kNum:
		return !sc.clinical[k]
	case kAlnum:
		return !sc.clinical[k]
	}
	if t.kw&(setMonth|setDay|setHoliday|setOrgHead|setStreet|setPlace) != 0 {
		return true // dates, and the head words of places
	}
	if t.kw != 0 || t.e-t.s < 2 {
		return false
	}
	if sc.candidate(k) {
		return true
	}
	f := t.flags
	if f&(lexicon.SafeCore) != 0 || f&lexicon.Common != 0 && f&lexicon.Name == 0 {
		// an everyday word: a known name tagged as a name ("ROSE", "grace"),
		// or a name or place capitalised in a mixed-case line
		return typ == TypeName && f&lexicon.Name != 0 && !functionWord(sc.lower(k)) ||
			t.cap && sc.caseAt(k) == caseMixed && f&(lexicon.Name|lexicon.City) != 0 && !sc.sentenceStart(k)
	}
	// a rarer word ("arbutus"), or one no list knows
	return true
}
