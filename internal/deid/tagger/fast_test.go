package tagger

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// fastSets are the notes on which the fast path must tag every token as
// the float path does (the frozen batch is left out: it is scored, never
// looked at).
var fastSets = slices.DeleteFunc(slices.Clone(digestSets), func(s string) bool { return strings.Contains(s, "frozen") })

// TestFastEqualsFloat: the integer fast path (with its fallback) gives
// every token of every set the tag of the float path that defines the
// tagger's answer, with and without an O penalty, and falls back rarely.
func TestFastEqualsFloat(t *testing.T) { checkFastEqualsFloat(t) }

// TestFastEqualsFloatScalar: the same on the portable path a processor
// without AVX2 takes (the whole note scored token by token, the generic
// sums and decisions).
func TestFastEqualsFloatScalar(t *testing.T) {
	scalarPath(t)
	checkFastEqualsFloat(t)
}

// fastFloat is a tagger by the fast path and one by the float path alone,
// with one O penalty, each with a cache of its own.
type fastFloat struct {
	p          float32
	fast, slow *Tagger
	cf, cs     *wordCache
}

// fastFloatCases returns the notes of fastSets and the embedded model as a
// fastFloat with an O penalty of 0, 3 and -7.5.
func fastFloatCases(t *testing.T) ([]string, []fastFloat) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var cases []fastFloat
	for _, p := range []float32{0, 3, -7.5} {
		// p beyond the penalty New baked in (0: the shipped setting, on the fast path)
		c := fastFloat{p: p, fast: tg.WithOPenalty(tg.baked + p), slow: tg.WithOPenalty(tg.baked + p),
			cf: newCachePool().New().(*wordCache), cs: newCachePool().New().(*wordCache)}
		c.slow.floatOnly = true
		cases = append(cases, c)
	}
	return loadNotes(t, fastSets...), cases
}

func checkFastEqualsFloat(t *testing.T) {
	notes, cases := fastFloatCases(t)
	for _, c := range cases {
		p, fast, slow, cf, cs := c.p, c.fast, c.slow, c.cf, c.cs
		tokens := 0
		for i, text := range notes {
			recs, casing := scanInto(nil, text)
			toks, _ := tokenizeInto(nil, text)
			tokens += len(toks)
			a := fast.tagFast(cf, text, recs, casing)
			b := slow.tagFloatAll(cs, toks, casing)
			for k := range a {
				if a[k] != b[k] {
					t.Fatalf("penalty %v, note %d, token %d: fast %d, float %d", p, i, k, a[k], b[k])
				}
			}
			if want := spanStarts(nil, a); !slices.Equal(cf.starts, want) {
				t.Fatalf("penalty %v, note %d: span starts %v, want %v", p, i, cf.starts, want)
			}
		}
		// the bound is loose enough to leave the float path rare
		if cf.fallbacks*100 > tokens {
			t.Errorf("penalty %v: %d of %d tokens fell back", p, cf.fallbacks, tokens)
		}
		t.Logf("penalty %v: %d tokens, %d fell back to the float path", p, tokens, cf.fallbacks)
	}
}

// tokenizeRef is the tokenizer's rule written plainly, rune by rune: runs
// of letters (with the combining marks after them), runs of digits, single
// other characters (an invalid byte among them), at most maxTokenRunes
// code points; white space separates and is dropped.
func tokenizeRef(text string) []token {
	var toks []token
	pos, nl, space := 0, true, false
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			nl = nl || r == '\n' || r == '\r'
			space = true
			i += size
			pos++
			continue
		}
		cls := classSlow(r)
		j, n := i+size, 1
		for cls != clsOther && r != utf8.RuneError && j < len(text) && n < maxTokenRunes {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if c2 := classSlow(r2); r2 == utf8.RuneError || c2 != cls && !(cls == clsLetter && c2 == clsMark) {
				break
			}
			j += s2
			n++
		}
		toks = append(toks, token{start: pos, end: pos + n, text: text[i:j], nl: nl, space: space})
		nl, space = false, false
		pos += n
		i = j
	}
	return toks
}

