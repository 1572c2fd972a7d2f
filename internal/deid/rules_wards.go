package deid

import "github.com/trustgate/trustgate/internal/deid/lexicon"

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
