// Package tagger is a statistical PHI tagger: an averaged perceptron over
// token features (word if known, shape, case, the note's casing, lexicon
// flags, neighbouring words and shapes, the two tags before), decoded
// greedily left to right into B/I/O tags per PHI type.
//
// It is trained by one reproducible command on the project's generated
// corpus (go run ./internal/deid/tagger/train, fixed seed; see README.md)
// and its weights are embedded (model.bin) and read where they lie: a start
// checks the layout and decodes nothing.
// A Tagger is a deid.Recognizer, so the rule engine can combine it:
//
//	t, err := tagger.Load()
//	e := deid.New(deid.WithRecognizer(t))
package tagger

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"sync"

	"github.com/trustgate/trustgate/internal/deid"
)

//go:embed model.bin
var modelBin []byte

// Name is the recognizer name on the spans a Tagger finds.
const Name = "tagger"

// Tagger tags PHI in clinical text. It is read-only after Load and safe for
// concurrent use.
type Tagger struct {
	m *Model
	// oPenalty is subtracted from the score of O (no PHI) at every token:
	// the recall knob (a missed name is a leak, an extra tag a lost word),
	// beyond the penalty baked into the fixed weights (baked).
	oPenalty float32
	// baked is the O penalty folded into the tag-transition weights by New
	// (DefaultOPenalty in whole quanta of the model's scale): it costs the
	// fast path nothing, where a nonzero oPenalty turns it off.
	baked float32
	// minConf, minConfAcronym: the confidence a span needs (confidence.go)
	minConf, minConfAcronym float32
	fixed                   *fixed
	ifixed                  *iFixed
	deny                    []ivec     // denyMasks
	pool                    *sync.Pool // of *wordCache
	// floatOnly: score every token with the float path (tests), also
	// set for models whose weight scale the fast path's bound does not cover
	floatOnly bool
}

// Model is a trained set of weights, laid out as in the model file (see
// model.go) so that the embedded file is read in place.
type Model struct {
	types []deid.Type // tag 0 is O; B-types[k] is 1+2k, I-types[k] is 2+2k
	scale float32     // weight = quantized * scale
	vocab []byte      // sorted uint32 hashes of the known words
	table []byte      // feature slots: key, start<<8 | count
	mask  uint32
	ents  []byte // tag<<16 | uint16(quantized weight)
}

var (
	loadOnce sync.Once
	loaded   *Tagger
	loadErr  error
)

// Load returns the embedded model, opened in place on the first call.
func Load() (*Tagger, error) {
	loadOnce.Do(func() {
		m, err := OpenModel(modelBin)
		if err != nil {
			loadErr = fmt.Errorf("tagger: embedded model: %w", err)
			return
		}
		loaded = New(m)
	})
	return loaded, loadErr
}

// New wraps a model (from ReadModel or Train) as a Tagger.
func New(m *Model) *Tagger {
	// the fast path's error bound holds for normal float32 weights
	s := float64(m.scale)
	t := &Tagger{m: m, fixed: m.fixedWeights(), ifixed: m.intFixed(), deny: denyMasks(m.nTags()), pool: newCachePool(),
		minConf: DefaultMinConfidence, minConfAcronym: DefaultMinConfidenceAcronym,
		floatOnly: !(s >= 1e-30 && s <= 1e30)}
	t.bake(DefaultOPenalty)
	return t
}

// bake folds an O penalty of p, rounded to whole quanta of the model's
// scale, into the tag-transition weights, which every token adds once
// (its O component, in the float sums and in the integer one the fast
// path starts from): the same tags as subtracting it from O's score at
// every token, without leaving the fast path. The penalty is then k quanta
// (k = p / scale, rounded), not p: the default is 50.21 units for the
// embedded model. A penalty of no whole quantum, or of more quanta than a
// weight holds, is left to oPenalty.
func (t *Tagger) bake(p float32) {
	t.oPenalty = p
	if p == 0 || t.floatOnly {
		return
	}
	k := math.Round(float64(p) / float64(t.m.scale))
	if k == 0 || k > 1<<15 {
		return
	}
	pe := float32(k) * t.m.scale
	for i := range t.fixed.tags {
		t.fixed.tags[i][0] -= pe
	}
	t.ifixed.tags00[0] -= int32(k)
	t.baked, t.oPenalty = pe, 0
}

