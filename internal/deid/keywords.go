package deid

import (
	"maps"
	"slices"
)

// Keyword sets as bits, looked up once per word in tokenize, so the rules
// test a bit instead of probing a dozen maps per token.
const (
	setMonth uint32 = 1 << iota
	setDay
	setOrg
	setOrgHead
	setHeader
	setTitle
	setCue1 // a name cue that needs no colon ("wife")
	setCue2 // a name cue that needs a colon ("Patient:")
	setCred
	setStreet
	setUnitWord
	setDir
	setInterj
	setPlace
	setDemonym
	setIDCue
	setPhoneCue
	setMeasure
	setGeneric
	setPlain    // capitalised words that name nothing alone (rules_context.go: plainWord)
	setHoliday  // first words of multi-word holidays
	setRelation // relations that announce a name in any case ("son", "dtr": rules_words.go relations)
)

var keywordBits = func() map[string]uint32 {
	m := map[string]uint32{}
	add := func(set map[string]bool, bit uint32) {
		for w, ok := range set {
			if ok {
				m[w] |= bit
			}
		}
	}
	for w := range months {
		m[w] |= setMonth
	}
	for w, need := range nameCues {
		if need == 1 {
			m[w] |= setCue1
		} else {
			m[w] |= setCue2
		}
	}
	add(dayWords, setDay)
	add(orgWords, setOrg)
	add(orgHeads, setOrgHead)
	add(headerWords, setHeader)
	add(titles, setTitle)
	add(credentials, setCred)
	add(streetSuffixes, setStreet)
	add(unitWords, setUnitWord)
	add(directions, setDir)
	add(interjections, setInterj)
	add(placeWords, setPlace)
	add(demonyms, setDemonym)
	add(idCues, setIDCue)
	add(phoneCues, setPhoneCue)
	add(units, setMeasure)
	add(genericOrgWords, setGeneric)
	add(relations, setRelation)
	// only rare words: a bit on "the" or "or" would slow every rule that
	// skips keyword-free tokens
	add(payers, setPlain)
	add(timeWords, setPlain)
	for _, h := range holidays {
		m[h[0]] |= setHoliday
	}
	return m
}()

// Extra word sets as bits (token.xbits), for rules that test a word against
// a set on many tokens: the map look-up done once per word by tokenize (and
// its cache). They stay apart from the keyword bits (token.kw), whose "no
// keyword" (kw == 0) many rules test. Only a word of ASCII letters gets them:
// a set's words are ASCII, and the rules test the word's ASCII lower case.
const (
	xMeasure     uint16 = 1 << iota // measureWords
	xLevel                          // levelWords
	xParticle                       // nameParticles
	xWeekdayAbbr                    // weekdayAbbr
	xClinAcronym                    // clinicalAcronyms
	xCueWord                        // cueWords
	xPlacePrep                      // placePreps
	xOrgPrep                        // orgPreps
	xStreetPrep                     // "on", "off", "at", "near" (scanPlaces)
	xAndOr                          // "and", "or" (scanLists)
	xIsWas                          // "is", "was" (scanLists)
	xPO                             // "po", "p" (scanAddresses: "PO Box", "P.O. Box")
	xM                              // "m" (scanNames: "M.D.")
	xPerWithTo                      // "per", "with", "to" (scanPeople)
	xDev3                           // dev3Words (scanDev3)
	xDev11                          // dev11Words (scanDev11)
)

// placePreps are the words before a place that placeCue reads.
var placePreps = map[string]bool{
	"in": true, "to": true, "of": true, "from": true, "near": true, "at": true, "outside": true,
	"visiting": true, "towards": true,
}

// orgPreps are the words before an organisation that orgCue reads.
var orgPreps = map[string]bool{
	"attends": true, "attended": true, "attend": true, "joined": true, "visits": true, "in": true,
	"at": true, "from": true, "to": true, "near": true, "via": true, "through": true, "into": true,
	"outside": true, "for": true, "on": true,
}

// cueWords are the words before a token that scanCues acts on (its switch).
var cueWords = map[string]bool{
	"patient": true, "pt": true, "name": true, "decedent": true, "to": true, "from": true, "on": true,
	"in": true, "near": true, "by": true, "transcribed": true, "dictated": true,
	"baby": true, "infant": true, "twin": true, "boy": true, "girl": true,
}

