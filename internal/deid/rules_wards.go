package deid

import (
	"strings"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// scanWards finds wards named after a person or place, a word and a floor
// or unit number after "to", "from" or "on": "TRANSFER TO OSLER 5 WHEN BED AVAIL",
// "moved from MICU to Marburgh 3 at 1500". The word must be no everyday or
// clinical word (drugs, devices and settings are: "to Levo 5", "to PS 5"),
// and the number one or two digits with nothing measured after it.
func (sc *scan) scanWards() {
	toks := sc.toks
	for i := 1; i+1 < len(toks); i++ {
		t := toks[i]
		on := sc.is(i-1, "on") // "Pt on Tilghman 6 since 11/20"; a drug after "on" must not pass
		if t.kind != kWord || !(sc.is(i-1, "to") || sc.is(i-1, "from") || on) || t.nl || toks[i+1].nl || !toks[i+1].sp {
			continue
		}
		if t.kw != 0 || t.flags&(lexicon.SafeCore|lexicon.Common|lexicon.State) != 0 || t.e-t.s < 4 ||
			!(t.flags&lexicon.Name != 0 || sc.candidate(i) || !on && sc.unknownWord(i)) {
			continue
		}
		n := i + 1
		if l := sc.numLen(n); l < 1 || l > 2 || sc.numVal(n) > 20 || sc.unitAfter(n) {
			continue
		}
		if sc.punct(n+1, '.') && sc.joined(n+1) && sc.numLen(n+2) > 0 && sc.joined(n+2) {
			continue // "to Natrecor 0.01"
		}
		if !sc.clauseEnd(n+1) && !sc.is(n+1, "when") && !sc.is(n+1, "since") && !sc.is(n+1, "with") {
			continue
		}
		sc.addToks(i, n, TypeLocation, "rules/ward")
		i = n
	}
}

// scanTownState finds "from Rocky Mount, NC", "called from lake worth, fl",
// "drove from hanover, pa." in any casing: after "from", "in", "near" or
// "to", one to three words, a comma and a US state's postal code. The words
// must hold a known city or name word or a word no safe list holds, and no
// keyword of the rules ("from home, PA aware" stays); a state code that is
// also a word or credential ("MD", "PA", "OK") needs the same.
func (sc *scan) scanTownState() {
	toks := sc.toks
	for i := 1; i < len(toks); i++ {
		if toks[i].kind != kWord || toks[i].nl || !(sc.is(i-1, "from") || sc.is(i-1, "in") || sc.is(i-1, "near") || sc.is(i-1, "to")) {
			continue
		}
		e, placeLike, cityLike, allCity := i, false, false, true
		for ; e < len(toks) && e < i+3; e++ {
			t := toks[e]
			if t.kind != kWord || t.kw&^(setPlace|setDir|setStreet) != 0 || e > i && (t.nl || !t.sp) {
				break
			}
			if t.flags&(lexicon.City|lexicon.CityFull|lexicon.Name) != 0 && t.flags&lexicon.SafeCore == 0 || sc.candidate(e) || sc.unknownWord(e) {
				placeLike = true
			}
			if t.flags&(lexicon.City|lexicon.CityFull) != 0 || t.flags&lexicon.Name == 0 && (sc.candidate(e) || sc.unknownWord(e)) {
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
			continue
		}
		// "Spoke to Smith, MD": a state code that is also a credential or a
		// word needs a town, not a person, and no "to" before it
		if credentialStates[strings.ToUpper(sc.str(st))] && (!strict || sc.is(i-1, "to")) {
			continue
		}
		sc.addToks(i, e, TypeLocation, "rules/townstate")
		i = st
	}
}
