package tagger

import (
	"slices"
	"strings"
	"sync"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Most features of a token belong to one word: its own (unigramFeatures)
// or its role as a neighbour at distance -2..2 (neighbourFeatures). Their
// weights are summed once per distinct word and note casing and kept in a
// cache, so tagging a token costs one cache look-up, five vector additions
// and the few pair and tag features, instead of some thirty table look-ups.

// wordVecs holds the summed weights of one word's features.
type wordVecs struct {
	info  wordInfo
	self  []float32    // unigram features
	nb    [4][]float32 // as the neighbour at distance -2, -1, +1, +2
	glued []float32    // feature g of the next token when it is glued to this one
	x     []float32    // feature x (previous tag, shape, case): x[p1*nTags+k]
	xDone uint32       // bit p1: row p1 of x is computed (rows are filled on first use)
}

// xRow returns the weights of feature x for previous tag p1, computing the
// row on first use: most tokens only ever follow O.
func (v *wordVecs) xRow(m *Model, p1 uint8, n int) []float32 {
	row := v.x[int(p1)*n : (int(p1)+1)*n]
	if v.xDone&(1<<p1) == 0 {
		m.addWeights(newF('x').b(p1).s(v.info.shape).b(v.info.caseC), row)
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
	toks   []token
	vs     []*wordVecs
	tags   []uint8
	scores []float32
	feats  []fh
}

// maxKeptTokens: buffers for longer notes are not kept in the pool.
const maxKeptTokens = 1 << 16

func (c *wordCache) release() {
	if cap(c.toks) > maxKeptTokens {
		c.toks, c.vs, c.tags = nil, nil, nil
	}
	clear(c.vs) // drop pointers to words no longer cached
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
	n := m.nTags()
	v := &wordVecs{info: m.info(tok)}
	buf := make([]float32, 6*n+n*n)
	v.self = buf[:n:n]
	feats = unigramFeatures(feats[:0], v.info, casing)
	for _, f := range feats {
		m.addWeights(f, v.self)
	}
	for _, d := range []int{-2, -1, 1, 2} {
		i := nbIndex(d)
		v.nb[i] = buf[(i+1)*n : (i+2)*n : (i+2)*n]
		feats = neighbourFeatures(feats[:0], v.info, d)
		for _, f := range feats {
			m.addWeights(f, v.nb[i])
		}
	}
	v.glued = buf[5*n : 6*n : 6*n]
	m.addWeights(newF('g').s(v.info.shape), v.glued)
	v.x = buf[6*n:]
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
	edge [4][]float32 // E, per distance
	nl   [5][]float32 // N, per case class
	br   [4][]float32 // B, per distance (only -1 and +1 used)
	cp   [][]float32  // C, per (distance, cases, flags): cpIndex
	tags [][]float32  // t and T, per (p1, p2): p1*nTags+p2
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
	vec := func(feats ...fh) []float32 {
		v := make([]float32, n)
		for _, x := range feats {
			m.addWeights(x, v)
		}
		return v
	}
	for _, d := range []int{-2, -1, 1, 2} {
		f.edge[nbIndex(d)] = vec(boundaryFeature(d))
		f.br[nbIndex(d)] = vec(newF('B').b(byte(d + 2)))
	}
	for c := range 5 {
		f.nl[c] = vec(newF('N').b(byte(c)))
	}
	f.cp = make([][]float32, 2*5*5*4*4)
	for _, d := range []int{-1, 1} {
		for vc := range byte(5) {
			for wc := range byte(5) {
				for vl := range byte(4) {
					for wl := range byte(4) {
						f.cp[cpIndex(d, vc, wc, vl, wl)] = vec(newF('C').b(byte(d + 2)).b(vc).b(wc).b(vl).b(wl))
					}
				}
			}
		}
	}
	f.tags = make([][]float32, n*n)
	for p1 := range n {
		for p2 := range n {
			f.tags[p1*n+p2] = vec(newF('t').b(uint8(p1)), newF('T').b(uint8(p1)).b(uint8(p2)))
		}
	}
	return f
}

func addVec(dst, src []float32) {
	src = src[:len(dst)]
	for k := range dst {
		dst[k] += src[k]
	}
}

func newCachePool() *sync.Pool {
	return &sync.Pool{New: func() any { return &wordCache{} }}
}

// tagCached decodes like decode, with the per-word sums from the cache and
// the fixed tables; only the word-pair features Q, R and Z are looked up
// per token.
func (t *Tagger) tagCached(c *wordCache, toks []token) []uint8 {
	m, fx := t.m, t.fixed
	n := m.nTags()
	casing := noteCasing(toks)
	vs := slices.Grow(c.vs[:0], len(toks))[:len(toks)]
	feats := c.feats
	for i, tok := range toks {
		vs[i], feats = t.vecs(c, tok, casing, feats)
	}
	const nc = lexicon.Name | lexicon.Common
	tags := slices.Grow(c.tags[:0], len(toks))[:len(toks)]
	scores := slices.Grow(c.scores[:0], n)[:n]
	c.vs, c.tags, c.scores = vs, tags, scores
	defer func() { c.feats = feats }()
	for i, tok := range toks {
		var p1, p2 uint8
		if i > 0 {
			p1 = tags[i-1]
		}
		if i > 1 {
			p2 = tags[i-2]
		}
		w := &vs[i].info
		copy(scores, vs[i].self)
		for _, d := range []int{-2, -1, 1, 2} {
			if j := i + d; j < 0 || j >= len(toks) {
				addVec(scores, fx.edge[nbIndex(d)])
			} else {
				addVec(scores, vs[j].nb[nbIndex(d)])
			}
		}
		if tok.nl {
			addVec(scores, fx.nl[w.caseC])
		}
		if !tok.space && i > 0 {
			addVec(scores, vs[i-1].glued)
		}
		for _, d := range []int{-1, 1} {
			j := i + d
			if j < 0 || j >= len(toks) {
				continue
			}
			v := &vs[j].info
			addVec(scores, fx.cp[cpIndex(d, v.caseC, w.caseC, byte(v.lex&nc), byte(w.lex&nc))])
			if toks[max(i, j)].nl {
				addVec(scores, fx.br[nbIndex(d)])
			}
		}
		feats = wordPairFeatures(feats[:0], vs, i)
		for _, f := range feats {
			m.addWeights(f, scores)
		}
		addVec(scores, fx.tags[int(p1)*n+int(p2)])
		addVec(scores, vs[i].xRow(m, p1, n))
		scores[0] -= t.oPenalty
		tags[i] = best(scores, p1)
	}
	return tags
}

// wordPairFeatures are the Q, R and Z features of pairFeatures.
func wordPairFeatures(out []fh, vs []*wordVecs, i int) []fh {
	key := func(v *wordInfo) string {
		if v.known {
			return v.lower
		}
		return v.shape
	}
	w := &vs[i].info
	if i > 0 {
		pw := key(&vs[i-1].info)
		out = append(out, newF('Q').s(pw).s(w.shape))
		if i > 1 {
			out = append(out, newF('R').s(key(&vs[i-2].info)).s(pw))
		}
	}
	if i+1 < len(vs) {
		out = append(out, newF('Z').s(w.shape).s(key(&vs[i+1].info)))
	}
	return out
}