// checkScan: scanInto finds the tokens of tokenizeRef and the casing of
// noteCasing, and keys the short ones.
func checkScan(t *testing.T, text string) {
	t.Helper()
	recs, casing := scanInto(nil, text)
	toks := tokenizeRef(text)
	if want := noteCasing(toks); casing != want || len(recs) != len(toks) {
		t.Fatalf("%q: scan: %d tokens, casing %d; want %d, %d", text, len(recs), casing, len(toks), want)
	}
	for i := range recs {
		if got := recs[i].token(text); got != toks[i] || recs[i].key != shortKey(toks[i].text) {
			t.Fatalf("%q: token %d: scan %+v, want %+v", text, i, got, toks[i])
		}
	}
}

// TestScanEqualsRef: on every set and on odd input, scanInto tokenizes as
// tokenizeRef.
func TestScanEqualsRef(t *testing.T) {
	for _, text := range append(loadNotes(t, fastSets...),
		"", " ", "\n\n", "a\xffb", "\u0301\u0301x", "Hafþór Júlia\u00a0DOB", "x\u0301y 12\u0663 \u2028Z",
		strings.Repeat("ab", 100)+" "+strings.Repeat("9", 70), "KRISSY---301 944-5032\r\nmr.renzi",
		strings.Repeat("Ab cD EFG hij KLMNOP qrstuvwxyzabc ", 3000)+strings.Repeat("ABC ", 10000)) { // case counts over many flushes
		checkScan(t, text)
	}
}

// TestScanReusesBuffer: scanning into a buffer that is large enough
// allocates nothing (the tagger's pooled buffers are reused per note).
func TestScanReusesBuffer(t *testing.T) {
	text := strings.Repeat("Pt seen by Dr. Smith on 3/4, BP 120/80.\n", 50)
	recs, _ := scanInto(nil, text)
	if n := testing.AllocsPerRun(20, func() { recs, _ = scanInto(recs[:0], text) }); n != 0 {
		t.Errorf("scanInto into a large enough buffer: %v allocations", n)
	}
}

// TestSpansWarmAllocs: once its words and pairs are held, a note costs one
// allocation, the slice of spans returned.
func TestSpansWarmAllocs(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	text := "Pt seen by Dr. Smith on 3/4, BP 120/80. Call 410 202-6694.\n"
	if len(tg.Spans(text)) == 0 {
		t.Fatal("no spans")
	}
	if raceEnabled {
		t.Skip("the race detector empties sync.Pool at random")
	}
	if n := testing.AllocsPerRun(50, func() { tg.Spans(text) }); n > 1 {
		t.Errorf("Spans, warm: %v allocations", n)
	}
}

func loadNotes(t testing.TB, files ...string) []string {
	t.Helper()
	var notes []string
	for _, file := range files {
		_, texts, err := readSet(file)
		if err != nil {
			t.Fatal(err)
		}
		notes = append(notes, texts...)
	}
	return notes
}

// TestDecide: decide picks best's tag whenever it says it is sure, and it
// is sure exactly when the lead over every other allowed tag exceeds
// fallbackMargin (ties included: never sure).
func TestDecide(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	sure := 0
	for trial := range 50000 {
		n := 1 + 2*(1+r.IntN(maxTypes))
		spread := []int{3, 30, 3000}[trial%3] // small: ties and near ties
		var s ivec
		f := make([]float32, n)
		for k := range n {
			s[k] = int32(r.IntN(2*spread) - spread)
			f[k] = float32(s[k])
		}
		prev := uint8(r.IntN(n))
		got, ok := tg.decide(&s, n, prev)
		var lead int32 = 1 << 30
		want := best(f, prev)
		for k := range n {
			allowed := k == 0 || k%2 == 1 || prev != 0 && k == int(prev)+int(prev)%2
			if allowed && k != int(want) {
				lead = min(lead, s[want]-s[k])
			}
		}
		if ok != (lead > fallbackMargin) {
			t.Fatalf("trial %d: scores %v prev %d: sure %v, lead %d", trial, s[:n], prev, ok, lead)
		}
		if ok && got != want {
			t.Fatalf("trial %d: scores %v prev %d: %d, best %d", trial, s[:n], prev, got, want)
		}
		if ok {
			sure++
		}
	}
	if sure == 0 {
		t.Fatal("never sure")
	}
}

