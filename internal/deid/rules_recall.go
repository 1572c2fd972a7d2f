package deid

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Recall first: a word that is neither known-safe (general English, medical
// and pharmacy vocabulary, clinical shorthand: lexicon.Safe) nor explained by
// a rule is a PHI candidate, in any letter case.
//
// Letter case is a property of the writer: about a third of real nursing notes
// are written in capitals and a quarter in lower case, where case says nothing
// about names. Such a note is "true-cased" before the rules run: a word keeps
// a capital only when it could be PHI (a word no safe list knows, a name or
// city that is not common English, a word right after a title or relation
// cue) or when it is capitalised in any writing (a title, month, weekday), so
// "TO RECEIVE PO LOPRESSOR" reads as lower case and "JON DEVAUX RRT" as
// "Jon Devaux RRT". The rules written for mixed case then apply unchanged.

// Note casings.
const (
	caseMixed uint8 = iota
	caseUpper
	caseLower
)

// caseCount counts the words of two or more letters of a run of tokens, those
// in capitals and those holding a capital letter.
type caseCount struct{ words, upper, capped int }

// casing: upper when at least 70 % of the words are in capitals, lower when
// at most 5 % hold a capital letter, caseMixed below minWords words.
func (c caseCount) casing(minWords int) uint8 {
	switch {
	case c.words < minWords || c.words == 0:
		return caseMixed
	case c.upper*10 >= c.words*7:
		return caseUpper
	case c.capped*20 <= c.words:
		return caseLower
	}
	return caseMixed
}

// setCasing decides the casing of each line: its own when it has four words
// or more, else the note's unless the short line reads as mixed case itself
// ("Pt: Zebulon Quaxley" in a capitals note). It returns whether any line is
// not mixed.
func (sc *scan) setCasing() bool {
	// one pass: each line's counts, and the note's as their sum
	lines := sc.lineBuf[:0]
	var all caseCount
	// the current line's counts (caseCount.add without a branch per word)
	words, upper, capped := 0, 0, 0
	toks := sc.toks
	for i := range toks {
		t := &toks[i]
		if t.nl && i > 0 {
			lines = append(lines, lineCount{i, caseCount{words, upper, capped}})
			words, upper, capped = 0, 0, 0
		}
		w := b2u(t.kind == kWord) & b2u(t.e-t.s >= 2)
		words += int(w)
		upper += int(w & b2u(t.upper))
		capped += int(w & (b2u(t.cap) | b2u(t.upper)))
	}
	lines = append(lines, lineCount{len(toks), caseCount{words, upper, capped}})
	for _, l := range lines {
		all.words += l.c.words
		all.upper += l.c.upper
		all.capped += l.c.capped
	}
	note := all.casing(3)
	if cap(sc.lineCase) < len(sc.toks) {
		sc.lineCase = make([]uint8, len(sc.toks))
	}
	sc.lineCase = sc.lineCase[:len(sc.toks)]
	clear(sc.lineCase) // caseMixed
	any, s := false, 0
	for _, l := range lines {
		c := l.c.casing(4)
		if l.c.words < 4 {
			if c = note; l.c.casing(1) == caseMixed {
				c = caseMixed
			}
		}
		if c != caseMixed {
			for k := s; k < l.end; k++ {
				sc.lineCase[k] = c
			}
		}
		any = any || c != caseMixed
		s = l.end
	}
	sc.lineBuf = lines
	return any
}

// lineCount is one line of setCasing: where it ends and its counts.
type lineCount struct {
	end int
	c   caseCount
}

// caseAt is the casing of token i's line.
func (sc *scan) caseAt(i int) uint8 {
	if i < 0 || i >= len(sc.lineCase) {
		return caseMixed
	}
	return sc.lineCase[i]
}

// candidate: word token i is a PHI candidate by its spelling: not a keyword
// of any rule, and either a name or city that is not common English, or in
// no safe list and not an abbreviation or a misspelling of a safe word.
func (sc *scan) candidate(i int) bool {
	t := &sc.toks[i]
	if t.kind != kWord || t.kw != 0 {
		return false
	}
	if t.aux == 0 {
		t.aux = 2
		if sc.isCandidate(i) {
			t.aux = 1
		}
	}
	return t.aux == 1
}

// ktV: word token i is the "Kt" of "Kt/V", the dialysis dose ("Kt" alone
// stays off the clinical list: "Reported by KT." is a person's initials).
func (sc *scan) ktV(i int) bool {
	return sc.is(i, "kt") && sc.punct(i+1, '/') && sc.joined(i+1) && sc.is(i+2, "v") && sc.joined(i+2)
}

// isCandidate is candidate without the per-token memo.
func (sc *scan) isCandidate(i int) bool {
	t := &sc.toks[i]
	f := t.flags
	if sc.afterPercent(i) {
		return false // "(12TH %ILE)": a percentile (dev78)
	}
	if sc.ktV(i) {
		return false // "Kt/V 1.38": a dialysis dose (dev83)
	}
	if sc.namesake(i) {
		return false // "topical + MAC", "OV 14": a name only after a title or relation ("Dr. Huber")
	}
	if f&(lexicon.Name|lexicon.City) != 0 && f&(lexicon.Common|lexicon.SafeCore) == 0 && t.e-t.s > 2 {
		// (the eponym test last: its map look-ups cost on every word)
		// not "passy-muir trial" (rules_eponyms.go), not "IOWA MEDICAID" (dev71)
		return !sc.inEponym(i) && !(f&lexicon.State != 0 && sc.insurer(i+1))
	}
	if f&(lexicon.Safe|lexicon.Common|lexicon.State) != 0 {
		return false
	}
	n := utf8.RuneCountInString(sc.text[t.s:t.e])
	if n < 4 || t.upper && n <= 4 && sc.caseAt(i) == caseMixed {
		return false // "hgb", "sxn", "MRSA": abbreviations
	}
	w := sc.lower(i)
	if !hasVowel(w) || medicalWord(w) || sc.compound(w) || abbrevVerb(w) {
		return false
	}
	// a capitalised word in a mixed-case line is rarely a typo: skip the
	// (costly) misspelling check there
	return !(n >= 5 && !(t.cap && sc.caseAt(i) == caseMixed) && sc.misspelt(w)) && !sc.inEponym(i)
}

// afterPercent: token k is glued after "%" ("%ILE", "%ile": a percentile).
func (sc *scan) afterPercent(k int) bool {
	return k > 0 && sc.punct(k-1, '%') && sc.joined(k)
}

// abbrevVerb: w (lower case) is an abbreviation made a verb with an
// apostrophe (the "C'ING" of "D/C'ING", "f/u'ed", "d/c'd").
func abbrevVerb(w string) bool {
	for _, suf := range [...]string{"'ing", "'ed", "'d", "’ing", "’ed", "’d"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

func hasVowel(w string) bool {
	for i := 0; i < len(w); i++ {
		switch w[i] {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			return true
		}
		if w[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// misspelt: w (lower case ASCII) is one edit (a letter added or two swapped;
// a letter dropped or changed, in words of eight letters or more) from a safe
// word that is not a name: "secreations",
// "repositoned", "tachycardic". Only words no list knows get here, a few per
// note, so the few hundred look-ups stay cheap.
func (sc *scan) misspelt(w string) bool {
	if len(w) > 24 {
		return false
	}
	// the answer depends on the word alone: remembered per scan (and so
	// across the notes a pooled scan handles), two per set by the hash
	// that vocabCache keys words by too, the word last found first
	if sc.miss == nil {
		sc.miss = new(missCache)
	}
	h := wordHash(w)
	set := &sc.miss[h&(missCacheSets-1)]
	if e := set[0]; e.key == h && h != 0 {
		return e.yes
	}
	if e := set[1]; e.key == h && h != 0 {
		set[0], set[1] = e, set[0]
		return e.yes
	}
	yes := sc.misspeltUncached(w)
	set[0], set[1] = missEntry{key: h, yes: yes}, set[0]
	return yes
}

// missCache remembers answers of misspelt (see there): 2*missCacheSets words.
type missCache [missCacheSets][2]missEntry

// missEntry is a word's hash and misspelt's answer.
type missEntry struct {
	key uint64
	yes bool
}

const missCacheSets = 512

// misspeltUncached is misspelt without the cache.
func (sc *scan) misspeltUncached(w string) bool {
	bits := safeBits(sc.vocab)
	ok := func(h uint64) bool {
		if bits[h>>(64-safeBitsLog)>>6]&(1<<(h>>(64-safeBitsLog)&63)) == 0 {
			return false // certainly no safe word: skip the table
		}
		f := sc.vocab.LookupHash(h)
		return f&lexicon.Safe != 0 && f&(lexicon.Name|lexicon.City) == 0
	}
	if !lowerLetters(w) {
		return false
	}
	// Every candidate is a prefix of w, at most two letters, and a suffix
	// of w: its hash (FNV-1a, as wordHash) continues from the hash of the
	// prefix, computed once.
	n := len(w)
	var pre [25]uint64
	pre[0] = fnvOffset
	for i := 0; i < n; i++ {
		pre[i+1] = (pre[i] ^ uint64(w[i])) * fnvPrime
	}
	more := func(h uint64, s string) uint64 {
		for j := 0; j < len(s); j++ {
			h = (h ^ uint64(s[j])) * fnvPrime
		}
		return h
	}
	// deletion
	for i := 0; i < n; i++ {
		if ok(more(pre[i], w[i+1:])) {
			return true
		}
	}
	// transposition
	for i := 0; i+1 < n; i++ {
		h := (pre[i] ^ uint64(w[i+1])) * fnvPrime
		h = (h ^ uint64(w[i])) * fnvPrime
		if ok(more(h, w[i+2:])) {
			return true
		}
	}
	if n < 8 {
		// substitution and insertion only in long words: in short ones
		// they turn names into words ("gordon" → "cordon")
		return false
	}
	// substitution
	for i := 0; i < n; i++ {
		for c := byte('a'); c <= 'z'; c++ {
			if c != w[i] && ok(more((pre[i]^uint64(c))*fnvPrime, w[i+1:])) {
				return true
			}
		}
	}
	// insertion
	for i := 0; i <= n; i++ {
		for c := byte('a'); c <= 'z'; c++ {
			if ok(more((pre[i]^uint64(c))*fnvPrime, w[i:])) {
				return true
			}
		}
	}
	return false
}

// truecase rewrites the case flags of an all-capitals or all-lower-case note
// (see above). Original case stays in the text; only t.cap and t.upper change.
func (sc *scan) truecase() {
	toks := sc.toks
	for i := range toks {
		t := &toks[i]
		if t.kind != kWord || sc.lineCase[i] == caseMixed {
			continue
		}
		upperNote := sc.lineCase[i] == caseUpper
		wasUpper := t.upper
		t.cap, t.upper = false, false
		switch {
		case t.kw&(setTitle|setMonth|setDay|setHoliday) != 0:
			t.cap = true
		case upperNote && wasUpper && (t.kw&setCred != 0 && sc.credPlace(i) || t.e-t.s == 2 && t.flags&lexicon.State != 0 && (sc.punct(i-1, ',') || sc.numLen(i+1) == 5)):
			t.cap, t.upper = true, true // "RRT", "MD", "CA 92101"
		case sc.candidate(i):
			t.cap = true
		case t.e-t.s == 1 && sc.punct(i+1, '.') && i+2 < len(toks) && toks[i+2].kind == kWord && !toks[i+2].nl &&
			(toks[i+2].flags&lexicon.Name != 0 && toks[i+2].kw == 0 && !functionWord(sc.lower(i+2)) || sc.candidate(i+2)):
			t.cap = true // "E. WELSH", "c. barre": an initial, and the name after it
			toks[i+2].cap = true
		case weekdayShort(sc.lower(i)) && !(sc.is(i, "sat") || sc.is(i, "sun")):
			t.cap = true // "FRI, 19 SEP"
		}
	}
	for i := range toks {
		t := &toks[i]
		if t.kind != kWord || t.cap || sc.lineCase[i] == caseMixed {
			continue
		}
		switch {
		// a name after a title or relation: "dr cole", "son bill", "mr.renzi"
		case sc.cueBefore(i) && sc.nameAfterCue(i):
			t.cap = true
		// the rest of an organisation or place: "baltimore rehab", "quartermain 2"
		case i > 0 && !t.nl && t.sp && toks[i-1].kind == kWord && toks[i-1].cap && sc.in(i, setOrgHead|setOrg|setStreet|setPlace) && !sc.in(i, setGeneric):
			t.cap = true
		}
	}
	sc.capOrgs()
}

// credPlace: token i of a note in capitals, a credential, stands where a
// credential stands; not PT as the patient: "TO PT'S WIFE", "RX SENT TO PT'S
// PHARMACY", "WANTS TO TAKE PT HOME" (a credential in capitals reads as a
// place after "to").
func (sc *scan) credPlace(i int) bool {
	return !sc.is(i, "pt") || !sc.possessive(i+1) && !sc.is(i-1, "take")
}

// facilityKinds say what kind of place a facility is, not which ("to another
// nursing home", "from local care center").
var facilityKinds = map[string]bool{
	"another": true, "local": true, "same": true, "other": true, "private": true, "skilled": true, "assisted": true,
	"long": true, "term": true, "adult": true, "group": true, "outside": true, "previous": true, "prior": true,
	"their": true, "your": true, "nearby": true, "closer": true, "different": true, "new": true, "some": true,
}

// placePrepAt: token p is "from", "to", "at" or "in" on the line of the
// word after it.
func (sc *scan) placePrepAt(p int) bool {
	return p >= 0 && !sc.toks[p+1].nl && (sc.is(p, "from") || sc.is(p, "to") || sc.is(p, "at") || sc.is(p, "in"))
}

// capOrgs: in a true-cased note, an organisation head word ("HOSPITAL",
// "center") and the words before it on its line become capitalised when one of
// them could be a name ("OWENSBORO GENERAL HOSPITAL", "salem health center").
func (sc *scan) capOrgs() {
	toks := sc.toks
	for i := range toks {
		if toks[i].kind != kWord || !sc.in(i, setOrgHead) || sc.lineCase[i] == caseMixed {
			continue
		}
		s, proper := i, false
		for k := i - 1; k >= 0 && k >= i-5 && !toks[k+1].nl; k-- {
			// (a full stop only after a word of up to four letters, an
			// abbreviation: "ST. JOSEPH HOSPITAL", "WASH. HOSPITAL CENTER";
			// not the end of a sentence: "HOME TO RECEIVE. HOSPICE AGENCY")
			if toks[k].kind == kWord && (toks[k].kw&(setOrg|setGeneric|setOrgHead|setTitle) != 0 || sc.is(k, "of") || sc.is(k, "s") || toks[k].cap) ||
				sc.punct(k, '.') && k > 0 && toks[k-1].kind == kWord && toks[k-1].e-toks[k-1].s <= 4 || sc.punct(k, '\'') {
				if toks[k].kind == kWord && toks[k].cap && toks[k].kw == 0 {
					proper = true
				}
				s = k
				continue
			}
			// a facility named by an everyday word right after a place
			// preposition ("PT FROM GOOSEBERRY CARE CENTER"), not by a
			// clinical one ("FROM WOUND CARE CENTER")
			if !proper && toks[k].kind == kWord && toks[k].kw == 0 && toks[k].flags&lexicon.Clinical == 0 && toks[k].e-toks[k].s > 3 &&
				!functionWord(sc.lower(k)) && !facilityKinds[sc.lower(k)] && s < i && sc.placePrepAt(k-1) {
				proper, s = true, k
			}
			break
		}
		if !proper {
			continue
		}
		for k := s; k <= i; k++ {
			if toks[k].kind == kWord && !sc.is(k, "of") && !sc.is(k, "s") {
				toks[k].cap = true
			}
		}
	}
}

// functionWords are names in the lexicon that, after a cue, are still the
// sentence's own words ("wife will call", "son may visit").
func functionWord(w string) bool {
	switch w {
	case "will", "may", "can", "and", "is", "was", "has", "had", "at", "in", "to", "by", "so", "are",
		"here", "aware", "also", "not", "all", "an", "as", "the", "his", "her", "per", "with", "for",
		"on", "of", "be", "been", "did", "does", "very", "well", "just", "now", "then", "says", "said",
		"called", "visited", "updated", "present", "home", "over", "out", "up", "back", "still",
		"came", "come", "went", "left", "took", "gave", "brought", "spoke", "will't", "feel", "want",
		"here's", "there", "who", "which", "that", "this", "unable", "able", "again", "today", "tonight",
		"later", "notified", "made", "about", "from", "into", "or", "but", "if", "when", "while", "would",
		"fell", "feels", "felt", "states", "stated", "were", "have",
		"most", "some", "many", "several", // "with her sister most of the afternoon" (dev50)
		"quite", "much", "more", "less", "both", "each", "lives", "living", "arrived", "dropped",
		"set", "put", "got", "get", "make", "see", "saw", "seen", "plan", "meet", "met", "call", "tell",
		"how", "what", "why", "where", "whom", "whose",
		// verbs that follow a relation ("wife read cards to him", "son
		// picking up at 1100"; not "sat": "COME IN SAT")
		"read", "given", "picking", "asked", "asking", "agrees", "agreed", "requests",
		"requested", "reports", "reported", "stayed", "staying", "needs", "wants", "wanted",
		"knows", "thinks", "prefers", "declined", "refused", "signed", "brings", "drove", "drives",
		// a verb denied ("my wife can't handle the vent": dev68) and
		// prepositions of time ("KIDS TO VISIT AFTER SCHOOL": dev66)
		"can't", "won't", "don't", "doesn't", "didn't", "isn't", "wasn't", "couldn't", "wouldn't",
		"hasn't", "hadn't", "cannot", "after", "before":
		return true
	}
	return false
}

// scanCandidates marks what is left: runs of candidate words that no rule
// took ("Zebulon Quaxley", "smithers", "Hafþór"), a word after a title or a
// relation cue in any case ("per dr smithers"), and an unknown acronym after
// a place cue ("TRANS TO GH"). A candidate after a place cue or known only
// as a city is a LOCATION; any other a NAME.
func (sc *scan) scanCandidates() {
	toks := sc.toks
	for i := 0; i < len(toks); i++ {
		t := &toks[i] // (only t.aux changes during the walk, and it is not read here)
		if t.kind != kWord {
			continue
		}
		if sc.nameTok[i] {
			// a name found by another rule takes in the known names and
			// candidates right after it ("SISTER MARIE RICE"), not a
			// clinical word ("INFANT BRYNLEE DOL 14") unless after a
			// particle ("pham van loc")
			e := i
			for e+1 < len(toks) && !toks[e+1].nl && toks[e+1].sp && (sc.nameTok[e+1] || !sc.claim[e+1] && (toks[e+1].flags&lexicon.Clinical == 0 || toks[e].xbits()&xParticle != 0) && (sc.nameNext(e+1) || sc.rareAfterName(e+1)) && !sc.verbAfterName(e+1)) {
				e++
			}
			if e > i && !sc.nameTok[e] {
				sc.markName(i, e, recCandidate)
			}
			i = e
			continue
		}
		if sc.claim[i] {
			continue
		}
		if !t.cap && t.flags&(lexicon.Name|lexicon.City) == 0 && sc.caseAt(i) == caseMixed && !(i > 0 && sc.toks[i-1].kind != kWord) && !sc.in(i-1, setTitle|setRelation) {
			continue // the common case: a lower-case word of a mixed-case line, no cue before
		}
		// then: no cue before it, not an acronym, and not a candidate
		if !(t.e-t.s <= 4 && sc.text[t.s] >= 'A' && sc.text[t.s] <= 'Z') && !sc.cueBefore(i) && (t.kw != 0 || !sc.candidate(i)) {
			continue
		}
		if sc.covered(t.s) || sc.twoWordState(i-1, i) {
			continue // (or the second word of a state: "FROM NORTH DAKOTA")
		}
		if t.kw != 0 && !sc.in(i-1, setTitle) && !(i > 1 && sc.punct(i-1, '.') && sc.in(i-2, setTitle)) {
			continue // a keyword, not after a title
		}
		cue := sc.cueBefore(i)
		// in a mixed-case line a lower-case word needs a cue ("dr smithers")
		// unless it is a name or city that no other list knows ("krystal")
		if sc.caseAt(i) == caseMixed && !t.cap && !cue && !(t.flags&(lexicon.Name|lexicon.City) != 0 && t.flags&(lexicon.Safe|lexicon.Common) == 0) {
			continue
		}
		if !sc.candidate(i) && !(cue && sc.nameAfterCue(i)) {
			if sc.acronymPlace(i) {
				sc.addToks(i, i, TypeLocation, recCandidate)
			}
			continue
		}
		if t.cap && (sc.punct(i+1, ':') || sc.eponym(i+1)) {
			continue // a heading ("Zosyn:") or an eponym ("Quervain's tenosynovitis")
		}
		if !cue && !sc.providerBefore(i) && !sc.introAge(i) && sc.doseLine(i) {
			continue // a medication line: "PACERONE 200 mg tablet", "Glycolax Take 17 g"; not "pcp raskins 1 wk. unable to take po" (dev211)
		}
		s, e := i, i
		// known names next to a candidate belong to it ("bill bergström",
		// "FRED BROWN", "angel wolff"); an initial before ("E. Welsh", "c. barre")
		for s > 0 && !toks[s].nl {
			switch {
			case sc.nameNext(s-1) && !sc.inSet(s-1, clergySet): // not "CHAPLAIN [HOPE]"
				s--
				continue
			case s >= 2 && sc.punct(s-1, '.') && !toks[s-1].sp && toks[s-2].kind == kWord && toks[s-2].e-toks[s-2].s == 1 && !sc.claim[s-2] &&
				!(s >= 3 && sc.punct(s-3, '.') && !toks[s-2].sp):
				s -= 2
			case s >= 2 && sc.punct(s-1, ',') && !toks[s-2].nl && !sc.claim[s-2] && (sc.candidate(s-2) || sc.nameNext(s-2) && toks[s-2].cap):
				s -= 2 // "DAVIS, ALVERTA"
				continue
			}
			break
		}
		for k := e + 1; k < len(toks) && !toks[k].nl; k++ {
			switch {
			case toks[k].kind == kWord && !sc.claim[k] && (sc.candidate(k) || sc.nameNext(k)):
				e = k
			case sc.punct(k, '-') && !toks[k].sp && k+1 < len(toks) && !toks[k+1].sp && toks[k+1].kind == kWord:
				e = k + 1 // "Quintero-Blake"
				k++
			case sc.punct(k, ',') && k == e+1 && k+1 < len(toks) && !toks[k+1].nl && toks[k+1].kind == kWord && !sc.claim[k+1] &&
				(sc.candidate(k+1) || sc.nameNext(k+1) && (toks[k+1].cap || !toks[k+1].sp) ||
					!toks[k].sp && !toks[k+1].sp && toks[k+1].kw == 0 && toks[k+1].flags&(lexicon.SafeCore|lexicon.Common) == 0):
				e = k + 1 // "Quaxley, Zebulon", "SMITHERS,JOHN", "MOORE, DOCK"
				k++
			default:
				k = len(toks)
				continue
			}
		}
		typ := TypeName
		if sc.placeCue(s) > 0 && !cue {
			typ = TypeLocation
			if sc.stateAlone(s, e) {
				i = e
				continue // "FLYING IN FROM ARIZONA": no place smaller than a state
			}
			if c := sc.city(s); c > e {
				e = c // the rest of a known town in lower case: "lives with girlfriend in takoma park"
			}
		}
		if typ == TypeName {
			sc.markName(s, e, recCandidate)
		} else {
			sc.addToks(s, e, typ, recCandidate)
		}
		i = e
	}
}

// introAge: the age and sex of a patient follow word token k ("hollingbrook,
// 66 yo f, ... on 2 l": dev170; "pt collin zemlak, 80 yo m."): a person
// introduced, whatever doses the line holds.
func (sc *scan) introAge(k int) bool {
	return sc.punct(k+1, ',') && k+3 < len(sc.toks) && sc.toks[k+2].kind == kNum && !sc.toks[k+2].nl && sc.sexAfter(k+3)
}

// providerBefore: a clinician's role stands right before token i ("pcp
// raskins", "cardiologist dowell"): the word after it is a person's, even on
// a line that reads as a medication's.
func (sc *scan) providerBefore(i int) bool { return sc.wordBeforeIn(i, providerWords) }

// wordBeforeIn: the token right before token i, on its line, is a word of
// set.
func (sc *scan) wordBeforeIn(i int, set map[string]bool) bool {
	p := i - 1
	return p >= 0 && !sc.toks[i].nl && sc.toks[p].kind == kWord && set[sc.lower(p)]
}

// providerWords are clinicians' roles written before a surname.
var providerWords = map[string]bool{
	"pcp": true, "attending": true, "surgeon": true, "physician": true, "provider": true, "oncologist": true,
	"cardiologist": true, "nephrologist": true, "neurologist": true, "pulmonologist": true, "urologist": true,
	"psychiatrist": true, "dentist": true, "podiatrist": true, "endocrinologist": true, "hematologist": true,
}

// doseLine: the line of token i holds a dose (a measure word such as "mg",
// "tablet", "puffs", or a number glued to one: "200mg"; a span of time is no
// dose: "SPONSOR ONUFRY, GIVEN PHONE, SPOKE ~10 MIN"), or a "meds:" label
// before it. Names rarely sit on a medication line; drug brands no list
// knows often do.
func (sc *scan) doseLine(i int) bool {
	s, e := i, i
	for s > 0 && !sc.toks[s].nl && i-s < 40 {
		s--
	}
	for e+1 < len(sc.toks) && !sc.toks[e+1].nl && e-i < 40 {
		e++
	}
	for k := s; k <= e; k++ {
		t := &sc.toks[k]
		if t.kind == kWord && t.kw&setMeasure != 0 && k > s && sc.toks[k-1].kind == kNum && !durationUnits[sc.lower(k)] || t.kind == kAlnum && sc.clinicalNumber(k, k) == k {
			return true
		}
		if k < i && t.kind == kWord && (sc.is(k, "meds") || sc.is(k, "medications")) && sc.punct(k+1, ':') {
			return true // "meds: apixaban resumed @ 2100 ... spiro 12.5" (dev119)
		}
		if t.kind == kWord && (sc.is(k, "take") || sc.is(k, "tablet") || sc.is(k, "tablets") || sc.is(k, "capsule") || sc.is(k, "inhaler") || sc.is(k, "susp")) {
			return true
		}
	}
	return false
}

// nameNext: token k is a known name (even a common word) that joins a
// candidate next to it: not a keyword, a function word or a word of a rule.
func (sc *scan) nameNext(k int) bool {
	if k < 0 || k >= len(sc.toks) {
		return false
	}
	t := &sc.toks[k]
	return t.kind == kWord && !sc.claim[k] && t.kw == 0 && t.flags&lexicon.Name != 0 && t.e-t.s > 1 &&
		!functionWord(sc.lower(k)) && (t.cap && t.flags&lexicon.SafeCore == 0 || sc.caseAt(k) != caseMixed) && !sc.covered(t.s) && !sc.postOp(k)
}

// rareAfterName: in a true-cased line, a word right after a name that is a
// candidate or at least no everyday word ("ANTWON DICKENS", not "… STATES").
func (sc *scan) rareAfterName(k int) bool {
	t := &sc.toks[k]
	if t.kind != kWord || sc.caseAt(k) == caseMixed || t.kw != 0 || functionWord(sc.lower(k)) {
		return false
	}
	return sc.candidate(k) || t.flags&(lexicon.SafeCore|lexicon.Common) == 0 && t.e-t.s > 3
}

// cueBefore: a title or relation word stands right before token i, in any
// case, with at most a full stop, comma or colon between ("dr smithers",
// "mr.renzi", "son, bill", "wife: mary").
func (sc *scan) cueBefore(i int) bool {
	if i <= 0 || sc.toks[i].nl {
		return false
	}
	p := i - 1
	stop, colon := sc.punct(p, '.'), sc.punct(p, ':')
	if stop || sc.punct(p, ',') || colon {
		p--
	}
	if p == i-1 && (sc.staffTitle(p, i) || sc.roleTitle(p, i)) {
		return true // "notified NP Brown", "per pa brown": a credential as a title
	}
	// a full stop after a title abbreviates it ("mr.renzi", "Dr. Lee"), not
	// after one written out ("wound nurse. Bilat heels"); after a relation it
	// ends the sentence ("Lives with wife. Tobacco none.", "Updated son. Lasix
	// given."); a title before a colon is a section's header ("MS: LLE CMS
	// INTACT": musculoskeletal)
	return p >= 0 && sc.toks[p].kind == kWord && sc.toks[p].kw&(setTitle|setRelation) != 0 &&
		(sc.in(p, setTitle) && !colon && !sc.is(p, "st") && !(stop && wordTitles[sc.lower(p)]) && !sc.clinicalTitle(p, i, i) || sc.in(p, setRelation) && !stop)
}

// wordTitles are titles written out, never abbreviated: a full stop after one
// ends its sentence ("changed by wound nurse. Bilat heels"). Not "miss":
// "Miss. Jones" is often typed for "Ms.".
var wordTitles = map[string]bool{
	"nurse": true, "doctor": true, "professor": true, "sir": true, "madam": true, "mister": true,
}

// staffTitle: credential p stands as a title before the name at i, a word on
// a name list that the clinical list does not hold: after a word of contact
// when no everyday word ("NOTIFIED PA BROWN", "per np smith"; not "PER RN
// SCREEN"), and in a mixed-case line before a capitalised word, an everyday
// one only after a word of contact ("Paged NP Young"; not "PA Line"); or,
// in a note in one case, a word that no list holds, after a word of
// contact and a credential or "lactation" ("per np wiitala", "per
// lactation amberlyn").
func (sc *scan) staffTitle(p, i int) bool {
	t := &sc.toks[i]
	cred := sc.inSet(p, staffCredSet)
	if !cred && !sc.is(p, "lactation") || t.nl || sc.inSet(i, staffNounSet) {
		return false
	}
	if t.flags&(lexicon.Name|lexicon.Clinical) != lexicon.Name {
		// a word no list holds after a word of contact, in a note in one
		// case: "vaso added per np wiitala" (dev61), "latch good per
		// lactation amberlyn" (dev59)
		return sc.caseAt(i) != caseMixed && sc.contactBefore(p) && t.flags&(lexicon.Safe|lexicon.Common|lexicon.Clinical|lexicon.City) == 0 && sc.candidate(i)
	}
	if !cred {
		return false
	}
	contact := sc.contactBefore(p)
	if sc.caseAt(i) == caseMixed {
		return sc.rawUpper(p) && t.cap && !t.upper && (contact || t.flags&lexicon.Common == 0)
	}
	// a rarer word of general English that a name list holds, closed off
	// by the line's end, a stop or a time ("called to rn vang at 0422",
	// "report given to triage rn plunk at 1720": dev65, dev167); the
	// everyday words after a credential ("rn aware", "rn will call", "rt
	// set up") are of the core list
	return contact && t.flags&lexicon.Common == 0 || t.flags&lexicon.SafeCore == 0 && sc.closedAfter(i)
}

// closedAfter: nothing more of a name follows word token i on its line:
// the line's end, a comma, a stop, a semicolon, a closing bracket, or "at"
// and a number ("rn vang at 0422").
func (sc *scan) closedAfter(i int) bool {
	k := i + 1
	if k >= len(sc.toks) || sc.toks[k].nl {
		return true
	}
	return sc.punct(k, ',') || sc.punct(k, '.') || sc.punct(k, ';') || sc.punct(k, ')') ||
		sc.is(k, "at") && k+1 < len(sc.toks) && !sc.toks[k+1].nl && sc.toks[k+1].kind == kNum
}

// roleTitle: in a note in one case, staff role p stands as a title before
// the word at i on a name list, which a verb of the role's contact follows
// ("SW PALOMINO SAW FAMILY" (dev99), "TX COORDINATOR LACKEY CALLED" (dev93)):
// a surname that is also an everyday word. Not "SW WILL FOLLOW", "CM
// WORKING ON", "chaplain visited": the word after the role is the
// sentence's own.
func (sc *scan) roleTitle(p, i int) bool {
	t := &sc.toks[i]
	if p < 0 || !sc.inSet(p, roleTitleSet) || t.nl || t.kind != kWord || t.kw != 0 || t.e-t.s < 3 ||
		t.flags&(lexicon.Name|lexicon.Clinical) != lexicon.Name || sc.caseAt(i) == caseMixed {
		return false
	}
	n := i + 1
	return n < len(sc.toks) && !sc.toks[n].nl && sc.toks[n].kind == kWord && sc.inSet(n, roleContactSet) && !functionWord(sc.lower(i))
}

// roleTitles are staff roles written before a surname as a title
// (roleTitle). Not roles (it holds "contact", "name", "proxy": no staff)
// nor roleAbbrevs (it holds "POA", "HCP", "IR"): a surname follows these
// as it follows "Dr".
var roleTitles = map[string]bool{
	"sw": true, "cm": true, "chaplain": true, "coordinator": true, "coord": true, "liaison": true,
	"pharmacist": true, "navigator": true, "caseworker": true, "dietitian": true,
}

// roleContact are the verbs of a role's contact after the role's surname
// (roleTitle).
var roleContact = map[string]bool{
	"saw": true, "called": true, "visited": true, "met": true, "spoke": true, "updated": true,
	"aware": true, "notified": true, "came": true, "stopped": true, "paged": true, "reviewed": true,
	"discussed": true, "arranged": true, "following": true, "talked": true, "returned": true,
}

// contactBefore: a word of contact comes right before credential p on its
// line ("paged NP", "per np").
func (sc *scan) contactBefore(p int) bool { return sc.wordBeforeIn(p, contactWords) }

// staffNouns follow a credential as what kind of staff, not whose name
// ("Updated RN staff", "RN team").
var staffNouns = map[string]bool{
	"staff": true, "team": true, "office": true, "group": true, "student": true, "students": true,
	"educator": true, "supervisor": true, "manager": true, "coordinator": true, "station": true,
}

// contactWords are the words of reaching a clinician ("notified", "paged").
var contactWords = map[string]bool{
	"notified": true, "paged": true, "called": true, "informed": true, "per": true, "updated": true,
	"aware": true, "by": true, "with": true, "to": true, "spoke": true,
}

// staffCreds are the credentials written before a clinician's surname as a
// title ("NP Brown", "PA Brown", "RN Young").
var staffCreds = map[string]bool{
	"md": true, "rn": true, "np": true, "pa": true, "rrt": true, "aprn": true, "fnp": true, "crna": true,
	"pharmd": true, "msw": true, "lcsw": true,
}

// nameAfterCue: after a cue, a word that is a known name (even a common word:
// "son bill") or at least does not read as the sentence's own word (a verb
// ending, a function word: "son visiting", "wife aware").
func (sc *scan) nameAfterCue(i int) bool {
	t := &sc.toks[i]
	if t.kind != kWord || t.kw != 0 || t.e-t.s < 3 || functionWord(sc.lower(i)) || sc.inSet(i, pronounSet) || sc.punct(i+1, ':') || sc.dayCountBefore(i) {
		return false
	}
	w := sc.lower(i)
	if sc.namesake(i) && !sc.titleOrRelationBefore(i) {
		return false // "referred by employer EAP", "per IDT", "discussed w/ IDT" (dev133, dev136)
	}
	if sc.notNameWord(i) || strings.HasSuffix(w, "'d") {
		return false // "wife happy with plan", "PER DTR LAST ELIQUIS DOSE", "husband ok'd"
	}
	if t.flags&lexicon.Name == 0 && (sc.capsAcronym(i) || t.flags&lexicon.Clinical != 0 && sc.punct(i-1, ',')) {
		// "wife, INR goal 2.5-3.5", and in a note in one case "W/ WIFE, ONC F/U"
		return false // ("wife gerd at bedside" stays; "son, ALI", on a name list, too)
	}
	if (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing") || strings.HasSuffix(w, "ly") ||
		strings.HasSuffix(w, "s") && t.flags&lexicon.Common != 0 && t.flags&lexicon.SafeCore != 0) && !sc.cueInParens(i) {
		return false // "son visiting", "wife concerned", "son works 3rd shift"
	}
	// a plural of the vocabulary is no name; a word that no list holds is,
	// whatever its last letter ("ROOMMATE WES"); so is a rarer word after an
	// abbreviated title ("DAUGHTER MS. MADRIGAL", "mrs madrigal called")
	return t.flags&lexicon.Name != 0 || t.flags&lexicon.Common == 0 && (!strings.HasSuffix(w, "s") || t.flags&lexicon.Safe == 0) ||
		t.flags&(lexicon.SafeCore|lexicon.Clinical) == 0 && sc.abbrevTitleBefore(i) ||
		t.flags&lexicon.Clinical == 0 && sc.possessive(i+1) && sc.in(i-1, setRelation) // "HIS SISTER LEAFY'S GAME" (dev226)
}

// abbrevTitleBefore: an abbreviated title stands right before token i, with
// its full stop ("MS. MADRIGAL", "dr. fannon") or, for the titles that mean
// nothing else, without it ("mrs madrigal").
func (sc *scan) abbrevTitleBefore(i int) bool {
	if sc.toks[i].nl {
		return false
	}
	if p := i - 1; sc.punct(p, '.') && sc.joined(p) {
		return sc.is(p-1, "mr") || sc.is(p-1, "mrs") || sc.is(p-1, "ms") || sc.is(p-1, "dr")
	}
	return sc.is(i-1, "mr") || sc.is(i-1, "mrs")
}

// cueInParens: a cue and word token i fill a pair of brackets by themselves
// ("vasc surg (dr nettles) saw", dev93): a word there names whom the cue
// means, whatever its ending, for no sentence goes on inside.
func (sc *scan) cueInParens(i int) bool {
	return i >= 2 && sc.punct(i-2, '(') && sc.punct(i+1, ')') && !sc.toks[i-1].nl && !sc.toks[i].nl
}

// capsAcronym: word token k is on the clinical list and written in capitals
// in a mixed-case line: an acronym ("CAM", "INR"). After a cue it starts the
// next clause, not a name: after a cue and a comma or colon whatever lists
// hold it (the cue path of scanNames: "per night RN, CAM neg"), right after
// a cue only when no name list does (nameAfterCue).
func (sc *scan) capsAcronym(k int) bool {
	return sc.toks[k].flags&lexicon.Clinical != 0 && sc.caseAt(k) == caseMixed && sc.rawUpper(k)
}

// notNameAfterCue are everyday words on the name lists that follow a
// relation as what the relation feels, did or means, not as the relation's
// name (dev37, dev38: "wife happy with plan", "daughter found her
// confused", "per dtr last dose was").
var notNameAfterCue = map[string]bool{
	"happy": true, "glad": true, "found": true, "ok": true, "okay": true, "last": true, "first": true,
	"next": true, "teach": true, "shower": true, "role": true, // "discussed HCP role"
	"form":   true, // "HCP form not in chart" (dev46)
	"active": true, // "HUSBAND ACTIVE DUTY ARMY" (dev78)
	// a walker after a role and a comma ("w/ PT, RW, portable O2"; dev49);
	// "rw" stays off the clinical list so that "verified by rw." keeps its
	// initials (a discharge, "W/ WIFE, DC TEACHING", is in notNameWord)
	"rw": true,
	// "BREASTFED WITH MOM, GOOD LATCH", "with mom, LATCH 8" (a breastfeeding score; dev51)
	"good": true, "latch": true,
	// "Parents Updated on plan", "Mom Called back" (review11)
	"updated": true, "called": true, "pending": true, "present": true, "visiting": true, "here": true,
	"aware": true, "notified": true, "informed": true, "involved": true,
	// "TX TO MOTHER BABY UNIT", "update to mom: baby girl stable", "MOM OFF MAG",
	// "PT IS THE MOTHER, OTHER FAMILY MEMBERS AT PEDS HOSPITAL" (dev58, dev59)
	"baby": true, "off": true, "other": true,
	// "home w/ wife via private car", "mother too sore to come", "W/
	// HUSBAND, SECOND FLOOR APT" (dev81, dev83)
	"via": true, "too": true, "second": true,
	// "calls mom every night", "mom young, single", "younger sister (11)",
	// "siblings SHOULD get these vaccines" (dev87)
	"every": true, "each": true, "young": true, "younger": true, "older": true, "single": true,
	"should": true, "would": true, "could": true, "must": true,
	// "MOM CALM BUT SCARED", "Dad calmer, thanked staff" (dev87)
	"calm": true, "calmer": true, "calmly": true, "tearful": true, "teary": true, "upset": true,
	"scared": true, "anxious": true, "worried": true, "frustrated": true, "overwhelmed": true,
	"relieved": true, "supportive": true, "agreeable": true, "emotional": true,
	// "no trouble swallowing per wife, mild ptosis" (dev90)
	"mild": true, "moderate": true, "severe": true, "slight": true, "minimal": true,
	// "dad quiet but thanked me", "mom prior to bronchoscopy" (dev95)
	"quiet": true, "prior": true,
}

// relationVerbs are verbs whose subject the relation is, read so where no
// capital marks a name: in a note in one case, or in lower case (dev39,
// dev41: "HUSBAND WORKS AT SAYLOR TRUCKING", "pt and husband know to call",
// "she will let her brother know", "wife sat with pt"); "husband Know" in a
// mixed-case note stays a name.
var relationVerbs = map[string]bool{
	"know": true, "knows": true, "works": true, "lives": true, "wants": true, "stays": true, "says": true,
	"calls": true, "visits": true, "feels": true, "thinks": true, "plans": true, "agrees": true,
	"understands": true, "needs": true, "states": true, "brings": true, "comes": true, "takes": true,
	"keeps": true, "helps": true, "asks": true, "speaks": true, "drives": true, "sat": true,
	// a plural subject ("PT AND HUSBAND LIVE TOGETHER", "pt/daughter chose 3 facilities": dev46, dev47)
	"live": true, "chose": true, "choose": true,
	// what the relation does or is ("mom held kangaroo 1hr", "MOM HOLDING HAND",
	// "niece open to pt staying", "see my granddaughter grow up": dev51, dev52)
	"held": true, "holding": true, "open": true, "grow": true,
	// on the way, or what the relation told ("SON MITCH FLYING IN THURSDAY",
	// "UNTIL SON ARRIVES", "WIFE SHARED STORIES": dev56); after a name too
	"flying": true, "driving": true, "coming": true, "arriving": true, "arrives": true, "shared": true,
	// what a person did or is after the name in a note in one case
	// ("NEIGHBOR ORVILLE STAPLEFORD FOUND HER", "SISTER VELVIE WILLING TO",
	// "DAUGHTER ARLETTE VIA PHONE", "DR. OVERBEY LAST VISIT": every
	// development batch)
	"found": true, "willing": true, "via": true, "last": true,
}

// modalVerbs after a relation are its verb when a verb follows ("DAD MAY
// LOSE HOURS AT WORK": dev51), not in "WIFE MAY CALLED" or "WIFE MAY AT
// BEDSIDE" (dev2).
var modalVerbs = map[string]bool{
	"may": true, "might": true, "could": true, "should": true, "would": true, "must": true,
}

// verbAfterName: word token k, right after a name, is what the person does
// ("SON MITCH FLYING IN"), where no capital marks it as a surname.
func (sc *scan) verbAfterName(k int) bool {
	return sc.inSet(k, relationVerbSet) && !(sc.toks[k].cap && sc.caseAt(k) == caseMixed)
}

// notNameWord: word token k after a cue is what the relation does or feels
// (notNameAfterCue, relationVerbs, a modal before its verb), not its name.
func (sc *scan) notNameWord(k int) bool {
	w := sc.lower(k)
	wordNext := k+1 < len(sc.toks) && !sc.toks[k+1].nl && sc.toks[k+1].kind == kWord
	// a verb only where no capital marks a name ("husband Know", "Wife May
	// called" in a mixed-case note stay names)
	verb := !(sc.toks[k].cap && sc.caseAt(k) == caseMixed)
	if verb && sc.inSet(k, modalVerbSet) && wordNext {
		if v := sc.lower(k + 1); !strings.HasSuffix(v, "ed") && !functionWord(v) {
			return true
		}
	}
	// "DC" before a word is the discharge ("HOME W/ WIFE, DC TEACHING DONE";
	// dev48), set off by commas initials ("wife, DC, at bedside")
	if verb && (w == "drew" || w == "hold") && wordNext && sc.inSet(k+1, objectWordSet) {
		return true // "wife drew up insulin", "mom hold his hand" (dev20, dev74); "SON DREW HERE" stays a name
	}
	// "educator saw pt, new glucometer", "from a neighbor island", "WIFE,
	// VIT K DIET" (dev83); "daughter Vit called" stays a name (review21)
	if verb && (w == "new" || w == "island") || w == "vit" && k+1 < len(sc.toks) && !sc.toks[k+1].nl && vitaminLetter(sc.lower(k+1)) {
		return true
	}
	return sc.inSet(k, notNameAfterCueSet) || verb && sc.inSet(k, relationVerbSet) || w == "dc" && wordNext
}

// vitaminLetter: w names a vitamin after "vit" ("k", "d", "b12").
func vitaminLetter(w string) bool {
	return len(w) >= 1 && len(w) <= 3 && strings.IndexByte("abcdek", w[0]) >= 0 && (len(w) == 1 || w[1] >= '0' && w[1] <= '9')
}

// objectWords follow "drew" or "hold" as verbs: what is drawn or held.
var objectWords = map[string]bool{
	"a": true, "an": true, "the": true, "up": true, "blood": true, "labs": true, "his": true, "her": true,
	"their": true, "him": true, "pt": true, "hands": true, "hand": true, "baby": true, "infant": true,
}

// acronymPlace: an acronym no list knows right after "to", "from" or "at"
// ("TRANS TO GH", "from BWH"): a hospital's abbreviation.
func (sc *scan) acronymPlace(i int) bool {
	t := &sc.toks[i]
	if t.kind != kWord || t.kw != 0 || t.flags&(lexicon.Safe|lexicon.Common|lexicon.State) != 0 || t.e-t.s < 2 || t.e-t.s > 4 || sc.namesake(i) {
		return false // (a namesake: "letter to EAP")
	}
	for k := t.s; k < t.e; k++ {
		if c := sc.text[k]; c < 'A' || c > 'Z' {
			return false
		}
	}
	p := i - 1
	return p >= 0 && !t.nl && (sc.is(p, "to") || sc.is(p, "from") || sc.is(p, "at")) && !(sc.joined(i+1) && !sc.punct(i+1, '.') && !sc.punct(i+1, ','))
}

// covered: byte offset b is inside one of the last eight spans found.
func (sc *scan) covered(b int) bool {
	// their offsets, copied side by side until a span is added (sc.out
	// only grows between resets, and dropSpan and extension, which shrink
	// it or grow a span in place, reset covLen)
	if sc.covLen != len(sc.out) {
		sc.covLen, sc.covN = len(sc.out), 0
		for k := len(sc.out) - 1; k >= 0 && k >= len(sc.out)-8; k-- {
			sc.cov[sc.covN] = [2]int{sc.out[k].s, sc.out[k].e}
			sc.covN++
		}
	}
	for _, c := range sc.cov[:sc.covN] {
		if b >= c[0] && b < c[1] {
			return true
		}
	}
	return false
}

// recCandidate names the spans of scanCandidates.
const recCandidate = "rules/candidate"

// safeBitsLog: the filter of safeBits has 2^22 bits (512 KiB), about one bit
// in eight set: seven look-ups of misspelt in eight stop there.
const safeBitsLog = 22

var (
	safeBitsOnce sync.Once
	safeBitsSet  []uint64
)

// safeBits is a one-hash filter of the safe words of the vocabulary, built on
// the first misspelling check (a few ms: it walks the table once), so that
// misspelt's hundreds of probes mostly stay in a small, cached bit set.
func safeBits(v *lexicon.Table) []uint64 {
	safeBitsOnce.Do(func() {
		safeBitsSet = make([]uint64, 1<<safeBitsLog/64)
		v.Each(func(key uint64, f lexicon.Flags) {
			if f&lexicon.Safe != 0 {
				b := key >> (64 - safeBitsLog)
				safeBitsSet[b>>6] |= 1 << (b & 63)
			}
		})
	})
	return safeBitsSet
}

// medicalSuffixes end medical words that no list holds (procedures, findings,
// diseases: "hemicolectomy", "ventriculostomy", "coagulopathy", "pleurodesis")
// and no person's or place's name.
var medicalSuffixes = []string{
	"ectomy", "ectomies", "ostomy", "ostomies", "otomy", "otomies", "plasty", "oscopy", "ography",
	"itis", "itides", "osis", "oses", "emia", "aemia", "megaly", "pathy", "ectasis", "rrhea",
	"rrhoea", "algia", "penia", "cytosis", "uria", "plegia", "paresis", "trophy", "lysis",
	"desis", "ocyte", "ocytes", "genic", "philia", "tonin", "albumin", "prosthetic", "ectomized",
	"ology", "ologies", "ologist", "ologists",
	// adjectives and tumours of the neuro ICU's notes (dev27):
	// "spondylotic", "albuminocytologic", "cardioembolic",
	// "perimesencephalic", "appendicular", "subluxation", "teratoma"
	"otic", "ologic", "ological", "embolic", "cephalic", "ular", "ation", "ations", "kinesia",
	"kinesias", "noma", "nomas", "toma", "tomas", "ioma", "iomas",
	// (dev45): "choreiform movements", "chemoprophylaxis", "updated by neurointensivist"
	"iform", "axis", "intensivist", "intensivists",
}

// lowerLetters: w is ASCII lower-case letters only.
func lowerLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// compoundPrefixes are the prefixes that clinical writers glue to an
// everyday word ("rebleed", "submassive", "downtrending").
var compoundPrefixes = []string{
	"re", "un", "non", "sub", "pre", "post", "hyper", "hypo", "intra", "inter", "trans", "down",
	"up", "over", "under", "semi", "anti", "multi", "peri", "para", "micro", "macro", "mid", "out",
}

// compound: w (lower case, seven letters or more) is a prefix of
// compoundPrefixes glued to a safe word of four letters or more that is
// neither a name nor a town ("rebleed", "downtrending"): a word no list
// holds that a writer built from a word the lists hold. A name or town no
// list holds seldom splits so ("overton" is on the name list; the callers
// leave words of any list, "underwood" of SCOWL's rarer tier among them, to
// their other rules). Two safe words glued together ("futurecare") are not
// taken: facilities are named so.
func (sc *scan) compound(w string) bool {
	if len(w) < 7 || len(w) > 24 {
		return false
	}
	if !lowerLetters(w) {
		return false
	}
	safe := func(s string) bool {
		f := sc.vocab.Lookup(s)
		return f&(lexicon.SafeCore|lexicon.Clinical) != 0 && f&(lexicon.Name|lexicon.City|lexicon.CityFull|lexicon.State) == 0
	}
	for _, p := range compoundPrefixes {
		if len(w)-len(p) >= 4 && strings.HasPrefix(w, p) && safe(w[len(p):]) {
			return true
		}
	}
	return false
}

// medicalWord: w (lower case, five letters or more) ends in a medical suffix.
func medicalWord(w string) bool {
	if len(w) < 7 || !medicalLast[w[len(w)-1]] {
		return false // (no suffix ends in w's last byte)
	}
	for _, suf := range medicalSuffixes {
		if strings.HasSuffix(w, suf) && len(w) >= len(suf)+3 {
			return true
		}
	}
	return false
}

// medicalLast[c]: a medical suffix ends in the byte c.
var medicalLast = func() (t [256]bool) {
	for _, suf := range medicalSuffixes {
		t[suf[len(suf)-1]] = true
	}
	return t
}()

// namesake: word token i is one of namesakes, on the name list.
func (sc *scan) namesake(i int) bool {
	return sc.toks[i].flags&lexicon.Name != 0 && sc.inSet(i, namesakeSet)
}

// namesakes are words on the name list that the notes write in a clinical
// or administrative sense, never as a person in any evaluation set (dev132-
// dev137): monitored anesthesia care, an office visit, the care-planning
// team, keep-on-person medications, a port needle, a bunion operation. The
// clinical list refuses words the name list holds, so they are read here: a
// name only right after a title or relation ("Dr. Huber", "son Mac"), not
// after a weaker cue ("per IDT", "referred by employer EAP").
var namesakes = map[string]bool{
	"mac": true, "ov": true, "idt": true, "kop": true, "emr": true, "eap": true, "asam": true,
	"huber": true, "mohs": true, "wm": true, "ard": true, "lz": true, "ged": true, "tipp": true,
	"mammo": true, "remi": true, "uber": true, "toric": true, "apgar": true, "romberg": true,
	"mcmurray": true, "rinne": true, "savary": true, "lapidus": true, "brostrom": true,
	"apfel": true, "plana": true, "roi": true, "bravo": true, "rm": true, "res": true, "mam": true,
	"antrum": true, "shim": true, "peth": true, "rems": true, "rem": true, "breslow": true, "braf": true,
	// (session 35) "HCV Ab neg", "viral URI", "L THA", "hx MI", "ESA dose", "OS 20/40",
	// "Ao root", "AH (auditory hallucinations)", "kidney donor"; not "ASO" (a given name too:
	// "Aso at bedside", review18)
	"ab": true, "uri": true, "tha": true, "mi": true, "esa": true, "os": true, "ou": true,
	"ao": true, "ah": true, "donor": true,
	// (session 36) "total IgE 412", "FeNO ... kPa", "aldo/renin", "ALP 142", "OPAT", "endo
	// f/u" (dev162-dev185); not "dre" (a person in dev78) nor "ana" (a given name that
	// heldout-2 writes last name first: "Ferreira, Ana Luísa")
	"ige": true, "kpa": true, "aldo": true, "alp": true, "opat": true, "endo": true,
}
