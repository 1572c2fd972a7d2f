package deid

import (
	"unicode"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// lastFirstAt finds a "LAST,FIRST" or "Last, First" header starting at word
// token i, with no label or after a patient label ("KOWALCZYK,TERESA  MRN …",
// "Pt Ferreira, Luiz DOB …", "Sandoval, Reyna, 61 F"): a surname (hyphenated
// parts allowed) at the start of a line or after "Patient", "Pt", "Name" or
// "Decedent", a comma, a given name, then the end of the line, a number, an
// age or a label. Both parts must be words no everyday or clinical list
// holds (so a system list "NEURO,CV" or "Neuro, Resp" stays) and the given
// name a known name or a PHI candidate. It marks the name and returns its
// last token, or -1. The caller has checked the position.
func (sc *scan) lastFirstAt(i int) int {
	toks := sc.toks
	// the shape first (cheap): words joined by glued hyphens, a glued comma
	e := i
	for e+2 < len(toks) && e < i+6 && sc.punct(e+1, '-') && sc.joined(e+1) && sc.joined(e+2) && toks[e+2].kind == kWord {
		e += 2
	}
	f := e + 2
	if f >= len(toks) || !sc.punct(e+1, ',') || !sc.joined(e+1) || toks[f].nl || toks[f].kind != kWord || !sc.headerCap(i) || !sc.headerCap(f) {
		return -1
	}
	cand := false
	for k := i; k <= e; k += 2 {
		if !sc.surnamePart(k) {
			return -1
		}
		cand = cand || sc.candidate(k)
	}
	// a given name that is also a word ("PATIENCE") only in the tight
	// "SURNAME,GIVEN" form (no space after the comma) after a surname part
	// that is a PHI candidate ("HYDRAL,NITRO" stays)
	tight := sc.joined(f) && cand
	if toks[f].kw != 0 || toks[f].flags&lexicon.Common != 0 && !tight || toks[f].flags&lexicon.Name == 0 && !sc.candidate(f) && !sc.unknownWord(f) && !tight {
		return -1
	}
	// "Menifee, Georgia 30042" is a town and a state
	if toks[f].flags&lexicon.State != 0 || e == i && toks[i].flags&(lexicon.City|lexicon.CityFull) != 0 && toks[i].flags&lexicon.Name == 0 {
		return -1
	}
	// a middle initial after the given name ("FAIRWEATHER, CLEMENT J  MRN",
	// on a lower-case line "kesterson, thaddeaus m.")
	m := sc.middleInitial(f, false)
	if !sc.headerEnd(m + 1) {
		return -1
	}
	sc.markName(i, f, "rules/lastfirst")          // later mentions
	sc.addToks(i, m, TypeName, "rules/lastfirst") // one span over parts found before
	return m
}

// middleInitial returns the last token of a middle initial right after the
// given name at token f of a "last, first" header, before the header's end
// (headerEnd: "CLEMENT J  MRN", "thaddeaus m.", "ludvik a, 55 yo"), or f
// when there is none. The letter is a capital or on a lower-case line, or
// in any case where anyCase (after a label: "name: klempel, veronel j").
func (sc *scan) middleInitial(f int, anyCase bool) int {
	k := f + 1
	if k >= len(sc.toks) || sc.toks[k].nl || !sc.toks[k].sp || sc.toks[k].kind != kWord || sc.toks[k].e-sc.toks[k].s != 1 ||
		!anyCase && !sc.rawUpper(k) && sc.caseAt(k) != caseLower {
		return f
	}
	m := k
	if sc.punct(k+1, '.') && sc.joined(k+1) {
		m = k + 1
	}
	if !sc.headerEnd(m + 1) {
		return f
	}
	return m
}

// unknownWord: word token i is no everyday or clinical word (SCOWL's rarer
// words allowed: "Huerta", "Seraphine"), has a vowel and is no medical word;
// a candidate but for the misspelling check and the large word list, which
// in a header position would lose real names.
func (sc *scan) unknownWord(i int) bool {
	t := &sc.toks[i]
	w := sc.lower(i)
	return t.flags&(lexicon.SafeCore|lexicon.Common|lexicon.State) == 0 && t.e-t.s >= 4 && hasVowel(w) && !medicalWord(w)
}

// rawCap: word token i starts with an upper-case letter in the text itself
// (truecasing of capitals and lower-case notes does not matter here).
func (sc *scan) rawCap(i int) bool {
	r, _ := utf8.DecodeRuneInString(sc.text[sc.toks[i].s:])
	return unicode.IsUpper(r)
}

// headerCap: word token i is written as a header's name part: capitalised,
// or on a line all in lower case, where nothing is ("hufham, amarion":
// dev203), and then no everyday or clinical word ("kras, braf" stays).
func (sc *scan) headerCap(i int) bool {
	return sc.rawCap(i) || sc.caseAt(i) == caseLower && sc.toks[i].flags&(lexicon.SafeCore|lexicon.Clinical) == 0
}

// surnamePart: word token i can be (part of) a surname: capitalised (or on
// a lower-case line: headerCap), no keyword, not common English and either
// a known name or a PHI candidate.
func (sc *scan) surnamePart(i int) bool {
	if i >= len(sc.toks) {
		return false
	}
	t := &sc.toks[i]
	return t.kind == kWord && sc.headerCap(i) && t.kw == 0 && t.flags&lexicon.Common == 0 &&
		(t.flags&lexicon.Name != 0 || sc.candidate(i) || sc.unknownWord(i))
}

// headerEnd: what follows a "LAST,FIRST" header at token k: the end of the
// line, a number or code, an age ("52F", ", 61 F"), a dash between spaces,
// or a label.
func (sc *scan) headerEnd(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].nl {
		return true
	}
	if sc.punct(k, ',') || sc.punct(k, '(') {
		k++
		if k >= len(sc.toks) || sc.toks[k].nl {
			return true
		}
	}
	t := &sc.toks[k]
	if t.kind == kNum || t.kind == kAlnum && t.ndig > 0 {
		return true
	}
	if sc.punct(k, '-') && t.sp && k+1 < len(sc.toks) && sc.toks[k+1].sp {
		return true // "JEVNE, EWALD - D/C HOME 12/6" (dev119): a dash between spaces
	}
	if t.kind != kWord {
		return false
	}
	switch sc.lower(k) {
	case "mrn", "dob", "id", "age", "acct", "rm", "room", "bed", "mr", "unit", "sex":
		return true
	}
	return false
}
