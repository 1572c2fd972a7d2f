package tagger

import "math"

// Span confidence. Greedy decoding turns a token into PHI as soon as one
// PHI tag scores above O, however slightly; on notes the tagger has not
// seen, many false alarms are such spans (an everyday word at the head of
// a line, an abbreviation, a word after a name). The confidence of a span
// is the sum, over its tokens, of the lead of the token's tag over O (in
// weight units, the O penalty included); a span under the threshold is
// dropped. A span of one word in capitals in a note that is not written in
// capitals (an abbreviation as often as a name: "GB", "IOC", "AARP") needs
// a higher one. The thresholds were chosen on the development sets by
// leaving one set out (README.md, docs/deid.md).

// Default confidence thresholds (WithMinConfidence), in weight units.
const (
	DefaultMinConfidence        float32 = 20
	DefaultMinConfidenceAcronym float32 = 60
)

// WithMinConfidence returns a copy of t that drops spans whose confidence
// is under c, or under acronym for a span of one word in capitals in a note
// not written in capitals; 0, 0 keeps every span, and so does a negative
// or NaN threshold (so that every path of the tagger reads it alike).
func (t *Tagger) WithMinConfidence(c, acronym float32) *Tagger {
	n := *t
	n.minConf, n.minConfAcronym = keepAllIfUnset(c), keepAllIfUnset(acronym)
	return &n
}

// keepAllIfUnset returns th, or 0 (keep every span) for a negative or NaN
// threshold.
func keepAllIfUnset(th float32) float32 {
	if !(th > 0) {
		return 0
	}
	return th
}

// threshold returns the confidence a span needs: acronym is true for a
// span of one word in capitals in a note not written in capitals.
func (t *Tagger) threshold(acronym bool) float64 {
	th := t.minConf
	if acronym {
		th = t.minConfAcronym
	}
	if th <= 0 {
		return math.Inf(-1) // no threshold: every span is kept
	}
	return float64(th)
}

// isAcronym: a span of the single token of info w, in a note of casing
// casing, is a word in capitals outside a note in capitals.
func isAcronym(w *wordInfo, casing byte) bool {
	return w.alpha && w.caseC == 2 && casing != noteUpper
}

// spanEnd returns the last token of the span that starts at token i.
func spanEnd(tags []uint8, i int) int {
	in := tags[i] + tags[i]%2 // I-k: B-k (odd) + 1, or the I tag itself
	j := i
	for j+1 < len(tags) && tags[j+1] == in {
		j++
	}
	return j
}

// confidentFast removes from c.starts the spans under their threshold,
// tags and words (c.ic.ws) as tagFast left them. A token's scores are the
// integer sums tagFast decides on (leadFast); the confidence is their lead
// in weight units (times the model's scale). It reports whether c.ends
// holds the last token of each span kept (after tagRun, the common case).
func (t *Tagger) confidentFast(c *wordCache, toks []rec, casing byte, tags []uint8) (ends bool) {
	if t.minConf <= 0 && t.minConfAcronym <= 0 || len(c.starts) == 0 {
		return false
	}
	ws := c.ic.ws[:len(toks)]
	out := c.starts[:0]
	if t.oPenalty == 0 && c.ic.psOK {
		// the leads tagRun left, summed as each span's end is found; the
		// ends of the spans kept go to c.ends (appendFast reads them)
		base, acr := minLead(t.minConf, t.m.scale), minLead(t.minConfAcronym, t.m.scale)
		leads := c.leads[:len(tags)]
		if cap(c.ends) < len(c.starts) {
			c.ends = make([]int32, len(c.starts))
		}
		// the kept spans are moved down in starts (a local copy of the
		// slice: the stores to it cannot change it, so it is not loaded
		// again for each)
		starts := c.starts
		ends := c.ends[:len(starts)]
		k := 0
		for _, st := range starts {
			i := int(st)
			in := tags[i] + tags[i]%2 // see spanEnd
			lead := int64(leads[i])
			j := i
			for j+1 < len(tags) && tags[j+1] == in {
				lead += int64(leads[j+1])
				j++
			}
			need := base
			if i == j && isAcronym(&ws[i].cl.info, casing) {
				need = acr
			}
			if lead >= need {
				starts[k], ends[k] = st, int32(j)
				k++
			}
		}
		c.starts, c.ends = starts[:k], ends[:k]
		return true
	}
	if t.oPenalty == 0 {
		// in integer units: the least lead that reaches each threshold
		base, acr := minLead(t.minConf, t.m.scale), minLead(t.minConfAcronym, t.m.scale)
		for _, st := range c.starts {
			i := int(st)
			j := spanEnd(tags, i)
			need := base
			if i == j && isAcronym(&ws[i].cl.info, casing) {
				need = acr
			}
			if t.leadReaches(&c.ic, toks, ws, tags, i, j, need) {
				out = append(out, st)
			}
		}
		c.starts = out
		return false
	}
	for _, st := range c.starts {
		i := int(st)
		j := spanEnd(tags, i)
		if t.confidentSpan(&c.ic, toks, ws, tags, i, j, t.threshold(i == j && isAcronym(&ws[i].cl.info, casing))) {
			out = append(out, st)
		}
	}
	c.starts = out
	return false
}

