package tagger

import (
	"math"
	"math/bits"
	"strings"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// The fast path scores a token with integer sums of the quantized weights
// (exact, so they can be grouped at will) and falls back to the float32
// path of cache.go, whose order of additions defines the tagger's answer,
// whenever float rounding could change the decision (see decide).
//
// A token's score is then five vectors: its own word's (unigram features,
// the x feature after O and the tag features after O, O), and four of
// its neighbours, each memoised per pair of adjacent words:
//
//	pair(i-1, i).toB   the left neighbour's features, glued, case pair, line breaks, Q
//	pair(i, i+1).toA   the right neighbour's features, case pair, line break, Z
//	pair(i-2, i-1).toC the features of the word at -2 and R
//	class(i+2).nb[3]   the features of the word at +2
//
// A neighbour is seen only through its class (its key, shape, case and
// lexicon flags), so the pairs are few: a few thousand on the 500
// synthetic notes.

// ivec holds one integer score (a sum of quantized weights) per tag.
type ivec [lanes]int32

// maxIsum is the most vectors one token's integer score adds.
const maxIsum = 8

// sumIvecsGeneric is sumIvecs in Go.
func sumIvecsGeneric(dst *ivec, srcs *[maxIsum]*ivec, n int) {
	for _, s := range srcs[:n] {
		addIvec(dst, s)
	}
}

// sumDecideGeneric is sumDecide in Go.
func sumDecideGeneric(s *ivec, srcs *[maxIsum]*ivec, n int, deny *ivec) (uint8, bool) {
	v := *s
	sumIvecsGeneric(&v, srcs, n)
	bi, bv, sv := 0, int32(math.MinInt32), int32(math.MinInt32)
	for i, x := range v {
		if deny[i] != 0 {
			continue
		}
		sv = max(sv, min(x, bv))
		if x > bv {
			bi = i
		}
		bv = max(bv, x)
	}
	return uint8(bi), int64(bv)-int64(sv) > fallbackMargin
}

// denyMasks returns, per previous tag, -1 in the lanes decide skips after
// it (I tags not of its type, lanes past the model's tags), 0 elsewhere.
func denyMasks(n int) []ivec {
	d := make([]ivec, n)
	for prev := range n {
		j := prev + prev%2
		for i := range lanes {
			if i >= n || i%2 == 0 && i != 0 && (prev == 0 || i != j) {
				d[prev][i] = -1
			}
		}
	}
	return d
}

func addIvec(dst, src *ivec) {
	for k := range dst {
		dst[k] += src[k]
	}
}

func subIvec(dst, src *ivec) {
	for k := range dst {
		dst[k] -= src[k]
	}
}

// addInt adds the quantized weights of feature f to v.
func (m *Model) addInt(f fh, v *ivec) {
	ents := m.weights(f)
	for i := 0; i+4 <= len(ents); i += 4 {
		w := le.Uint32(ents[i:])
		v[(w>>16)&(lanes-1)] += int32(int16(uint16(w)))
	}
}

// maxFeatures is the most features one token has (unigramFeatures 10,
// four neighbours 8, pairFeatures 9, tagFeatures 3); each adds at most one
// weight per tag.
const maxFeatures = 30

// fallbackMargin: when the best tag's integer score leads every other
// allowed tag's by more than this (in quantized units), the float32 path
// picks the same tag. Its score of a tag is a float sum of at most
// maxFeatures terms fl(q*scale), each |q| <= 32768, in some order; each
// rounding is within 2^-24 of its result, so the float score is within
// gamma(n) * scale * sum|q| of scale * (integer score), with
// gamma(n) = n*2^-24/(1-n*2^-24): under 1.76 units for n = 31 (one more
// for the product). Two scores: 3.52; the margin asked is over twice that.
const fallbackMargin = 8

// iFixed holds the integer sums of the features of small value sets.
type iFixed struct {
	edge [4]ivec // E, per distance
	// tagDelta[p1*n+p2]: t and T after (p1, p2) less those after (O, O)
	tagDelta []ivec
	tags00   ivec
}

func (m *Model) intFixed() *iFixed {
	n := m.nTags()
	f := &iFixed{tagDelta: make([]ivec, n*n)}
	for _, d := range []int{-2, -1, 1, 2} {
		m.addInt(boundaryFeature(d), &f.edge[nbIndex(d)])
	}
	m.addInt(newF('t').b(0), &f.tags00)
	m.addInt(newF('T').b(0).b(0), &f.tags00)
	for p1 := range n {
		for p2 := range n {
			v := &f.tagDelta[p1*n+p2]
			m.addInt(newF('t').b(uint8(p1)), v)
			m.addInt(newF('T').b(uint8(p1)).b(uint8(p2)), v)
			subIvec(v, &f.tags00)
		}
	}
	return f
}

// wclass is what a token's neighbours see of it: its key (the word if
// known, else its shape), shape, case class and lexicon flags.
//
// scoreRunAVX2 reads nb, xd and xDone at fixed offsets (TestRunLayout).
type wclass struct {
	nb [4]ivec // the neighbour features at distance -2, -1, +1, +2
	// x feature after tag p1, less that after O: xd[p1] (on first use)
	xd    []ivec
	xDone uint32
	id    uint32 // 1, 2, ... in its cache; 0: not held by the cache
	info  wordInfo
	key   string
	// hash prefixes of the word-pair features it opens
	hQ, hR, hZ fh
}

// word is one distinct token text under one note casing (scoreRunAVX2
// reads own and cl at fixed offsets).
type word struct {
	// unigram features, x after O, t and T after O, O; lane idLane holds
	// cl.id, read by the pairs' look-ups (the word's line, which the
	// scoring reads next, not the class's)
	own ivec
	cl  *wclass
	// the float path's vectors of the word (vecs), once it asked for them
	fv *wordVecs
}

// idLane is the lane of word.own that holds the class id: past the last
// tag of any model (1+2*maxTypes < lanes), so never part of a decision
// (denyMasks denies it; decide and decidePenalty stop at the model's
// tags). TestIDLane.
const idLane = lanes - 1

// pair holds the sums of two adjacent tokens a, b (a or b nil at the
// edges of the note) with b's line-break and space flags.
type pair struct {
	toB ivec // what b's score gets from a
	toA ivec // what a's score gets from b
	toC ivec // what the score of the token after b gets from a (and b)
}

// hpair is a pair as the memo holds it: in int16 lanes (96 bytes, two
// cache lines, half of a pair: the memo of a note's pairs stays in the
// level-2 cache), for a pair whose every lane fits (all of them on the
// evaluation sets, by a factor of two; one that does not is not
// memoised). scoreRunAVX2 reads toB, toA and toC at 0, 32 and 64.
type hpair struct {
	toB, toA, toC hvec
}

// hvec is an ivec in int16 lanes.
type hvec [lanes]int16

// narrow sets h to v and reports whether every lane fits in an int16.
func (h *hvec) narrow(v *ivec) bool {
	ok := true
	for k, x := range v {
		h[k] = int16(x)
		ok = ok && int32(h[k]) == x
	}
	return ok
}

// widen sets v to h.
func (h *hvec) widen(v *ivec) {
	for k, x := range h {
		v[k] = int32(x)
	}
}

// narrow sets h to p, reporting whether every lane fits.
func (h *hpair) narrow(p *pair) bool {
	return h.toB.narrow(&p.toB) && h.toA.narrow(&p.toA) && h.toC.narrow(&p.toC)
}

// widen sets p to h.
func (h *hpair) widen(p *pair) {
	h.toB.widen(&p.toB)
	h.toA.widen(&p.toA)
	h.toC.widen(&p.toC)
}

// intCache is a goroutine's memo of words, classes and pairs (part of a
// wordCache).
type intCache struct {
	short   memo[word]          // words of up to seven bytes, by shortKey and casing
	mid     midMemo             // words of 8 to 16 bytes
	long    [3]map[string]*word // longer words, per casing
	nWords  int                 // in short, mid and long
	classes map[string]*wclass  // by the class key (wclass)
	pairs   memo[hpair]         // by the pair key (pair)
	wordBuf []word              // chunk the next words are taken from
	pairBuf []hpair
	scratch [3]pair // the pairs pair returns
	nScr    int
	ws      []*word  // the tokens' words, one Spans call
	ps      []*hpair // wordsAndPairs, one Spans call
	// psOK: ps holds every pair of the last tagFast (it scored by runs)
	psOK bool
}

// memo bounds: a full memo takes nothing new (its first entries are the
// frequent ones); what it cannot hold is computed each time.
const (
	maxWords = 1 << 15
	maxPairs = 1 << 16
)

// memo is an open-addressing table from non-zero 64-bit keys that are the
// whole identity of what they name (no further comparison).
type memo[T any] struct {
	slots []memoSlot[T] // key 0: empty
	n     int
}

type memoSlot[T any] struct {
	key uint64
	v   *T
}

func slotOf(key uint64, mask uint64) uint64 { return (key * 0x9e3779b97f4a7c15) >> 40 & mask }

func (m *memo[T]) get(key uint64) *T { return memoGet(m.slots, key) }

// memoGet is get on a memo's slots (a loop over many keys keeps them in
// registers: it reloads them only after a call that may add to the memo).
func memoGet[T any](slots []memoSlot[T], key uint64) *T {
	if len(slots) == 0 {
		return nil
	}
	return memoProbe(slots, key, uint64(len(slots)-1))
}

// memoProbe is memoGet on slots that are not empty, mask their number
// less one.
func memoProbe[T any](slots []memoSlot[T], key, mask uint64) *T {
	for s := slotOf(key, mask); ; s = (s + 1) & mask {
		e := &slots[s]
		if e.key == key {
			return e.v
		}
		if e.key == 0 {
			return nil
		}
	}
}

// put adds key (not yet held), keeping the table at most three quarters
// full.
func (m *memo[T]) put(key uint64, v *T) {
	if 4*(m.n+1) > 3*len(m.slots) {
		old := m.slots
		m.slots = make([]memoSlot[T], max(1024, 2*len(old)))
		for _, e := range old {
			if e.key != 0 {
				m.insert(e)
			}
		}
	}
	m.insert(memoSlot[T]{key, v})
	m.n++
}

func (m *memo[T]) insert(e memoSlot[T]) {
	mask := uint64(len(m.slots) - 1)
	s := slotOf(e.key, mask)
	for m.slots[s].key != 0 {
		s = (s + 1) & mask
	}
	m.slots[s] = e
}

// midKey is the whole identity of a word of 8 to 16 bytes under a note
// casing: its first and its last eight bytes (together every byte), and
// its length and the casing in n (never 0).
type midKey struct{ a, b, n uint64 }

func midKeyOf(wt string, casing byte) midKey {
	return midKey{load64(wt, 0), load64(wt, len(wt)-8), uint64(len(wt)) | uint64(casing)<<8}
}

// midMemo is an open-addressing table of the words of 8 to 16 bytes (a
// map keyed by their text cost a string hash and more cache misses per
// look-up); like memo, at most three quarters full.
type midMemo struct {
	slots []midSlot // n 0: empty
	n     int
}

type midSlot struct {
	k midKey
	v *word
}

func (m *midMemo) slot(k midKey) uint64 { return k.slot(uint64(len(m.slots) - 1)) }

func (k midKey) slot(mask uint64) uint64 {
	return slotOf(k.a^bits.RotateLeft64(k.b, 29)^k.n, mask)
}

func (m *midMemo) get(k midKey) *word {
	if len(m.slots) == 0 {
		return nil
	}
	mask := uint64(len(m.slots) - 1)
	for s := m.slot(k); ; s = (s + 1) & mask {
		if e := &m.slots[s]; e.k == k {
			return e.v
		} else if e.k.n == 0 {
			return nil
		}
	}
}

// put adds k (not yet held).
func (m *midMemo) put(k midKey, v *word) {
	if 4*(m.n+1) > 3*len(m.slots) {
		old := m.slots
		m.slots = make([]midSlot, max(256, 2*len(old)))
		for _, e := range old {
			if e.k.n != 0 {
				m.insert(e)
			}
		}
	}
	m.insert(midSlot{k, v})
	m.n++
}

func (m *midMemo) insert(e midSlot) {
	mask := uint64(len(m.slots) - 1)
	s := m.slot(e.k)
	for m.slots[s].k.n != 0 {
		s = (s + 1) & mask
	}
	m.slots[s] = e
}

// word returns the word of token r of text under the note casing.
func (t *Tagger) word(c *intCache, r *rec, text string, casing byte) *word {
	key := r.key | uint64(casing)<<59 // shortKey leaves bits 59-61 free
	var wt string
	if r.key != 0 {
		if w := c.short.get(key); w != nil {
			return w
		}
	} else {
		wt = text[r.off : r.off+int(r.blen)]
		if len(wt) >= 8 && len(wt) <= 16 {
			if w := c.mid.get(midKeyOf(wt, casing)); w != nil {
				return w
			}
		} else if w, ok := c.long[casing][wt]; ok {
			return w
		}
	}
	full := c.nWords >= maxWords
	var w *word
	if full {
		w = &word{}
	} else {
		if len(c.wordBuf) == 0 {
			c.wordBuf = make([]word, 256)
		}
		w = &c.wordBuf[0]
		c.wordBuf = c.wordBuf[1:]
	}
	m := t.m
	info := m.info(r.token(text))
	w.cl = t.wclass(c, info)
	var feats [maxFeatures]fh
	for _, f := range unigramFeatures(feats[:0], info, casing) {
		m.addInt(f, &w.own)
	}
	m.addInt(newF('x').b(0).s(info.shape).b(info.caseC), &w.own)
	addIvec(&w.own, &t.ifixed.tags00)
	w.own[idLane] = int32(w.cl.id)
	if full {
		return w
	}
	c.nWords++
	if r.key != 0 {
		c.short.put(key, w)
		return w
	}
	if len(wt) >= 8 && len(wt) <= 16 {
		c.mid.put(midKeyOf(wt, casing), w)
		return w
	}
	if c.long[casing] == nil {
		c.long[casing] = make(map[string]*word)
	}
	c.long[casing][strings.Clone(wt)] = w // do not keep the note alive
	return w
}

func (t *Tagger) wclass(c *intCache, info wordInfo) *wclass {
	key := info.shape
	if info.known {
		key = info.lower
	}
	// known, len(key), key, shape, case, flags: no two classes share it
	var kb [96]byte
	k := append(kb[:0], 0, byte(len(key)>>8), byte(len(key)))
	if info.known {
		k[0] = 1
	}
	k = append(k, key...)
	k = append(k, info.shape...)
	k = append(k, info.caseC, byte(info.lex))
	if cl, ok := c.classes[string(k)]; ok {
		return cl
	}
	m := t.m
	// key may be a slice of the note (strings.ToLower returns a lower-case
	// word as it is): the class outlives the note, so it keeps its own copy
	cl := &wclass{info: info, key: strings.Clone(key)}
	cl.info.lower = "" // only key, shape, case and flags are a neighbour's
	var feats [4]fh
	for _, d := range []int{-2, -1, 1, 2} {
		for _, f := range neighbourFeatures(feats[:0], info, d) {
			m.addInt(f, &cl.nb[nbIndex(d)])
		}
	}
	cl.hQ, cl.hR, cl.hZ = newF('Q').s(key), newF('R').s(key), newF('Z').s(info.shape)
	if len(c.classes) < maxWords { // else id 0: not memoised in pairs
		if c.classes == nil {
			c.classes = make(map[string]*wclass)
		}
		cl.id = uint32(len(c.classes) + 1)
		c.classes[string(k)] = cl
	}
	return cl
}

// xDelta returns the x feature after p1 less that after O, for token class cl.
func (t *Tagger) xDelta(cl *wclass, p1 uint8) *ivec {
	if cl.xd == nil {
		cl.xd = make([]ivec, t.m.nTags())
	}
	v := &cl.xd[p1]
	if cl.xDone&(1<<p1) == 0 {
		t.m.addInt(newF('x').b(p1).s(cl.info.shape).b(cl.info.caseC), v)
		var x0 ivec
		t.m.addInt(newF('x').b(0).s(cl.info.shape).b(cl.info.caseC), &x0)
		subIvec(v, &x0)
		cl.xDone |= 1 << p1
	}
	return v
}

// pair returns the sums of the adjacent tokens of classes a and b (nil:
// the edge of the note); flags are b's (recNL, recSpace). They are in one
// of three scratch pairs, so the result stays valid while two more pairs
// are asked for.
func (t *Tagger) pair(c *intCache, a, b *wclass, flags uint8) *pair {
	p := &c.scratch[c.nScr%len(c.scratch)]
	c.nScr++
	if h := t.memoPair(c, a, b, flags); h != nil {
		h.widen(p)
		return p
	}
	*p = pair{}
	t.fillPair(p, a, b, flags&recNL != 0, flags&recSpace != 0)
	return p
}

// memoPair is pair for a pair the memo holds or takes; nil for one it
// cannot hold (it is full, a class is not memoised, or a lane does not fit
// in an int16).
func (t *Tagger) memoPair(c *intCache, a, b *wclass, flags uint8) *hpair {
	if a != nil && a.id == 0 || b != nil && b.id == 0 {
		return nil
	}
	key := pairKey(a, b, flags)
	if h := c.pairs.get(key); h != nil || c.pairs.n >= maxPairs {
		return h
	}
	var p pair
	t.fillPair(&p, a, b, flags&recNL != 0, flags&recSpace != 0)
	if len(c.pairBuf) == 0 {
		c.pairBuf = make([]hpair, 128)
	}
	h := &c.pairBuf[0]
	if !h.narrow(&p) {
		return nil
	}
	c.pairBuf = c.pairBuf[1:]
	c.pairs.put(key, h)
	return h
}

// pairKey is the pair memo's key for classes a and b (nil: the edge) with
// b's flags.
func pairKey(a, b *wclass, flags uint8) uint64 {
	var ida, idb uint32
	if a != nil {
		ida = a.id
	}
	if b != nil {
		idb = b.id
	}
	return pairKeyIDs(ida, idb, flags)
}

// pairKeyIDs is pairKey of the classes' ids (0: the edge).
func pairKeyIDs(ida, idb uint32, flags uint8) uint64 {
	return 1<<63 | uint64(ida)<<33 | uint64(idb)<<2 | uint64(flags&(recNL|recSpace))
}

// fillPair sums the features pairFeatures and staticFeatures give b from a
// and a from b (see pair).
func (t *Tagger) fillPair(p *pair, a, b *wclass, nl, space bool) {
	m, fx := t.m, t.ifixed
	const nc = lexicon.Name | lexicon.Common
	if b != nil {
		w := &b.info
		if a == nil {
			p.toB = fx.edge[nbIndex(-1)]
		} else {
			p.toB = a.nb[nbIndex(-1)]
		}
		if nl {
			m.addInt(newF('N').b(w.caseC), &p.toB)
		}
		if a != nil {
			v := &a.info
			if !space {
				m.addInt(newF('g').s(v.shape), &p.toB)
			}
			m.addInt(newF('C').b(1).b(v.caseC).b(w.caseC).b(byte(v.lex&nc)).b(byte(w.lex&nc)), &p.toB)
			if nl {
				m.addInt(newF('B').b(1), &p.toB)
			}
			m.addInt(a.hQ.s(w.shape), &p.toB)
		}
	}
	if a != nil {
		w := &a.info
		if b == nil {
			p.toA = fx.edge[nbIndex(1)]
		} else {
			v := &b.info
			p.toA = b.nb[nbIndex(1)]
			m.addInt(newF('C').b(3).b(v.caseC).b(w.caseC).b(byte(v.lex&nc)).b(byte(w.lex&nc)), &p.toA)
			if nl {
				m.addInt(newF('B').b(3), &p.toA)
			}
			m.addInt(a.hZ.s(b.key), &p.toA)
		}
	}
	if a == nil {
		p.toC = fx.edge[nbIndex(-2)]
	} else {
		p.toC = a.nb[nbIndex(-2)]
		if b != nil {
			m.addInt(a.hR.s(b.key), &p.toC)
		}
	}
}

// tagFast tags toks (of note casing casing) with the integer sums, falling
// back to the float path token by token where the margin is too small.
func (t *Tagger) tagFast(c *wordCache, text string, toks []rec, casing byte) []uint8 {
	ic := &c.ic
	ws, ps := t.wordsAndPairs(ic, text, toks, casing, t.oPenalty == 0 && useAVX2)
	ic.psOK = ps != nil
	tags := c.tagBuf(len(toks))
	c.starts = c.starts[:0]
	if len(toks) == 0 {
		return tags
	}
	if ps != nil {
		t.tagRun(c, text, toks, ws, ps, casing, tags)
		c.starts = appendBTags(c.starts, tags)
		return tags
	}
	last := len(toks) - 1
	// pair(i-2, i-1) and pair(i-1, i) as token i is scored
	var p2 *pair
	p1 := t.pair(ic, nil, ws[0].cl, toks[0].flags)
	for i := range toks {
		prev1, prev2 := prevTags(tags, i)
		w := ws[i]
		var next *pair
		if i < last {
			next = t.pair(ic, w.cl, ws[i+1].cl, toks[i+1].flags)
		} else {
			next = t.pair(ic, w.cl, nil, 0)
		}
		var toC *ivec
		if p2 != nil {
			toC = &p2.toC
		}
		tag := t.scoreToken(c, text, toks, ws, casing, i, toC, &p1.toB, &next.toA, prev1, prev2)
		tags[i] = tag
		if tag%2 == 1 {
			c.starts = append(c.starts, int32(i))
		}
		p2, p1 = p1, next
	}
	return tags
}

// appendBTags appends to starts the tokens whose tag is a B tag (odd),
// reading the tags eight at a time (most are O).
func appendBTags(starts []int32, tags []uint8) []int32 {
	i := 0
	for ; i+8 <= len(tags); i += 8 {
		for m := le.Uint64(tags[i:]) & 0x0101010101010101; m != 0; m &= m - 1 {
			starts = append(starts, int32(i+bits.TrailingZeros64(m)/8))
		}
	}
	for ; i < len(tags); i++ {
		if tags[i]%2 == 1 {
			starts = append(starts, int32(i))
		}
	}
	return starts
}

// wordsAndPairs returns the tokens' words and, when withPairs, the pairs
// of adjacent tokens (ps[i]: tokens i-1 and i; ps[len(toks)]: the last
// one and the end), or a nil ps when the memo does not
// hold one of them (it is full, or a class is not memoised).
func (t *Tagger) wordsAndPairs(ic *intCache, text string, toks []rec, casing byte, withPairs bool) (ws []*word, ps []*hpair) {
	if cap(ic.ws) < len(toks) {
		ic.ws = make([]*word, len(toks))
	}
	ws = ic.ws[:len(toks)]
	ic.ws = ws
	if cap(ic.ps) < len(toks)+1 {
		ic.ps = make([]*hpair, len(toks)+1)
	}
	ps = ic.ps[:len(toks)+1]
	ic.ps = ps
	// each loop first looks up every token without a call (a call in the
	// loop spills its registers on every token), then computes what it
	// missed in a second pass, in the tokens' order (the memos take the
	// same entries in the same order as one loop would)
	if lookupWords(ws, toks, text, ic.short.slots, ic.mid.slots, casing) {
		for i, w := range ws {
			if w == nil {
				ws[i] = t.word(ic, &toks[i], text, casing)
			}
		}
	}
	if !withPairs || len(toks) == 0 {
		return ws, nil
	}
	// the pairs in a loop of their own: the words' look-ups above do not
	// wait on one another, so more of their cache misses overlap. From
	// the first pair it did not find, memoPair (which looks each up again
	// and takes what the memo does not hold, in the tokens' order)
	for i := lookupPairs(ps[:len(toks)], ws, toks, ic.pairs.slots); i < len(toks); i++ {
		var a *wclass
		if i > 0 {
			a = ws[i-1].cl
		}
		if ps[i] = t.memoPair(ic, a, ws[i].cl, toks[i].flags); ps[i] == nil {
			return ws, nil
		}
	}
	ps[len(toks)] = t.memoPair(ic, ws[len(toks)-1].cl, nil, 0)
	if ps[len(toks)] == nil {
		return ws, nil
	}
	return ws, ps
}

// lookupWords sets ws[i] to the word of token i the short and mid memos
// hold (nil: a longer word, or not held) and reports whether one is nil. A function of
// its own without calls, so that its loop keeps its state in registers.
func lookupWords(ws []*word, toks []rec, text string, short []memoSlot[word], mid []midSlot, casing byte) (missed bool) {
	if len(short) == 0 {
		clear(ws[:len(toks)])
		return len(toks) > 0
	}
	ws = ws[:len(toks)]
	mask, cas := uint64(len(short)-1), uint64(casing)<<59
	for i := range toks {
		var w *word
		r := &toks[i]
		if k := r.key; k != 0 {
			w = memoProbe(short, k|cas, mask)
		} else if n := int(r.blen); n >= 8 && n <= 16 && len(mid) > 0 {
			// mid.get and midKeyOf (not inlined), written out: a call
			// here would cost every token its registers
			wt := text[r.off : r.off+n]
			mk := midKey{load64(wt, 0), load64(wt, n-8), uint64(n) | uint64(casing)<<8}
			mm := uint64(len(mid) - 1)
			for s := mk.slot(mm); ; s = (s + 1) & mm {
				e := &mid[s]
				if e.k == mk {
					w = e.v
					break
				}
				if e.k.n == 0 {
					break
				}
			}
		}
		ws[i] = w
		if w == nil {
			missed = true
		}
	}
	return missed
}

// lookupPairs sets ps[i] to the pair memo's pair of tokens i-1 and i
// (the edge before token 0) up to the first it does not find (a class not
// memoised, or not held), and returns that token's index (len(toks): none;
// ps[i] from there is not set). A function of its own without calls, as
// lookupWords.
func lookupPairs(ps []*hpair, ws []*word, toks []rec, pairs []memoSlot[hpair]) int {
	if len(pairs) == 0 || len(toks) == 0 {
		return 0
	}
	ps, ws = ps[:len(toks)], ws[:len(toks)]
	mask := uint64(len(pairs) - 1)
	// token 0 pairs with the edge, id 0 in the key; then ida is the class
	// id of token i-1 (0: not memoised)
	ida := uint32(ws[0].own[idLane])
	if ida == 0 {
		return 0
	}
	if ps[0] = memoProbe(pairs, pairKeyIDs(0, ida, toks[0].flags), mask); ps[0] == nil {
		return 0
	}
	for i := 1; i < len(toks); i++ {
		idb := uint32(ws[i].own[idLane])
		if idb == 0 {
			return i
		}
		p := memoProbe(pairs, pairKeyIDs(ida, idb, toks[i].flags), mask)
		if p == nil {
			return i
		}
		ps[i], ida = p, idb
	}
	return len(toks)
}

// runArgs are scoreRunAVX2's arguments and state (offsets in the
// assembly: TestRunLayout).
type runArgs struct {
	ws     **word  // the tokens' words
	ps     **hpair // wordsAndPairs
	tags   *uint8
	deny   *ivec // t.deny
	delta  *ivec // iFixed.tagDelta
	edgeM2 *ivec // iFixed.edge at -2 and +2
	edgeP2 *ivec
	i      int // in: the first token to score; out: the one it left (n: none)
	n      int // tokens
	nt     int // the model's tags
	p1, p2 int // the tags of tokens i-1 and i-2 (0 before the note)
	// out: for each token it tags, the lead of the tag's integer score
	// over O's (the span confidence, confidence.go)
	leads *int32
}

// newRunArgs returns the arguments of scoreRunAVX2 for tags (one per
// token, none empty) and their leads (as many), their words and pairs,
// with nt tags and the deny masks deny, from token 0.
func newRunArgs(ws []*word, ps []*hpair, tags []uint8, leads []int32, deny []ivec, fx *iFixed, nt int) runArgs {
	return runArgs{
		ws: &ws[0], ps: &ps[0], tags: &tags[0], deny: &deny[0], delta: &fx.tagDelta[0],
		edgeM2: &fx.edge[nbIndex(-2)], edgeP2: &fx.edge[nbIndex(2)],
		n: len(tags), nt: nt, leads: &leads[:len(tags)][0],
	}
}

// tagRun tags every token with scoreRunAVX2, which scores token after
// token what scoreToken would score with sumDecide (the same
// five vectors, tagDelta and xDelta after a tag other than O, the same
// decision), and stops at a token whose xDelta is not computed yet or
// whose lead is not safe: scoreToken tags that one, and the run goes on.
// It leaves each token's lead over O in c.leads (leadFast for the tokens
// scoreToken tags).
func (t *Tagger) tagRun(c *wordCache, text string, toks []rec, ws []*word, ps []*hpair, casing byte, tags []uint8) {
	if cap(c.leads) < len(toks) {
		c.leads = make([]int32, len(toks))
	}
	c.leads = c.leads[:len(toks)]
	a := newRunArgs(ws, ps, tags, c.leads, t.deny, t.ifixed, t.m.nTags())
	for i := 0; ; i++ {
		p1, p2 := prevTags(tags, i)
		a.i, a.p1, a.p2 = i, int(p1), int(p2)
		scoreRunAVX2(&a)
		if i = a.i; i >= len(toks) {
			return
		}
		// what scoreToken reads of the pairs around token i, in int32
		// lanes (a third of each pair)
		var toC, toB, toA ivec
		var pc *ivec
		if i > 0 {
			pc = &toC
			ps[i-1].toC.widen(pc)
		}
		ps[i].toB.widen(&toB)
		ps[i+1].toA.widen(&toA)
		p1, p2 = prevTags(tags, i)
		tags[i] = t.scoreToken(c, text, toks, ws, casing, i, pc, &toB, &toA, p1, p2)
		c.leads[i] = int32(t.leadFast(&c.ic, toks, ws, tags, i))
	}
}

// scoreToken tags token i after the tags prev1, prev2, from its word, the
// sums of the pairs toC (pair(i-2, i-1).toC; nil at the start), toB
// (pair(i-1, i).toB), toA (pair(i, i+1).toA) and the word at i+2, falling
// back to the float path where the margin is too small.
func (t *Tagger) scoreToken(c *wordCache, text string, toks []rec, ws []*word, casing byte, i int, toC, toB, toA *ivec, prev1, prev2 uint8) uint8 {
	fx, n, w := t.ifixed, t.m.nTags(), ws[i]
	var src [maxIsum]*ivec
	src[0], src[1], src[2], src[3] = toB, toA, &fx.edge[nbIndex(-2)], &fx.edge[nbIndex(2)]
	if toC != nil {
		src[2] = toC
	}
	if i+2 < len(toks) {
		src[3] = &ws[i+2].cl.nb[nbIndex(2)]
	}
	k := 4
	if prev1|prev2 != 0 {
		src[k] = &fx.tagDelta[int(prev1)*n+int(prev2)]
		k++
		if prev1 != 0 {
			src[k] = t.xDelta(w.cl, prev1)
			k++
		}
	}
	var tag uint8
	var ok bool
	if t.oPenalty == 0 {
		tag, ok = sumDecide(&w.own, &src, k, &t.deny[prev1])
	} else {
		s := w.own
		sumIvecs(&s, &src, k)
		tag, ok = t.decide(&s, n, prev1)
	}
	if !ok {
		// the float path reads tokens i-2 to i+2
		lo, hi := max(0, i-2), min(len(toks), i+3)
		c.toks = c.toks[:0]
		// the words' float vectors they keep (vecs: a look-up by text)
		var near [5]*wordVecs
		for k := lo; k < hi; k++ {
			c.toks = append(c.toks, toks[k].token(text))
			near[k-i+2] = ws[k].fv
		}
		tag = t.tagFloatNear(c, c.toks, casing, i-lo, prev1, prev2, &near)
		for k := lo; k < hi; k++ {
			if v := near[k-i+2]; v != nil {
				ws[k].fv = v
			}
		}
		c.fallbacks++
	}
	return tag
}

// decide picks the tag best would pick from the integer scores s, and
// reports whether the float path is sure to pick the same: the lead over
// every other allowed tag exceeds fallbackMargin (and the rounding of the
// O penalty).
func (t *Tagger) decide(s *ivec, n int, prev uint8) (uint8, bool) {
	if t.oPenalty != 0 {
		return t.decidePenalty(s, n, prev)
	}
	// O and the B tags, then the one I tag allowed after prev (best's order
	// is that of the tags, so it goes in its place: see below)
	bi, bv, sv := 0, s[0], int32(math.MinInt32)
	for i := 1; i < n; i += 2 {
		v := s[i]
		sv = max(sv, min(v, bv))
		if v > bv {
			bi = i
		}
		bv = max(bv, v)
	}
	if j := int(prev) + int(prev)%2; prev != 0 && j < n {
		// I-k (j) sits between B-k (j-1) and B-k+1 (j+1): it wins over the
		// B tags after it on a tie, and loses to those before it
		v := s[j]
		switch {
		case v > bv || v == bv && bi > j:
			bi, bv, sv = j, v, bv
		default:
			sv = max(sv, v)
		}
	}
	return uint8(bi), int64(bv)-int64(sv) > fallbackMargin
}

// decidePenalty is decide with the O penalty, in float64: the penalty in
// quantized units is subtracted from O's score; its float32 rounding in the
// float path adds at most 2^-24 of |score - penalty| to the error.
func (t *Tagger) decidePenalty(s *ivec, n int, prev uint8) (uint8, bool) {
	j := n
	if prev != 0 {
		j = min(j, int(prev)+int(prev)%2)
	}
	pen := float64(t.oPenalty) / float64(t.m.scale)
	bi, bv, sv := 0, float64(s[0])-pen, math.Inf(-1)
	for i := 1; i < n; i++ {
		if i%2 == 0 && i != j {
			continue
		}
		if v := float64(s[i]); v > bv {
			bi, bv, sv = i, v, bv
		} else if v > sv {
			sv = v
		}
	}
	const u = 1.0 / (1 << 24)
	slack := fallbackMargin + 2*u*(maxFeatures*32768+math.Abs(pen))
	return uint8(bi), bv-sv > slack
}
