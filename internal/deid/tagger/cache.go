package tagger

import (
	"strings"
	"sync"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Most features of a token belong to one word: its own (unigramFeatures)
// or its role as a neighbour at distance -2..2 (neighbourFeatures). Their
// weights are summed once per distinct word and note casing and kept in a
// cache, so tagging a token costs one cache look-up, a dozen additions of
// fixed-size vectors and the three word-pair features, instead of some
// thirty table look-ups.

// lanes is the width of a score vector: every tag of a model (at most
// 1+2*maxTypes) has a lane, the rest stay zero. A fixed size lets the
// additions run without bounds checks, unrolled, on one cache line.
const lanes = 16

// vec holds one score (or summed weight) per tag.
type vec [lanes]float32

// maxSum is the most vectors one token's score adds (sumVecs).
const maxSum = 16

// sumVecsGeneric is sumVecs in Go: each lane adds the sources in order,
// the same float32 additions as adding the weights one by one.
func sumVecsGeneric(dst *vec, srcs *[maxSum]*vec, n int) {
	for _, s := range srcs[:n] {
		for k := range dst {
			dst[k] += s[k]
		}
	}
}

// wordVecs holds the summed weights of one word's features, laid out in
// one allocation in the order a token's scoring reads them.
type wordVecs struct {
	nb    [4]vec // as the neighbour at distance -2, -1, +1, +2
	self  vec    // unigram features
	glued vec    // feature g of the next token when it is glued to this one
	xO    vec    // feature x (previous tag, shape, case) after O
	x     []vec  // feature x after tag p1 > 0, x[p1] (allocated on first use)
	xDone uint32 // bit p1: row p1 of x is computed
	// hash prefixes of the word-pair features this word opens: Q and R
	// with its key (its word or shape) first, Z with its shape first
	hQ, hR, hZ fh
	key        string // the word if known, else its shape
	info       wordInfo
}

// xRow returns the weights of feature x for previous tag p1, computing the
// row on first use: most tokens only ever follow O.
func (v *wordVecs) xRow(m *Model, p1 uint8) *vec {
	if p1 == 0 {
		return &v.xO
	}
	if v.x == nil {
		v.x = make([]vec, m.nTags())
	}
	row := &v.x[p1]
	if v.xDone&(1<<p1) == 0 {
		m.addWeights(newF('x').b(p1).s(v.info.shape).b(v.info.caseC), row[:])
		v.xDone |= 1 << p1
	}
	return row
}

// wordCache is one goroutine's cache; caches come from a sync.Pool, so a
// Tagger stays safe for concurrent use without locks.
type wordCache struct {
	// m[casing][text]: per note casing (noteMixed, noteUpper, noteLower),
	// string-keyed maps (the runtime's fast path for string keys)
	m [3]map[string]*wordVecs
	n int // words held in m
	// buffers of one Spans call, kept for the next when they are small
	toks []token
	recs []rec
	tags []uint8
	// tokens where a span starts (tagFast: its B tags)
	starts []int32
	// the last token of each span in starts, where confidentFast says so
	ends []int32
	// each token's lead over O, when tagRun scored the note (ic.psOK)
	leads []int32
	feats []fh
	ic    intCache // the fast path's memo
	// fallbacks counts the tokens scored by the float path (tests)
	fallbacks int
}

// maxKeptTokens: buffers for longer notes are not kept in the pool.
const maxKeptTokens = 1 << 16

// tagBuf returns the buffer for n tags.
func (c *wordCache) tagBuf(n int) []uint8 {
	if cap(c.tags) < n {
		c.tags = make([]uint8, 0, n)
	}
	c.tags = c.tags[:n]
	return c.tags
}

func (c *wordCache) release() {
	if cap(c.recs) > maxKeptTokens || cap(c.toks) > maxKeptTokens {
		c.toks, c.recs, c.tags, c.starts, c.ends, c.ic.ws, c.ic.ps, c.leads = nil, nil, nil, nil, nil, nil, nil, nil
	}
	// c.ic.ws and c.ic.ps are not cleared: the words and pairs they point
	// to are the memo's, or (a full memo) small records of no note text,
	// overwritten by the next note (clearing them cost a write barrier per
	// token while the collector marks)
	clear(c.toks) // the float path's slices of the note
}

// maxCached bounds one cache. A full cache takes no new words (the ones it
// holds came first and are the frequent ones); emptying it instead would
// make a stream of distinct numbers flush the common words again and again.
const maxCached = 32768

func nbIndex(d int) int {
	if d < 0 {
		return d + 2
	}
	return d + 1
}

func (t *Tagger) vecs(c *wordCache, tok token, casing byte, feats []fh) (*wordVecs, []fh) {
	if v, ok := c.m[casing][tok.text]; ok {
		return v, feats
	}
	m := t.m
	v := &wordVecs{info: m.info(tok)}
	// lower (and the key taken from it) may be a slice of the note:
	// strings.ToLower returns a lower-case word as it is, and v outlives
	// the note in the pooled cache
	v.info.lower = strings.Clone(v.info.lower)
	feats = unigramFeatures(feats[:0], v.info, casing)
	for _, f := range feats {
		m.addWeights(f, v.self[:])
	}
	for _, d := range []int{-2, -1, 1, 2} {
		i := nbIndex(d)
		feats = neighbourFeatures(feats[:0], v.info, d)
		for _, f := range feats {
			m.addWeights(f, v.nb[i][:])
		}
	}
	m.addWeights(newF('g').s(v.info.shape), v.glued[:])
	m.addWeights(newF('x').b(0).s(v.info.shape).b(v.info.caseC), v.xO[:])
	v.key = v.info.shape
	if v.info.known {
		v.key = v.info.lower
	}
	v.hQ, v.hR, v.hZ = newF('Q').s(v.key), newF('R').s(v.key), newF('Z').s(v.info.shape)
	if c.n < maxCached {
		if c.m[casing] == nil {
			c.m[casing] = make(map[string]*wordVecs, 1024)
		}
		c.m[casing][strings.Clone(tok.text)] = v // do not keep the whole note alive
		c.n++
	}
	return v, feats
}

// fixed holds the summed weights of features whose values come from small
// sets, computed once per model: boundaries, line breaks, the case pair of
// neighbours, and the two previous tags.
type fixed struct {
	edge [4]vec // E, per distance
	nl   [5]vec // N, per case class
	br   [4]vec // B, per distance (only -1 and +1 used)
	cp   []vec  // C, per (distance, cases, flags): cpIndex
	tags []vec  // t and T, per (p1, p2): p1*nTags+p2
}

func cpIndex(d int, vc, wc, vl, wl byte) int {
	di := 0
	if d > 0 {
		di = 1
	}
	return (((di*5+int(vc))*5+int(wc))*4+int(vl))*4 + int(wl)
}

func (m *Model) fixedWeights() *fixed {
	n := m.nTags()
	f := &fixed{}
	sum := func(v *vec, feats ...fh) {
		for _, x := range feats {
			m.addWeights(x, v[:])
		}
	}
	for _, d := range []int{-2, -1, 1, 2} {
		sum(&f.edge[nbIndex(d)], boundaryFeature(d))
		sum(&f.br[nbIndex(d)], newF('B').b(byte(d+2)))
	}
	for c := range 5 {
		sum(&f.nl[c], newF('N').b(byte(c)))
	}
	f.cp = make([]vec, 2*5*5*4*4)
	for _, d := range []int{-1, 1} {
		for vc := range byte(5) {
			for wc := range byte(5) {
				for vl := range byte(4) {
					for wl := range byte(4) {
						sum(&f.cp[cpIndex(d, vc, wc, vl, wl)], newF('C').b(byte(d+2)).b(vc).b(wc).b(vl).b(wl))
					}
				}
			}
		}
	}
	f.tags = make([]vec, n*n)
	for p1 := range n {
		for p2 := range n {
			sum(&f.tags[p1*n+p2], newF('t').b(uint8(p1)), newF('T').b(uint8(p1)).b(uint8(p2)))
		}
	}
	return f
}

// featVec sets v to the weights of feature f, summed as denseWeights once
// did (from zero, in the model's order), and reports whether the model
// has the feature.
func (m *Model) featVec(f fh, v *vec) bool {
	if m.weights(f) == nil {
		return false
	}
	*v = vec{}
	m.addWeights(f, v[:])
	return true
}

func newCachePool() *sync.Pool {
	return &sync.Pool{New: func() any { return &wordCache{} }}
}

// tagFloat scores token i in float32, adding the per-word sums of the
// cache, the fixed tables and the word-pair features in the order that
// defines the tagger's answer (that of the features in staticFeatures and
// tagFeatures, each per-word sum from zero), and picks its tag. The fast
// path (tagFast) falls back to it when rounding could matter. It reads
// toks[i-2:i+3] only, so a window of them will do.
func (t *Tagger) tagFloat(c *wordCache, toks []token, casing byte, i int, p1, p2 uint8) uint8 {
	var near [5]*wordVecs
	return t.tagFloatNear(c, toks, casing, i, p1, p2, &near)
}

// tagFloatNear is tagFloat with the vectors of the words at i-2 to i+2
// in near (nil: not known; scoreFloat sets them).
func (t *Tagger) tagFloatNear(c *wordCache, toks []token, casing byte, i int, p1, p2 uint8, near *[5]*wordVecs) uint8 {
	scores := t.scoreFloat(c, toks, casing, i, p1, p2, near)
	return best(scores[:t.m.nTags()], p1)
}

// scoreFloat returns the float32 scores of token i after the tags p1, p2
// (the O penalty subtracted from O), as tagFloat adds them; near[j-i+2]
// holds the vectors of the word at j (vecs) where known, and takes those
// it looks up.
func (t *Tagger) scoreFloat(c *wordCache, toks []token, casing byte, i int, p1, p2 uint8, near *[5]*wordVecs) vec {
	m, fx := t.m, t.fixed
	n := m.nTags()
	const nc = lexicon.Name | lexicon.Common
	last := len(toks) - 1
	// the words at i-2 to i+2, each looked up once (vecs: a map look-up
	// by its text)
	vs := func(j int) *wordVecs {
		v := &near[j-i+2]
		if *v == nil {
			*v, c.feats = t.vecs(c, toks[j], casing, c.feats)
		}
		return *v
	}
	tok := &toks[i]
	v := vs(i)
	w := &v.info
	var src [maxSum]*vec
	var pairs [3]vec
	k := 0
	add := func(x *vec) {
		src[k] = x
		k++
	}
	// neighbours at -2, -1, +1, +2
	if i >= 2 {
		add(&vs(i - 2).nb[0])
	} else {
		add(&fx.edge[0])
	}
	if i >= 1 {
		add(&vs(i - 1).nb[1])
	} else {
		add(&fx.edge[1])
	}
	if i < last {
		add(&vs(i + 1).nb[2])
	} else {
		add(&fx.edge[2])
	}
	if i+1 < last {
		add(&vs(i + 2).nb[3])
	} else {
		add(&fx.edge[3])
	}
	if tok.nl {
		add(&fx.nl[w.caseC])
	}
	if !tok.space && i > 0 {
		add(&vs(i - 1).glued)
	}
	if i > 0 {
		p := &vs(i - 1).info
		add(&fx.cp[cpIndex(-1, p.caseC, w.caseC, byte(p.lex&nc), byte(w.lex&nc))])
		if tok.nl {
			add(&fx.br[1])
		}
	}
	if i < last {
		nx := &vs(i + 1).info
		add(&fx.cp[cpIndex(1, nx.caseC, w.caseC, byte(nx.lex&nc), byte(w.lex&nc))])
		if toks[i+1].nl {
			add(&fx.br[2])
		}
	}
	// word pairs: Q (previous key, shape), R (key -2, key -1), Z (shape, next key)
	if i > 0 {
		if m.featVec(vs(i-1).hQ.s(w.shape), &pairs[0]) {
			add(&pairs[0])
		}
		if i > 1 && m.featVec(vs(i-2).hR.s(vs(i-1).key), &pairs[1]) {
			add(&pairs[1])
		}
	}
	if i < last && m.featVec(v.hZ.s(vs(i+1).key), &pairs[2]) {
		add(&pairs[2])
	}
	add(&fx.tags[int(p1)*n+int(p2)])
	add(v.xRow(m, p1))
	scores := v.self
	sumVecs(&scores, &src, k)
	scores[0] -= t.oPenalty
	return scores
}

// tagFloatAll tags toks (of note casing casing) with the float path alone.
func (t *Tagger) tagFloatAll(c *wordCache, toks []token, casing byte) []uint8 {
	tags := c.tagBuf(len(toks))
	for i := range toks {
		p1, p2 := prevTags(tags, i)
		tags[i] = t.tagFloat(c, toks, casing, i, p1, p2)
	}
	return tags
}