// extraSets are the sets of the extra bits.
var extraSets = []struct {
	set map[string]bool
	bit uint16
}{
	{measureWords, xMeasure}, {levelWords, xLevel}, {nameParticles, xParticle}, {weekdayAbbr, xWeekdayAbbr},
	{clinicalAcronyms, xClinAcronym}, {cueWords, xCueWord}, {placePreps, xPlacePrep}, {orgPreps, xOrgPrep},
	{map[string]bool{"on": true, "off": true, "at": true, "near": true}, xStreetPrep},
	{map[string]bool{"and": true, "or": true}, xAndOr}, {map[string]bool{"is": true, "was": true}, xIsWas},
	{map[string]bool{"po": true, "p": true}, xPO}, {map[string]bool{"m": true}, xM},
	{map[string]bool{"per": true, "with": true, "to": true}, xPerWithTo},
	{func() map[string]bool {
		m := map[string]bool{}
		for w := range dev3Words {
			m[w] = true
		}
		return m
	}(), xDev3},
	{dev11Words, xDev11},
}

// extraBits is extraSets as one map (built once).
var extraBits = func() map[string]uint16 {
	m := map[string]uint16{}
	for _, x := range extraSets {
		for w, ok := range x.set {
			if ok {
				m[w] |= x.bit
			}
		}
	}
	return m
}()

// xbits is the extra bits of token t (0 but for a word of ASCII letters):
// those of its word's number, which tokenize gave it, so that a token
// holds two bytes for its word sets and extra sets together.
func (t *token) xbits() uint16 { return extraOf[t.wid] }

// xin reports whether token k is a word in the extra set(s) bits.
func (sc *scan) xin(k int, bits uint16) bool {
	return uint(k) < uint(len(sc.toks)) && sc.toks[k].xbits()&bits != 0
}

// in reports whether token k is a word in the keyword set(s) bits.
func (sc *scan) in(k int, bits uint32) bool {
	return uint(k) < uint(len(sc.toks)) && sc.toks[k].kw&bits != 0
}

// wordSet is a set of words that rules test on many tokens
// (scan.inSet). Every word of every wordSet has a number (wordIDs) that
// tokenize gives its tokens once (token.wid, by the same look-up as the
// keyword bits), so a rule's test is a bit of the set instead of hashing
// the token's text for a map look-up each time a rule asks. The words are
// those of a map the rules also read as a map (by a string); only word
// tokens of ASCII letters get a number (TestWordSetsAreWords).
type wordSet struct{ bits []uint64 }

// has reports whether the word numbered id is in s (id 0: no word of any set).
func (s *wordSet) has(id uint16) bool {
	i := int(id >> 6)
	return id != 0 && i < len(s.bits) && s.bits[i]>>(id&63)&1 != 0
}

// inSet reports whether token k is a word of s: set[sc.lower(k)] for a
// token in range, as a bit test.
func (sc *scan) inSet(k int, s *wordSet) bool {
	return uint(k) < uint(len(sc.toks)) && s.has(sc.toks[k].wid)
}

// The word sets and the maps they hold (numberWords fills them).
var (
	staffCredSet, staffNounSet, namesakeSet, roleTitleSet               = new(wordSet), new(wordSet), new(wordSet), new(wordSet)
	roleContactSet, serviceVerbSet, digitGradedSet, possessiveEponymSet = new(wordSet), new(wordSet), new(wordSet), new(wordSet)
	roleWordSet, serviceWordSet, routeWordSet, contactWordSet           = new(wordSet), new(wordSet), new(wordSet), new(wordSet)
	scoredEponymSet, loneEponymSet, cardiacOpSet                        = new(wordSet), new(wordSet), new(wordSet)
	eponymFirstSet, eponymAnySet                                        = new(wordSet), new(wordSet)
	pronounSet, roleAbbrevSet, venueNounSet, dwellingSet                = new(wordSet), new(wordSet), new(wordSet), new(wordSet)
	roleSet, clergySet, denominationSet, objectWordSet                  = new(wordSet), new(wordSet), new(wordSet), new(wordSet)
	relationVerbSet, physicianRankSet, strongHeadSet, nameHeadSet       = new(wordSet), new(wordSet), new(wordSet), new(wordSet)
	weakHeadSet, orgRunGenericSet, notNameAfterCueSet, modalVerbSet     = new(wordSet), new(wordSet), new(wordSet), new(wordSet)
)