// DefaultOPenalty is the recall knob's setting, chosen on development
// notes the model has not learnt (README.md; 0 until the thirty-sixth
// session's model). New bakes it into the weights in whole quanta of the
// model's scale (50 is 49 quanta of the embedded model's, 50.21 units).
const DefaultOPenalty float32 = 50

// WithOPenalty returns a copy of t that favours PHI tags by p (in weight
// units; 0 is the plain model), the penalty baked into t's weights
// included: a p other than that one leaves the fast path.
func (t *Tagger) WithOPenalty(p float32) *Tagger {
	c := *t
	c.oPenalty = p - t.baked
	return &c
}

// Name implements deid.Recognizer.
func (t *Tagger) Name() string { return Name }

// Recognize implements deid.Recognizer.
func (t *Tagger) Recognize(ctx context.Context, text string) ([]deid.Span, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return t.Spans(text), nil
}

// Spans returns the PHI spans the model finds in text, in order, without
// overlap, in code points. Any input is accepted (invalid UTF-8 bytes count
// as one code point each); the cost is linear in the length of the text.
func (t *Tagger) Spans(text string) []deid.Span { return t.AppendSpans(nil, text) }

// AppendSpans appends the spans Spans returns to dst (deid.SpanAppender:
// the engine passes a buffer it keeps between notes). With a nil dst and
// no span it returns nil.
func (t *Tagger) AppendSpans(dst []deid.Span, text string) []deid.Span {
	c := t.pool.Get().(*wordCache)
	defer t.pool.Put(c)
	defer c.release()
	if t.floatOnly {
		var casing byte
		c.toks, casing = tokenizeInto(c.toks[:0], text)
		tags := t.tagFloatAll(c, c.toks, casing)
		c.starts = spanStarts(c.starts[:0], tags)
		t.confidentFloat(c, c.toks, casing, tags)
		return t.m.spans(dst, c.starts, func(i int) (int, int) { return c.toks[i].start, c.toks[i].end }, tags)
	}
	var casing byte
	c.recs, casing = scanInto(c.recs[:0], text)
	return t.appendFast(dst, c, text, casing)
}

// AppendSpansTokens appends the spans AppendSpans appends, reading the
// rules' tokens of the note (deid.TokenSpanAppender) where they give the
// tagger's own (recsFromTokens), instead of scanning the note again.
func (t *Tagger) AppendSpansTokens(dst []deid.Span, text string, toks *deid.Tokens) []deid.Span {
	if t.floatOnly {
		return t.AppendSpans(dst, text)
	}
	c := t.pool.Get().(*wordCache)
	defer t.pool.Put(c)
	defer c.release()
	var casing byte
	var ok bool
	if c.recs, casing, ok = recsFromTokens(c.recs[:0], text, toks); !ok {
		c.recs, casing = scanInto(c.recs[:0], text)
	}
	return t.appendFast(dst, c, text, casing)
}

// appendFast tags c.recs, the tokens of text, by the fast path and appends
// their spans to dst.
func (t *Tagger) appendFast(dst []deid.Span, c *wordCache, text string, casing byte) []deid.Span {
	tags := t.tagFast(c, text, c.recs, casing)
	if t.confidentFast(c, c.recs, casing, tags) {
		return t.m.spansEnds(dst, c.starts, c.ends, c.recs, tags)
	}
	return t.m.spans(dst, c.starts, func(i int) (int, int) {
		r := &c.recs[i]
		return r.start, r.start + int(r.n)
	}, tags)
}

func (m *Model) nTags() int { return 1 + 2*len(m.types) }

// tag decodes greedily; scorer adds the weights of one feature.
func (m *Model) tag(toks []token) []uint8 {
	return decode(m, toks, m.addWeights)
}

// fold turns a 64-bit feature hash into a non-zero 32-bit table key.
func fold(f fh) uint32 {
	k := uint32(f) ^ uint32(f>>32)
	if k == 0 {
		k = 1
	}
	return k
}

