package tagger

import (
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
	info wordInfo
	self []float32    // unigram features
	nb   [4][]float32 // as the neighbour at distance -2, -1, +1, +2
}

type cacheKey struct {
	text   string
	casing byte
}

// wordCache is one goroutine's cache; caches come from a sync.Pool, so a
// Tagger stays safe for concurrent use without locks.
type wordCache struct {
	m map[cacheKey]*wordVecs
}

// maxCached bounds one cache; a full cache is emptied and refilled.
const maxCached = 16384

func nbIndex(d int) int {
	if d < 0 {
		return d + 2
	}
	return d + 1
}

func (t *Tagger) vecs(c *wordCache, tok token, casing byte, lex *lexicon.Lexicon, feats []fh) (*wordVecs, []fh) {
	k := cacheKey{tok.text, casing}
	if v, ok := c.m[k]; ok {
		return v, feats
	}
	m := t.m
	n := m.nTags()
	v := &wordVecs{info: m.info(tok, lex)}
	buf := make([]float32, 5*n)
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
	if len(c.m) >= maxCached {
		clear(c.m)
	}
	k.text = strings.Clone(k.text) // do not keep the whole note alive
	c.m[k] = v
	return v, feats
}

// edges are the summed weights of the boundary features, per distance.
func (m *Model) edges() [4][]float32 {
	var e [4][]float32
	for _, d := range []int{-2, -1, 1, 2} {
		i := nbIndex(d)
		e[i] = make([]float32, m.nTags())
		m.addWeights(boundaryFeature(d), e[i])
	}
	return e
}

func newCachePool() *sync.Pool {
	return &sync.Pool{New: func() any { return &wordCache{m: make(map[cacheKey]*wordVecs, 1024)} }}
}

// tagCached decodes like decode, with the per-word sums from the cache.
func (t *Tagger) tagCached(toks []token) []uint8 {
	c := t.pool.Get().(*wordCache)
	defer t.pool.Put(c)
	m := t.m
	lex := lexicon.Get()
	casing := noteCasing(toks)
	vs := make([]*wordVecs, len(toks))
	ws := make([]wordInfo, len(toks))
	var feats []fh
	for i, tok := range toks {
		vs[i], feats = t.vecs(c, tok, casing, lex, feats)
		ws[i] = vs[i].info
	}
	tags := make([]uint8, len(toks))
	scores := make([]float32, m.nTags())
	for i := range toks {
		var p1, p2 uint8
		if i > 0 {
			p1 = tags[i-1]
		}
		if i > 1 {
			p2 = tags[i-2]
		}
		copy(scores, vs[i].self)
		for _, d := range []int{-2, -1, 1, 2} {
			var add []float32
			if j := i + d; j < 0 || j >= len(toks) {
				add = t.edge[nbIndex(d)]
			} else {
				add = vs[j].nb[nbIndex(d)]
			}
			for k, x := range add {
				scores[k] += x
			}
		}
		feats = pairFeatures(feats[:0], ws, toks, i)
		feats = tagFeatures(feats, ws, i, p1, p2)
		for _, f := range feats {
			m.addWeights(f, scores)
		}
		scores[0] -= t.oPenalty
		tags[i] = best(scores, p1)
	}
	return tags
}