// wordSetMaps pairs each wordSet with the map whose words it holds.
var wordSetMaps = []struct {
	set   *wordSet
	words map[string]bool
}{
	{staffCredSet, staffCreds}, {staffNounSet, staffNouns}, {namesakeSet, namesakes}, {roleTitleSet, roleTitles},
	{roleContactSet, roleContact}, {serviceVerbSet, serviceVerbs}, {digitGradedSet, digitGraded}, {possessiveEponymSet, possessiveEponyms},
	{roleWordSet, roleWords}, {serviceWordSet, serviceWords}, {routeWordSet, routeWords}, {contactWordSet, contactWords},
	{scoredEponymSet, scoredEponyms}, {loneEponymSet, loneEponyms}, {cardiacOpSet, cardiacOps},
	{eponymFirstSet, eponymFirsts}, {eponymAnySet, eponymAny},
	{pronounSet, pronouns}, {roleAbbrevSet, roleAbbrevs}, {venueNounSet, venueNouns}, {dwellingSet, dwellings},
	{roleSet, roles}, {clergySet, clergy}, {denominationSet, denominations}, {objectWordSet, objectWords},
	{relationVerbSet, relationVerbs}, {physicianRankSet, physicianRanks}, {strongHeadSet, strongHeads}, {nameHeadSet, nameHeads},
	{weakHeadSet, weakHeads}, {orgRunGenericSet, orgRunGeneric}, {notNameAfterCueSet, notNameAfterCue}, {modalVerbSet, modalVerbs},
}

// wordIDs numbers the words of the word sets and of the extra sets from 1
// and fills each word set's bits (once, at start-up); extraOf[id] is the
// extra bits of the word numbered id, so that a token and the tokenizer's
// cache keep the word's number alone (32 bytes a token, 16 a cached word).
var wordIDs, extraOf = func() (map[string]uint16, []uint16) {
	ids := map[string]uint16{}
	for _, x := range wordSetMaps {
		for _, w := range slices.Sorted(maps.Keys(x.words)) { // the same numbers every run
			if !x.words[w] {
				continue
			}
			id, seen := ids[w]
			if !seen {
				id = uint16(len(ids) + 1)
				ids[w] = id
			}
			if need := int(id>>6) + 1; len(x.set.bits) < need {
				x.set.bits = append(x.set.bits, make([]uint64, need-len(x.set.bits))...)
			}
			x.set.bits[id>>6] |= 1 << (id & 63)
		}
	}
	for _, w := range slices.Sorted(maps.Keys(extraBits)) {
		if _, seen := ids[w]; !seen {
			ids[w] = uint16(len(ids) + 1)
		}
	}
	extra := make([]uint16, len(ids)+1)
	for w, b := range extraBits {
		extra[ids[w]] = b
	}
	return ids, extra
}()

// keywordStart[len][first letter] says whether any keyword has that length
// and first letter: most lower-case words skip the map look-up altogether.
// The extra sets' and the word sets' words are in it too
// (TestExtraWordsPassGate, TestWordSetsAreWords).
var keywordStart = func() (t [16][26]bool) {
	for _, w := range slices.Concat(slices.Collect(maps.Keys(keywordBits)), slices.Collect(maps.Keys(extraBits)), slices.Collect(maps.Keys(wordIDs))) {
		if n := len(w); n < 16 && w[0] >= 'a' && w[0] <= 'z' {
			t[n][w[0]-'a'] = true
		}
	}
	return t
}()

func maybeKeyword(w string) bool {
	n := len(w)
	return n > 0 && n < 16 && w[0] >= 'a' && w[0] <= 'z' && keywordStart[n][w[0]-'a']
}

// keywordHash is keywordBits (low 32 bits) and wordIDs (the high 16 bits;
// extraOf has the extra bits) keyed by wordHash, for the tokenizer.
var keywordHash = func() map[uint64]uint64 {
	m := make(map[uint64]uint64, len(keywordBits)+len(wordIDs))
	for w, b := range keywordBits {
		m[wordHash(w)] |= uint64(b)
	}
	for w, id := range wordIDs {
		m[wordHash(w)] |= uint64(id) << 48
	}
	return m
}()

// wordGate says whether a word can be in a set of words (a map look-up
// skipped for most words): gate[n][c] is set when a word of the set has n
// bytes and starts with the letter 'a'+c; any is set when a word of the set
// is longer or starts with another byte, and then every word may be.
type wordGate struct {
	gate [16][26]bool
	any  bool
}

func newWordGate(sets ...map[string]bool) *wordGate {
	g := new(wordGate)
	for _, set := range sets {
		for w := range set {
			if n := len(w); n > 0 && n < 16 && w[0] >= 'a' && w[0] <= 'z' {
				g.gate[n][w[0]-'a'] = true
			} else {
				g.any = true
			}
		}
	}
	return g
}

// may reports whether w can be in the gate's sets.
func (g *wordGate) may(w string) bool {
	if n := len(w); n > 0 && n < 16 && w[0] >= 'a' && w[0] <= 'z' {
		return g.gate[n][w[0]-'a']
	}
	return g.any
}