// TestSumDecide: sumDecide (assembly where the machine has AVX2) answers
// as sumIvecs and decide do, ties and near ties included.
func TestSumDecide(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 10))
	var srcs [maxIsum]ivec
	for trial := range 30000 {
		n := 1 + 2*(1+r.IntN(maxTypes))
		spread := []int{2, 20, 300000}[trial%3]
		var ptrs [maxIsum]*ivec
		for i := range srcs {
			for k := range srcs[i] {
				srcs[i][k] = int32(r.IntN(2*spread) - spread)
			}
			ptrs[i] = &srcs[i]
		}
		k := trial % (maxIsum + 1)
		var own ivec
		for i := range own {
			own[i] = int32(r.IntN(2*spread) - spread)
		}
		prev := uint8(r.IntN(n))
		deny := denyMasks(n)[prev]
		s := own
		sumIvecs(&s, &ptrs, k)
		wt, wok := tg.decide(&s, n, prev)
		for name, f := range map[string]func(*ivec, *[maxIsum]*ivec, int, *ivec) (uint8, bool){"sumDecide": sumDecide, "generic": sumDecideGeneric} {
			gt, gok := f(&own, &ptrs, k, &deny)
			if gok != wok || wok && gt != wt {
				t.Fatalf("%s: trial %d, n %d, prev %d: (%d, %v), decide (%d, %v)", name, trial, n, prev, gt, gok, wt, wok)
			}
		}
	}
}

// TestSumIvecs: the assembly sum of integer vectors is the Go sum.
func TestSumIvecs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var srcs [maxIsum]ivec
	for trial := range 200 {
		var ptrs [maxIsum]*ivec
		for i := range srcs {
			for k := range srcs[i] {
				srcs[i][k] = int32(r.Uint32())
			}
			ptrs[i] = &srcs[i]
		}
		n := trial % (maxIsum + 1)
		var a ivec
		for k := range a {
			a[k] = int32(r.Uint32())
		}
		want, got := a, a
		sumIvecsGeneric(&want, &ptrs, n)
		sumIvecs(&got, &ptrs, n)
		if got != want {
			t.Fatalf("trial %d, n %d: %v != %v", trial, n, got, want)
		}
	}
}

// TestRunLayout holds the offsets scoreRunAVX2 reads to the structs.
func TestRunLayout(t *testing.T) {
	var a runArgs
	var w word
	var cl wclass
	var p hpair
	for _, c := range []struct {
		name      string
		got, want uintptr
	}{
		{"runArgs.ws", unsafe.Offsetof(a.ws), 0}, {"runArgs.ps", unsafe.Offsetof(a.ps), 8},
		{"runArgs.tags", unsafe.Offsetof(a.tags), 16}, {"runArgs.deny", unsafe.Offsetof(a.deny), 24},
		{"runArgs.delta", unsafe.Offsetof(a.delta), 32}, {"runArgs.edgeM2", unsafe.Offsetof(a.edgeM2), 40},
		{"runArgs.edgeP2", unsafe.Offsetof(a.edgeP2), 48}, {"runArgs.i", unsafe.Offsetof(a.i), 56},
		{"runArgs.n", unsafe.Offsetof(a.n), 64}, {"runArgs.nt", unsafe.Offsetof(a.nt), 72},
		{"runArgs.p1", unsafe.Offsetof(a.p1), 80}, {"runArgs.p2", unsafe.Offsetof(a.p2), 88},
		{"runArgs.leads", unsafe.Offsetof(a.leads), 96},
		{"word.own", unsafe.Offsetof(w.own), 0}, {"word.cl", unsafe.Offsetof(w.cl), 64},
		{"wclass.nb", unsafe.Offsetof(cl.nb), 0}, {"wclass.xd", unsafe.Offsetof(cl.xd), 256},
		{"wclass.xDone", unsafe.Offsetof(cl.xDone), 280},
		{"hpair.toB", unsafe.Offsetof(p.toB), 0}, {"hpair.toA", unsafe.Offsetof(p.toA), 32},
		{"hpair.toC", unsafe.Offsetof(p.toC), 64},
		{"ivec", unsafe.Sizeof(ivec{}), 64}, {"hvec", unsafe.Sizeof(hvec{}), 32},
	} {
		if c.got != c.want {
			t.Errorf("%s at %d, the assembly reads %d", c.name, c.got, c.want)
		}
	}
}

