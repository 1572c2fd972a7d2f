package deid

import (
	"strings"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// wardAt finds a ward named after a person or place at word token i after
// "to", "from" or "on" (on: the caller says): a word and a floor or unit
// number ("TRANSFER TO OSLER 5 WHEN BED AVAIL", "moved from MICU to Marburgh 3
// at 1500"). The word must be no everyday or clinical word (drugs, devices
// and settings are: "to Levo 5", "to PS 5"; after "on" an unknown word may be
// a drug and must be a name or candidate), and the number one or two digits
// with nothing measured after it. It returns the last token, or -1.
func (sc *scan) wardAt(i int, on bool) int {
	toks := sc.toks
	n := i + 1
	if n >= len(toks) || toks[n].kind != kNum && toks[n].kind != kAlnum || !sc.wardFloor(n) {
		return -1
	}
	t := &toks[i]
	if t.kw != 0 || t.flags&(lexicon.SafeCore|lexicon.Common|lexicon.State) != 0 || t.e-t.s < 4 || sc.unitAfter(n) {
		return -1
	}
	if sc.punct(n+1, '.') && sc.joined(n+1) && sc.numLen(n+2) > 0 && sc.joined(n+2) {
		return -1 // "to Natrecor 0.01"
	}
	if !sc.clauseEnd(n+1) && !sc.is(n+1, "when") && !sc.is(n+1, "since") && !sc.is(n+1, "with") &&
		!sc.is(n+1, "bedside") && !sc.is(n+1, "bed") && !sc.is(n+1, "rm") && !sc.is(n+1, "room") {
		return -1
	}
	if !(t.flags&lexicon.Name != 0 || sc.candidate(i) || !on && sc.unknownWord(i)) {
		return -1
	}
	sc.addToks(i, n, TypeLocation, "rules/ward")
	return n
}

// townStateAt finds a town before a state's postal code at word token i
// after "from", "in", "near" or "to", in any casing: "from Rocky Mount, NC",
// "called from lake worth, fl", "drove from hanover, pa.": one to three words,
// a comma and the code. The words must hold a known town, name or unknown
// word, or be town words all, and no keyword of the rules ("from home, PA
// aware" stays); a code that is also a word or credential ("MD", "PA", "OK")
// needs a town and no "to" before it. It returns the last token used, or -1.
func (sc *scan) townStateAt(i int, to bool) int {
	toks := sc.toks
	// the shape first (cheap): a glued comma within three words, then a
	// two-letter state code
	c := -1
	for k := i + 1; k < len(toks) && k <= i+5; k++ {
		if sc.punct(k, ',') {
			c = k
			break
		}
	}
	if c < 0 || !sc.joined(c) || c+1 >= len(toks) || toks[c+1].nl || toks[c+1].kind != kWord ||
		toks[c+1].e-toks[c+1].s != 2 || toks[c+1].flags&lexicon.State == 0 {
		return -1
	}
	e, placeLike, cityLike, allCity := i, false, false, true
	for ; e < len(toks) && e < i+3; e++ {
		t := &toks[e]
		if t.kind != kWord || t.kw&^(setPlace|setDir|setStreet) != 0 || e > i && (t.nl || !t.sp) {
			break
		}
		if t.flags&(lexicon.City|lexicon.CityFull|lexicon.Name) != 0 && t.flags&lexicon.SafeCore == 0 || sc.candidate(e) || sc.unknownWord(e) {
			placeLike = true
		}
		// a curated name may be a town too (that list holds "Dallas",
		// "Hanover"): it counts as the unknown word it was before the list
		if t.flags&(lexicon.City|lexicon.CityFull) != 0 || t.flags&(lexicon.Name|lexicon.CuratedName) != lexicon.Name && (sc.candidate(e) || sc.unknownWord(e)) {
			cityLike = true
		}
		if t.flags&lexicon.City == 0 {
			allCity = false // "Rocky Mount": every word a town word
		}
		if sc.punct(e+1, ',') && sc.joined(e+1) {
			break
		}
	}
	if e < len(toks) && sc.city(i) == e { // a known town: "Lake Worth"
		placeLike, cityLike = true, true
	}
	strict := placeLike && cityLike
	placeLike = placeLike || allCity // "Rocky Mount": every word a town word
	st := e + 2
	if e >= len(toks) || !placeLike || !sc.punct(e+1, ',') || st >= len(toks) || toks[st].nl || toks[st].kind != kWord ||
		toks[st].e-toks[st].s != 2 || toks[st].flags&lexicon.State == 0 || !(sc.rawUpper(st) || !sc.rawCap(st)) {
		return -1
	}
	// "Spoke to Smith, MD": a state code that is also a credential or a
	// word needs a town, not a person, and no "to" before it
	if credentialStates[strings.ToUpper(sc.str(st))] && (!strict || to) {
		return -1
	}
	sc.addToks(i, e, TypeLocation, "rules/townstate")
	return st
}