// noLead is a lead no span's summed lead reaches (a span has at most a
// few thousand tokens, each lead under 2^31).
const noLead = 1 << 62

// minLead returns the least integer lead L with float64(L)*scale >= th:
// without an O penalty, confFast >= th exactly when the summed lead is at
// least L.
func minLead(th float32, scale float32) int64 {
	if th <= 0 {
		return math.MinInt64 / 2 // no threshold: every span is kept
	}
	s, f := float64(scale), float64(th)
	q := f / s
	if !(q < noLead) {
		// Out of int64's range (or NaN): no summed lead reaches it, as no
		// float confidence reaches th.
		return noLead
	}
	l := int64(math.Ceil(q))
	for float64(l-1)*s >= f {
		l--
	}
	for float64(l)*s < f {
		l++
	}
	return l
}

// leadReaches reports whether the summed lead of tokens i..j reaches need
// (integer units, no O penalty), decided as soon as the tokens not yet
// summed cannot bring it under need (see confidentSpan).
func (t *Tagger) leadReaches(ic *intCache, toks []rec, ws []*word, tags []uint8, i, j int, need int64) bool {
	var lead int64
	for x := i; ; x++ {
		lead += t.leadFast(ic, toks, ws, tags, x)
		if x == j {
			return lead >= need
		}
		if lead-fallbackMargin*int64(j-x) >= need {
			return true
		}
	}
}

// confidentSpan reports whether the span of tokens i..j reaches threshold
// th: confFast >= th, decided as soon as the tokens not yet summed cannot
// bring it under th. Each token adds at least -fallbackMargin units, its
// share of the O penalty included: a token the integer sums decide leads
// the penalised O by more than the margin, one the float path decides
// leads it there, so by more than -3.52 units in the integer sums (fast.go).
func (t *Tagger) confidentSpan(ic *intCache, toks []rec, ws []*word, tags []uint8, i, j int, th float64) bool {
	scale, pen := float64(t.m.scale), float64(t.oPenalty)
	var lead int64
	for x := i; x <= j; x++ {
		lead += t.leadFast(ic, toks, ws, tags, x)
		if x < j && float64(lead-fallbackMargin*int64(j-x))*scale+float64(x-i+1)*pen >= th {
			return true
		}
	}
	return float64(lead)*scale+float64(j-i+1)*pen >= th
}

// confFast is the confidence of the span of tokens i..j by the integer
// sums.
func (t *Tagger) confFast(ic *intCache, toks []rec, ws []*word, tags []uint8, i, j int) float64 {
	var lead int64
	for x := i; x <= j; x++ {
		lead += t.leadFast(ic, toks, ws, tags, x)
	}
	return float64(lead)*float64(t.m.scale) + float64(j-i+1)*float64(t.oPenalty)
}