// TestScoreRun holds scoreRunAVX2 to scoreToken's integer path (sumDecide
// with the same vectors) on random vectors, near ties included: it must
// write the tag sumDecide gives where that is sure and the token's xDelta
// is computed, and stop at the first token where it is not.
func TestScoreRun(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(11, 12))
	rv := func(v *ivec, spread int) {
		for k := range v {
			v[k] = int32(r.IntN(2*spread) - spread)
		}
	}
	stops := 0
	for trial := range 3000 {
		spread := []int{2, 20, 300000}[trial%3]
		nt := 1 + 2*(1+r.IntN(maxTypes))
		n := 1 + r.IntN(12)
		ws := make([]*word, n)
		for i := range ws {
			cl := &wclass{xd: make([]ivec, nt), xDone: r.Uint32()}
			rv(&cl.nb[nbIndex(2)], spread)
			for p := range cl.xd {
				rv(&cl.xd[p], spread)
			}
			ws[i] = &word{cl: cl}
			rv(&ws[i].own, spread)
		}
		ps := make([]*hpair, n+1)
		wide := make([]pair, n+1) // ps in int32 lanes
		for i := range ps {
			rv(&wide[i].toA, min(spread, 32768))
			rv(&wide[i].toB, min(spread, 32768))
			rv(&wide[i].toC, min(spread, 32768))
			ps[i] = &hpair{}
			if !ps[i].narrow(&wide[i]) {
				t.Fatal("a random pair does not fit in int16")
			}
		}
		fx := &iFixed{tagDelta: make([]ivec, nt*nt)}
		for i := range fx.edge {
			rv(&fx.edge[i], spread)
		}
		for i := range fx.tagDelta {
			rv(&fx.tagDelta[i], spread)
		}
		deny := denyMasks(nt)
		tags := make([]uint8, n)
		start := r.IntN(n)
		for i := range start {
			tags[i] = uint8(r.IntN(nt))
		}
		// the reference: scoreToken's integer path
		want := slices.Clone(tags)
		wantLeads := make([]int32, n)
		stop := n
		for i := start; i < n; i++ {
			p1, p2 := prevTags(want, i)
			src := [maxIsum]*ivec{&wide[i].toB, &wide[i+1].toA, &fx.edge[nbIndex(-2)], &fx.edge[nbIndex(2)]}
			if i > 0 {
				src[2] = &wide[i-1].toC
			}
			if i+2 < n {
				src[3] = &ws[i+2].cl.nb[nbIndex(2)]
			}
			k := 4
			if p1|p2 != 0 {
				src[k] = &fx.tagDelta[int(p1)*nt+int(p2)]
				k++
				if p1 != 0 {
					if ws[i].cl.xDone&(1<<p1) == 0 {
						stop = i
						break
					}
					src[k] = &ws[i].cl.xd[p1]
					k++
				}
			}
			tag, ok := sumDecideGeneric(&ws[i].own, &src, k, &deny[p1])
			if !ok {
				stop = i
				break
			}
			want[i] = tag
			sum := ws[i].own
			sumIvecsGeneric(&sum, &src, k)
			wantLeads[i] = sum[tag] - sum[0]
		}
		if stop < n {
			stops++
		}
		p1, p2 := prevTags(tags, start)
		leads := make([]int32, n)
		a := newRunArgs(ws, ps, tags, leads, deny, fx, nt)
		a.i, a.p1, a.p2 = start, int(p1), int(p2)
		scoreRunAVX2(&a)
		if a.i != stop || !slices.Equal(tags, want) {
			t.Fatalf("trial %d (n %d, tags %d, from %d): stopped at %d, tags %v; want %d, %v", trial, n, nt, start, a.i, tags, stop, want)
		}
		// the leads of the tokens it tagged, nothing else written
		if !slices.Equal(leads[start:stop], wantLeads[start:stop]) || slices.ContainsFunc(leads[:start], func(l int32) bool { return l != 0 }) ||
			slices.ContainsFunc(leads[stop:], func(l int32) bool { return l != 0 }) {
			t.Fatalf("trial %d (n %d, from %d, stop %d): leads %v, want %v", trial, n, start, stop, leads, wantLeads)
		}
	}
	if stops < 300 {
		t.Errorf("only %d of 3000 runs stopped early: the near ties are not tested", stops)
	}
}

