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
	toks  []token
	vs    []*wordVecs
	tags  []uint8
	feats []fh
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
	v := &wordVecs{info: m.info(tok)}
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

// dense holds every feature's weights as one vector, built from the model
// once per Tagger, so that a word-pair feature costs one probe and one
// vector instead of a walk over its weights. Slot s of slots mirrors slot s
// of the model's table: its key, and 1 + the index of its vector (0: empty).
type dense struct {
	slots []uint32 // key, 1+index, per slot
	vecs  []vec
	mask  uint32
}

func (m *Model) denseWeights() *dense {
	ns := len(m.table) / slotBytes
	features, _, _ := m.Stats()
	d := &dense{slots: make([]uint32, 2*ns), vecs: make([]vec, 0, features), mask: m.mask}
	for s := range ns {
		key, v := le.Uint32(m.table[slotBytes*s:]), le.Uint32(m.table[slotBytes*s+4:])
		if key == 0 {
			continue
		}
		var w vec
		ents := m.ents[4*(v>>8) : 4*(v>>8+v&0xff)]
		for i := 0; i+4 <= len(ents); i += 4 {
			e := le.Uint32(ents[i:])
			w[e>>16] += float32(int16(uint16(e))) * m.scale
		}
		d.vecs = append(d.vecs, w)
		d.slots[2*s], d.slots[2*s+1] = key, uint32(len(d.vecs))
	}
	return d
}

// lookup returns the weights of feature f, or nil when the model has none.
func (d *dense) lookup(f fh) *vec {
	k := fold(f)
	for s := k & d.mask; ; s = (s + 1) & d.mask {
		key := d.slots[2*s]
		if key == k {
			return &d.vecs[d.slots[2*s+1]-1]
		}
		if key == 0 {
			return nil
		}
	}
}

func newCachePool() *sync.Pool {
	return &sync.Pool{New: func() any { return &wordCache{} }}
}

// tagCached decodes like decode (casing is noteCasing(toks)), with the per-word sums from the cache and
// the fixed tables; only the word-pair features Q, R and Z are looked up
// per token, from the hash prefixes of the words they start with.
func (t *Tagger) tagCached(c *wordCache, toks []token, casing byte) []uint8 {
	m, fx, dn := t.m, t.fixed, t.dense
	n := m.nTags()
	vs := c.vs[:0]
	if cap(vs) < len(toks) {
		vs = make([]*wordVecs, 0, len(toks))
	}
	vs = vs[:len(toks)]
	feats := c.feats
	for i, tok := range toks {
		vs[i], feats = t.vecs(c, tok, casing, feats)
	}
	c.feats = feats
	const nc = lexicon.Name | lexicon.Common
	tags := c.tags[:0]
	if cap(tags) < len(toks) {
		tags = make([]uint8, 0, len(toks))
	}
	tags = tags[:len(toks)]
	c.vs, c.tags = vs, tags
	last := len(toks) - 1
	var scores vec
	var src [maxSum]*vec
	for i := range toks {
		tok := &toks[i]
		var p1, p2 uint8
		if i > 0 {
			p1 = tags[i-1]
		}
		if i > 1 {
			p2 = tags[i-2]
		}
		v := vs[i]
		w := &v.info
		// the order of the additions is that of the features in
		// staticFeatures and tagFeatures (decode), lane by lane
		k := 0
		add := func(x *vec) {
			if x != nil {
				src[k] = x
				k++
			}
		}
		// neighbours at -2, -1, +1, +2
		if i >= 2 {
			add(&vs[i-2].nb[0])
		} else {
			add(&fx.edge[0])
		}
		if i >= 1 {
			add(&vs[i-1].nb[1])
		} else {
			add(&fx.edge[1])
		}
		if i < last {
			add(&vs[i+1].nb[2])
		} else {
			add(&fx.edge[2])
		}
		if i+1 < last {
			add(&vs[i+2].nb[3])
		} else {
			add(&fx.edge[3])
		}
		if tok.nl {
			add(&fx.nl[w.caseC])
		}
		if !tok.space && i > 0 {
			add(&vs[i-1].glued)
		}
		if i > 0 {
			p := &vs[i-1].info
			add(&fx.cp[cpIndex(-1, p.caseC, w.caseC, byte(p.lex&nc), byte(w.lex&nc))])
			if tok.nl {
				add(&fx.br[1])
			}
		}
		if i < last {
			nx := &vs[i+1].info
			add(&fx.cp[cpIndex(1, nx.caseC, w.caseC, byte(nx.lex&nc), byte(w.lex&nc))])
			if toks[i+1].nl {
				add(&fx.br[2])
			}
		}
		// word pairs: Q (previous key, shape), R (key -2, key -1), Z (shape, next key)
		if i > 0 {
			add(dn.lookup(vs[i-1].hQ.s(w.shape)))
			if i > 1 {
				add(dn.lookup(vs[i-2].hR.s(vs[i-1].key)))
			}
		}
		if i < last {
			add(dn.lookup(v.hZ.s(vs[i+1].key)))
		}
		add(&fx.tags[int(p1)*n+int(p2)])
		add(v.xRow(m, p1))
		scores = v.self
		sumVecs(&scores, &src, k)
		scores[0] -= t.oPenalty
		tags[i] = best(scores[:n], p1)
	}
	return tags
}
