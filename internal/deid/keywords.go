package deid

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

// in reports whether token k is a word in the keyword set(s) bits.
func (sc *scan) in(k int, bits uint32) bool {
	return k >= 0 && k < len(sc.toks) && sc.toks[k].kw&bits != 0
}

// keywordStart[len][first letter] says whether any keyword has that length
// and first letter: most lower-case words skip the map look-up altogether.
var keywordStart = func() (t [16][26]bool) {
	for w := range keywordBits {
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

// keywordHash is keywordBits keyed by wordHash, for the tokenizer.
var keywordHash = func() map[uint64]uint32 {
	m := make(map[uint64]uint32, len(keywordBits))
	for w, b := range keywordBits {
		m[wordHash(w)] = b
	}
	return m
}()
