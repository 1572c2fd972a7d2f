package deid

import (
	"context"
	"encoding/binary"
	"sync"
	"unsafe"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Rules is the built-in rule recognizer: one tokenizing pass, then patterns
// over tokens (dates, phones, IDs, addresses), context rules ("Dr.", "Pt:",
// "MRN #", "lives in") and lexicon look-ups (names, cities). Map look-ups on
// tokens replace per-token regular expressions, which keeps it fast.
type Rules struct {
	// vocab is the compiled lexicon (lexicon.Vocab, embedded, read in
	// place): the 64-bit FNV-1a hash of a lower-cased word → its flags.
	vocab *lexicon.Table
	pool  sync.Pool
}

var (
	rulesOnce    sync.Once
	defaultRules *Rules
)

// DefaultRules returns the shared rule recognizer (safe for concurrent use).
// The vocabulary is the table compiled at build time (vocab.bin), read
// where it is embedded: nothing is parsed or hashed at start-up.
func DefaultRules() *Rules {
	rulesOnce.Do(func() { defaultRules = newRules() })
	return defaultRules
}

func newRules() *Rules {
	r := &Rules{vocab: lexicon.Vocab()}
	r.pool.New = func() any { return &scan{} }
	return r
}

// Name implements Recognizer.
func (r *Rules) Name() string { return "rules" }

// Recognize implements Recognizer.
func (r *Rules) Recognize(ctx context.Context, text string) ([]Span, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sc := r.pool.Get().(*scan)
	defer r.pool.Put(sc)
	sc.reset(text, r.vocab)
	sc.run()
	return sc.spans(), nil
}

// recognizeKeep runs the rules and returns their scan, for its spans
// (appendSpans) and plausible on the same text; the caller gives it back
// with r.pool.Put.
func (r *Rules) recognizeKeep(text string) *scan {
	sc := r.pool.Get().(*scan)
	sc.reset(text, r.vocab)
	sc.run()
	return sc
}

// bspan is a span in byte offsets.
type bspan struct {
	s, e int
	t    Type
	rec  string
}

// scan is the per-call state; pooled to avoid allocation.
type scan struct {
	text    string
	vocab   *lexicon.Table
	toks    []token
	miss    *missCache // answers of misspelt
	out     []bspan
	low     string // text with ASCII letters lower-cased (same byte offsets)
	buf     []byte
	names   []string        // lower-cased words of names found, for later mentions
	nameSet map[string]bool // the same as a set, once there are many
	// nameBits: a one-word filter of names (nameBit of each): most words
	// that are no name stop there
	nameBits uint64
	// mentioned: len(names) when scanMentions last walked (-1: not yet)
	mentioned int
	// cov[:covN]: the offsets of the last eight spans (covered), when
	// len(out) was covLen
	cov          [8][2]int
	covLen, covN int
	// upperLine[i]: token i's line is all upper case (a heading), by index
	upperLine, upperLineBuf []bool
	claim                   []bool            // token already inside a name/location span
	nameTok                 []bool            // token inside a name span
	places                  []string          // places found, for later mentions (rules_context.go)
	capIdx                  []int             // indices of capitalised words (index, capTokens)
	ageIdx                  []int             // indices of numbers from 90 to 199 (index)
	dateIdx                 []int             // words that can start a written date (index)
	addrIdx                 []int             // tokens that can start an address rule (index)
	nameIdx                 []int             // words that can start a name rule (index)
	numIdx                  []int             // tokens that can start a number (index)
	cueIdx                  []int             // words scanCues can act on (index)
	dev3Idx                 []int             // words scanDev3 can act on (index)
	dev11Idx                []int             // words scanDev11 can act on (index)
	capDone                 bool              // index has run on this note
	clinical                []bool            // token claimed by the clinical-number grammar
	cache                   *vocabCache       // per scan (pooled): the table is shared and read-only
	lineBuf                 []lineCount       // setCasing's lines, reused
	lineCase                []uint8           // per token: its line's casing, caseMixed, caseUpper or caseLower (rules_recall.go)
	ascii                   bool              // text is ASCII: byte offsets are code-point offsets
	view                    Tokens            // tokens' view of toks
	shapeBuf                []byte            // shape's buffer
	shapes                  map[string]string // shapes seen, interned (shape)
	shapeCache              [1 << shapeCacheLog]shapeEntry
}

func (sc *scan) reset(text string, vocab *lexicon.Table) {
	sc.text, sc.vocab = text, vocab
	sc.buf, sc.ascii = appendLowerASCII(sc.buf[:0], text)
	// low reads buf in place (no copy of the note): every string cut from
	// it (words, names, places) lives in this scan's per-note state only,
	// which the next reset drops before it rewrites buf
	sc.low = unsafe.String(unsafe.SliceData(sc.buf), len(sc.buf))
	if sc.cache == nil {
		sc.cache = new(vocabCache)
	}
	sc.toks = tokenize(text, sc.low, sc.toks, vocab, sc.cache)
	if sc.setCasing() {
		sc.truecase()
	}
	sc.out, sc.covLen = sc.out[:0], -1
	clear(sc.names) // the last note's names are slices of buf: drop them
	sc.names, sc.nameSet, sc.nameBits, sc.mentioned = sc.names[:0], nil, 0, -1
	sc.capDone = false
	if cap(sc.claim) < len(sc.toks) {
		sc.claim = make([]bool, len(sc.toks))
	}
	sc.claim = sc.claim[:len(sc.toks)]
	clear(sc.claim)
	if cap(sc.clinical) < len(sc.toks) {
		sc.clinical = make([]bool, len(sc.toks))
	}
	sc.clinical = sc.clinical[:len(sc.toks)]
	clear(sc.clinical)
	if cap(sc.nameTok) < len(sc.toks) {
		sc.nameTok = make([]bool, len(sc.toks))
	}
	sc.nameTok = sc.nameTok[:len(sc.toks)]
	clear(sc.nameTok)
}

// appendLowerASCII appends text to b with A-Z lower-cased and every other
// byte as it is, eight bytes at a time; ascii reports that text has no
// byte of 0x80 or more.
func appendLowerASCII(b []byte, text string) (_ []byte, ascii bool) {
	n := len(b)
	b = append(b, text...)
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	w := b[n:]
	i := 0
	var all uint64 // the bytes or'ed together
	for ; i+8 <= len(w); i += 8 {
		x := binary.LittleEndian.Uint64(w[i:])
		all |= x
		h := x &^ highs                // each byte's low seven bits
		ge := h + (0x80-'A')*ones      // high bit: byte >= 'A'
		gt := h + (0x80-'Z'-1)*ones    // high bit: byte > 'Z'
		upper := ge &^ gt &^ x & highs // A-Z, and no byte of 0x80 or more
		// stored whether or not a letter changed: the branch on it was
		// mispredicted (most runs of eight bytes of prose hold a capital or not
		// at random)
		binary.LittleEndian.PutUint64(w[i:], x|upper>>2) // 0x80>>2 is 'a'-'A'
	}
	for ; i < len(w); i++ {
		c := w[i]
		all |= uint64(c)
		if 'A' <= c && c <= 'Z' {
			w[i] = c + 'a' - 'A'
		}
	}
	return b, all&highs == 0
}

func (sc *scan) add(s, e int, t Type, rec string) {
	if e > s {
		sc.out = append(sc.out, bspan{s: s, e: e, t: t, rec: rec})
	}
}

// addToks adds a span covering tokens i..j inclusive.
func (sc *scan) addToks(i, j int, t Type, rec string) {
	if i < 0 || j >= len(sc.toks) || j < i {
		return
	}
	if t == TypeID {
		// An identifier is the whole hyphen-joined code it sits in:
		// "ACC-XYZ-0099", "CANARY-MRN-99173". Tagging only the digits
		// would leave the rest of a unique code in the output.
		for i >= 2 && sc.codeJoin(i-1) {
			i -= 2
		}
		for j+2 < len(sc.toks) && sc.codeJoin(j+1) {
			j += 2
		}
	}
	if (t == TypeName || t == TypeLocation || t == TypeDate) && sc.eponymSpan(i, j) {
		return // "Jackson-Pratt", "Bair Hugger", "Arctic Sun" (rules_eponyms.go)
	}
	if (t == TypeDate || t == TypeLocation) && i == j && sc.toks[i].kw&setDay != 0 && sc.weeklyBefore(i) {
		return // "WEEKLY LABS MONDAY", "every Monday": a schedule, nor a town (rules_words.go)
	}
	if (t == TypeName || t == TypeLocation) && i == j && sc.inSet(i, routeWordSet) && sc.routeUse(i) {
		return // "via NJ", "teach mom NG feeds": a feeding route (combine.go)
	}
	sc.add(sc.toks[i].s, sc.toks[j].e, t, rec)
	if t == TypeName || t == TypeLocation {
		for k := i; k <= j; k++ {
			sc.claim[k] = true
			sc.nameTok[k] = t == TypeName
		}
	}
}

// codeJoin: token k is a '-' glued (no space either side) between two
// letter or digit tokens, as inside a code.
func (sc *scan) codeJoin(k int) bool {
	if k < 1 || k+1 >= len(sc.toks) || !sc.punct(k, '-') || sc.toks[k].sp || sc.toks[k+1].sp {
		return false
	}
	return sc.toks[k-1].kind != kPunct && sc.toks[k+1].kind != kPunct
}

func (sc *scan) run() {
	sc.index()
	sc.scanBytes()
	sc.scanDomains()
	sc.scanNumbers()
	sc.scanWords()
	sc.scanNames(false) // names announced by a cue, title or credential
	sc.scanOrgs()
	sc.scanAddresses()
	sc.scanContext() // "works at Costco", "called from Walgreens"
	sc.scanExtras()  // holidays, highways, "Stanley Park"
	sc.scanPlaces()
	sc.scanVenueTowns() // "the pharmacy in cotter" (rules_context.go)
	sc.scanDrugstores() // "pharmacist from yellowtail drug" (rules_context.go)
	sc.scanNames(true)  // names the lexicon knows
	sc.scanCues()       // last-first headers, initials, wards, towns before a state
	sc.scanSentenceNames()
	sc.scanPeople()
	sc.scanLists()
	sc.scanMentions()
	sc.scanPlaceMentions()
	sc.scanSaints() // "FROM ST. ENDELLION" (rules_plainorgs.go)
	sc.scanCandidates()
	sc.scanMentions()
	sc.scanNameAges()
	sc.scanDev3() // dates and shapes of the dev3 notes (rules_dev3.go)
	sc.joinPlaces()
	sc.scanDev6()      // ranges within a month, "HEALTH AND REHAB" (rules_dev6.go)
	sc.scanDev11()     // wards by floor and direction, "sat the 12th" (rules_dev11.go)
	sc.scanPlainOrgs() // facilities and employers in a note of one case (rules_plainorgs.go)
}

// spans converts byte spans to code-point spans.
func (sc *scan) spans() []Span {
	if len(sc.out) == 0 {
		return nil
	}
	return sc.appendSpans(make([]Span, 0, len(sc.out)))
}

// appendSpans appends the spans of spans() to out.
func (sc *scan) appendSpans(out []Span) []Span {
	ascii := sc.ascii
	var idx []int
	if !ascii {
		// idx[b] = code-point index of byte offset b (for rune starts).
		idx = make([]int, len(sc.text)+1)
		n := 0
		for b := range sc.text {
			idx[b] = n
			n++
		}
		idx[len(sc.text)] = n
	}
	for _, b := range sc.out {
		s, e := b.s, b.e
		if groupSpan(sc.text, s, e, b.t) {
			continue // a country or a faith is no PHI (countries.go)
		}
		if !ascii {
			s, e = idx[s], idx[e]
		}
		out = append(out, Span{Start: s, End: e, Type: b.t, Recognizer: b.rec})
	}
	return out
}

// tok helpers

func (sc *scan) str(i int) string { t := &sc.toks[i]; return sc.text[t.s:t.e] }

// is reports whether token i is the word w, which must be lower case (the
// token in any case): a slice of the lower-cased text compared with w,
// cheaper than EqualFold.
func (sc *scan) is(i int, w string) bool {
	if uint(i) >= uint(len(sc.toks)) {
		return false
	}
	t := &sc.toks[i]
	return t.e-t.s == len(w) && sc.low[t.s:t.e] == w
}

// b2u is b as 0 or 1 (compiled without a branch): the rules' most asked
// tests combine their parts with it (or with ^ and |) instead of "&&",
// whose branch on data such as a token's kind the processor mispredicts
// often.
func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func (sc *scan) punct(i int, c byte) bool {
	if uint(i) >= uint(len(sc.toks)) {
		return false
	}
	t := &sc.toks[i]
	return (t.kind^kPunct)|(t.aux^c) == 0 // one branch (b2u)
}

// joined reports whether token i follows token i-1 with no space between.
func (sc *scan) joined(i int) bool {
	return i > 0 && i < len(sc.toks) && !sc.toks[i].sp
}

// lower returns token i in lower case (ASCII letters only; a slice of the
// lower-cased copy of the text, so it does not allocate).
func (sc *scan) lower(i int) string { t := &sc.toks[i]; return sc.low[t.s:t.e] }

func (sc *scan) numVal(i int) int {
	t := &sc.toks[i]
	if t.kind != kNum || t.e-t.s > 6 {
		return -1
	}
	v := 0
	for k := t.s; k < t.e; k++ {
		v = v*10 + int(sc.text[k]-'0')
	}
	return v
}

func (sc *scan) numLen(i int) int {
	if uint(i) >= uint(len(sc.toks)) {
		return 0
	}
	t := &sc.toks[i]
	return (t.e - t.s) * int(b2u(t.kind == kNum)) // no branch on the kind (b2u)
}

// addName remembers a name word for later mentions.
func (sc *scan) addName(w string) {
	if sc.isName(w) {
		return
	}
	sc.names = append(sc.names, w)
	sc.nameBits |= nameBit(w)
	if sc.nameSet != nil {
		sc.nameSet[w] = true
	} else if len(sc.names) > smallNames {
		sc.nameSet = make(map[string]bool, 2*len(sc.names))
		for _, n := range sc.names {
			sc.nameSet[n] = true
		}
	}
}

// nameBit is w's bit in scan.nameBits, from its length and its first and
// last bytes (no hash to compute).
func nameBit(w string) uint64 {
	if w == "" {
		return 1
	}
	return 1 << ((uint(len(w))*7 + uint(w[0])*3 + uint(w[len(w)-1])) & 63)
}

// smallNames: up to this many name words a linear search beats a map that
// would have to be allocated or cleared for every note; past it (long
// documents) the map keeps the scan linear.
const smallNames = 32

// isName: w is a word of a name found earlier.
func (sc *scan) isName(w string) bool {
	if sc.nameBits&nameBit(w) == 0 {
		return false
	}
	if sc.nameSet != nil {
		return sc.nameSet[w]
	}
	for _, n := range sc.names {
		if n == w {
			return true
		}
	}
	return false
}