// leadFast returns the lead of token i's tag over O in the integer sums
// scoreToken adds (its word, the pairs around it, the class two ahead, the
// corrections after a tag other than O), reading only those two lanes of
// the memoised pairs when the last tagFast scored by runs (ic.psOK).
func (t *Tagger) leadFast(ic *intCache, toks []rec, ws []*word, tags []uint8, i int) int64 {
	if !ic.psOK {
		s := t.tokenScore(ic, toks, ws, i, tags)
		return int64(s[tags[i]]) - int64(s[0])
	}
	fx, n, w, g := t.ifixed, t.m.nTags(), ws[i], tags[i]
	ps := ic.ps
	h := func(v *hvec) int64 { return int64(v[g]) - int64(v[0]) }
	d := func(v *ivec) int64 { return int64(v[g]) - int64(v[0]) }
	lead := d(&w.own) + h(&ps[i].toB) + h(&ps[i+1].toA)
	if i > 0 {
		lead += h(&ps[i-1].toC)
	} else {
		lead += d(&fx.edge[nbIndex(-2)])
	}
	if i+2 < len(toks) {
		lead += d(&ws[i+2].cl.nb[nbIndex(2)])
	} else {
		lead += d(&fx.edge[nbIndex(2)])
	}
	if p1, p2 := prevTags(tags, i); p1|p2 != 0 {
		lead += d(&fx.tagDelta[int(p1)*n+int(p2)])
		if p1 != 0 {
			lead += d(t.xDelta(w.cl, p1))
		}
	}
	return lead
}

// tokenScore returns the integer scores of token i after the tags before
// it, as scoreToken sums them (the pairs asked of the memo, or computed).
func (t *Tagger) tokenScore(ic *intCache, toks []rec, ws []*word, i int, tags []uint8) ivec {
	fx, n, w := t.ifixed, t.m.nTags(), ws[i]
	s := w.own
	var a *wclass
	if i > 0 {
		a = ws[i-1].cl
	}
	addIvec(&s, &t.pair(ic, a, w.cl, toks[i].flags).toB)
	if i+1 < len(toks) {
		addIvec(&s, &t.pair(ic, w.cl, ws[i+1].cl, toks[i+1].flags).toA)
	} else {
		addIvec(&s, &t.pair(ic, w.cl, nil, 0).toA)
	}
	if i > 0 {
		var a2 *wclass
		if i > 1 {
			a2 = ws[i-2].cl
		}
		addIvec(&s, &t.pair(ic, a2, ws[i-1].cl, toks[i-1].flags).toC)
	} else {
		addIvec(&s, &fx.edge[nbIndex(-2)])
	}
	if i+2 < len(toks) {
		addIvec(&s, &ws[i+2].cl.nb[nbIndex(2)])
	} else {
		addIvec(&s, &fx.edge[nbIndex(2)])
	}
	p1, p2 := prevTags(tags, i)
	if p1|p2 != 0 {
		addIvec(&s, &fx.tagDelta[int(p1)*n+int(p2)])
		if p1 != 0 {
			addIvec(&s, t.xDelta(w.cl, p1))
		}
	}
	return s
}

// confidentFloat is confidentFast for the float path (a model whose scale
// the fast path does not cover): the leads are those of scoreFloat.
func (t *Tagger) confidentFloat(c *wordCache, toks []token, casing byte, tags []uint8) {
	if t.minConf <= 0 && t.minConfAcronym <= 0 || len(c.starts) == 0 {
		return
	}
	out := c.starts[:0]
	for _, st := range c.starts {
		i := int(st)
		j := spanEnd(tags, i)
		var acronym bool
		if i == j {
			w := t.m.info(toks[i])
			acronym = isAcronym(&w, casing)
		}
		if t.confFloat(c, toks, casing, tags, i, j) >= t.threshold(acronym) {
			out = append(out, st)
		}
	}
	c.starts = out
}

// confFloat is the confidence of the span of tokens i..j by the float
// scores.
func (t *Tagger) confFloat(c *wordCache, toks []token, casing byte, tags []uint8, i, j int) float64 {
	var lead float64
	for x := i; x <= j; x++ {
		p1, p2 := prevTags(tags, x)
		var near [5]*wordVecs
		s := t.scoreFloat(c, toks, casing, x, p1, p2, &near)
		lead += float64(s[tags[x]]) - float64(s[0])
	}
	return lead
}