// decode tags tokens left to right; I-X may only follow B-X or I-X.
func decode(m *Model, toks []token, add func(fh, []float32)) []uint8 {
	ws := make([]wordInfo, len(toks))
	for i, t := range toks {
		ws[i] = m.info(t)
	}
	casing := noteCasing(toks)
	tags := make([]uint8, len(toks))
	scores := make([]float32, m.nTags())
	var feats []fh
	for i := range toks {
		p1, p2 := prevTags(tags, i)
		feats = staticFeatures(feats[:0], ws, toks, i, casing)
		feats = tagFeatures(feats, ws, i, p1, p2)
		clear(scores)
		for _, f := range feats {
			add(f, scores)
		}
		tags[i] = best(scores, p1)
	}
	return tags
}

// prevTags returns the tags of the two tokens before token i (O before the
// note).
func prevTags(tags []uint8, i int) (p1, p2 uint8) {
	if i > 0 {
		p1 = tags[i-1]
	}
	if i > 1 {
		p2 = tags[i-2]
	}
	return p1, p2
}

func best(scores []float32, prev uint8) uint8 {
	// The tags in order (O, B-1, I-1, B-2, I-2, ...), the first highest wins;
	// an I tag is allowed only after its own B or I: at most one, j (even),
	// taken in its place between B-k (j-1) and B-k+1 (j+1).
	j := len(scores)
	if prev != 0 {
		j = min(j, int(prev)+int(prev)%2) // B-k is odd: I-k follows it
	}
	bi, bv := 0, float32(math.Inf(-1))
	if v := scores[0]; v > bv {
		bv = v
	}
	for i := 1; i < j; i += 2 {
		if v := scores[i]; v > bv {
			bi, bv = i, v
		}
	}
	if j < len(scores) {
		if v := scores[j]; v > bv {
			bi, bv = j, v
		}
		for i := j + 1; i < len(scores); i += 2 {
			if v := scores[i]; v > bv {
				bi, bv = i, v
			}
		}
	}
	return uint8(bi)
}

// spans turns the tags of n tokens into spans; pos gives a token's
// code-point offsets.
func (m *Model) spans(out []deid.Span, starts []int32, pos func(i int) (start, end int), tags []uint8) []deid.Span {
	if len(starts) == 0 {
		return out
	}
	if out == nil {
		out = make([]deid.Span, 0, len(starts))
	}
	for _, s := range starts {
		i := int(s)
		k := (tags[i] - 1) / 2
		j := i
		for j+1 < len(tags) && tags[j+1] == 2+2*k {
			j++
		}
		start, _ := pos(i)
		_, end := pos(j)
		out = append(out, deid.Span{Start: start, End: end, Type: m.types[k], Recognizer: Name})
	}
	return out
}

// spansEnds is spans for the spans of tokens starts[k]..ends[k] of recs,
// their ends known.
func (m *Model) spansEnds(out []deid.Span, starts, ends []int32, recs []rec, tags []uint8) []deid.Span {
	if len(starts) == 0 {
		return out
	}
	if out == nil {
		out = make([]deid.Span, 0, len(starts))
	}
	ends = ends[:len(starts)]
	for k, s := range starts {
		a, b := &recs[s], &recs[ends[k]]
		out = append(out, deid.Span{Start: a.start, End: b.start + int(b.n), Type: m.types[(tags[s]-1)/2], Recognizer: Name})
	}
	return out
}

// spanStarts appends to starts the tokens where a span starts: a B tag, or
// an I tag not after its own B or I (decoding never writes one: tagFast
// collects the B tags as it goes).
func spanStarts(starts []int32, tags []uint8) []int32 {
	for i, t := range tags {
		if t != 0 && (t%2 == 1 || i == 0 || tags[i-1] != t-1 && tags[i-1] != t) {
			starts = append(starts, int32(i))
		}
	}
	return starts
}

var (
	_ deid.Recognizer        = (*Tagger)(nil)
	_ deid.SpanAppender      = (*Tagger)(nil)
	_ deid.TokenSpanAppender = (*Tagger)(nil)
)