// TestNarrow: a pair goes to int16 lanes and back unchanged when every
// lane fits, and is refused (not memoised) when one does not.
func TestNarrow(t *testing.T) {
	for _, c := range []struct {
		x  int32
		ok bool
	}{{0, true}, {32767, true}, {-32768, true}, {32768, false}, {-32769, false}, {1 << 20, false}} {
		for lane := range lanes {
			var p, back pair
			p.toB[3], p.toA[7], p.toC[lane] = -5, 1234, c.x
			var h hpair
			if got := h.narrow(&p); got != c.ok {
				t.Fatalf("lane %d = %d: narrow %v, want %v", lane, c.x, got, c.ok)
			}
			if h.widen(&back); c.ok && back != p {
				t.Fatalf("lane %d = %d: widened %v, want %v", lane, c.x, back, p)
			}
		}
	}
}

// TestIDLane: the lane of word.own that holds the class id is denied
// after every tag of the largest model, and the words' own vectors carry
// their class's id there.
func TestIDLane(t *testing.T) {
	for _, d := range denyMasks(1 + 2*maxTypes) {
		if d[idLane] != -1 {
			t.Fatalf("lane %d is not denied: %v", idLane, d)
		}
	}
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	c := tg.pool.Get().(*wordCache)
	defer tg.pool.Put(c)
	for _, text := range loadNotes(t, "../testdata/synth-500.jsonl")[:50] {
		var casing byte
		c.recs, casing = scanInto(c.recs[:0], text)
		tg.appendFast(nil, c, text, casing)
		for _, w := range c.ic.ws[:len(c.recs)] {
			if got := uint32(w.own[idLane]); got != w.cl.id {
				t.Fatalf("word of class %d holds id %d", w.cl.id, got)
			}
		}
		c.release()
	}
}

// TestMidKey: the mid memo's key of a word of 8 to 16 bytes is its whole
// identity: two words (and casings) share a key only when they are equal,
// and the memo finds each word it was given, never another.
func TestMidKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 13))
	const alphabet = "aAbB'zZ09"
	var words []string
	for range 20000 {
		n := 8 + rng.IntN(9)
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		words = append(words, string(b))
	}
	var m midMemo
	held := map[midKey]string{}
	ws := map[midKey]*word{}
	for _, w := range words {
		for casing := range byte(3) {
			k := midKeyOf(w, casing)
			if prev, ok := held[k]; ok {
				if prev != w+string('0'+casing) {
					t.Fatalf("%q (casing %d) has the key of %q", w, casing, prev)
				}
				continue
			}
			held[k] = w + string('0'+casing)
			if m.get(k) != nil {
				t.Fatalf("%q (casing %d) found before it was added", w, casing)
			}
			ws[k] = &word{}
			m.put(k, ws[k])
		}
	}
	for k, w := range held {
		if got := m.get(k); got != ws[k] {
			t.Fatalf("%q: found %p, added %p", w, got, ws[k])
		}
		if want := midKeyOf(w[:len(w)-1], w[len(w)-1]-'0'); want != k {
			t.Fatalf("%q: key %v, built %v", w, want, k)
		}
	}
	if m.n != len(held) || 4*m.n > 3*len(m.slots) {
		t.Fatalf("%d held, %d counted in %d slots", len(held), m.n, len(m.slots))
	}
}

// TestAppendBTags: the B tags found eight at a time are those of a plain
// loop, at every length around the eight-byte steps and in every position.
func TestAppendBTags(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	plain := func(tags []uint8) (s []int32) {
		for i, g := range tags {
			if g%2 == 1 {
				s = append(s, int32(i))
			}
		}
		return s
	}
	for n := range 41 {
		for try := range 60 {
			tags := make([]uint8, n)
			for i := range tags {
				switch {
				case try == 0: // all O
				case try == 1:
					tags[i] = 1 // all B
				default:
					tags[i] = uint8(rng.IntN(11))
				}
			}
			prefix := []int32{-7}
			got := appendBTags(slices.Clone(prefix), tags)
			if want := append(prefix, plain(tags)...); !slices.Equal(got, want) {
				t.Fatalf("tags %v: B tags at %v, want %v", tags, got, want)
			}
		}
	}
}
