package deid

import "github.com/trustgate/trustgate/internal/deid/lexicon"

// Places and employers written without capitals to mark them: in a note all
// in capitals or all in lower case (more than half of real nursing notes),
// or in lower case in a mixed note, "prefer bluestem rehab" and "WORKS AT
// MURDOCK TIRE & AXLE" carry no case to tell the name from the sentence.
// The cue and the head say where the name is; a word only counts as a name
// if no everyday or clinical list holds it ("to inpatient rehab", "works at
// home nights" stay).

// plainFacilityHead: w ends a care facility's name written in one case (a
// switch, not a map: it is asked of every word).
func plainFacilityHead(w string) bool {
	switch w {
	case "rehab", "rehabilitation", "hospice", "ltach", "ltac", "childrens", "manor":
		return true
	}
	return false
}

// plainFacilityMods come between a facility's name and its head ("COQUINA
// nursing and rehab", "X neuro rehab"); a kind of care there is no part of
// the name ("TGRH acute rehab").
var plainFacilityMods = map[string]bool{
	"nursing": true, "and": true, "neuro": true, "health": true, "care": true, "senior": true,
	"specialty": true, "physical": true, "medical": true,
}

// plainNotNames are words outside the everyday list that still name a kind
// of care, not a place ("subacute rehab", "geri psych").
var plainNotNames = map[string]bool{
	"subacute": true, "detox": true, "geri": true, "womens": true, "mens": true, "peds": true,
	"postacute": true, "neurorehab": true, "telemetry": true, "tele": true, "snf": true,
	"vestibular": true, "inpatinet": true, "inpt": true, "outpt": true, "cardiopulm": true,
}

// plainFacilityCues come right before a facility's name: a preposition of
// place or a verb of choosing ("pt and wife prefer …", "asking about …").
var plainFacilityCues = map[string]bool{
	"to": true, "at": true, "from": true, "into": true, "about": true, "prefer": true, "prefers": true,
	"preferred": true, "like": true, "chose": true, "choose": true, "chosen": true, "accepted": true,
	"wants": true, "considering": true,
}

// plainName: word token k may be part of a place's name written in one
// case: a word no everyday or clinical list holds, no keyword of a rule and
// no kind of care.
func (sc *scan) plainName(k int) bool {
	if k < 0 || k >= len(sc.toks) {
		return false
	}
	t := &sc.toks[k]
	if t.kind != kWord || t.e-t.s < 3 || t.kw != 0 || t.flags&(lexicon.SafeCore|lexicon.Clinical) != 0 {
		return false
	}
	w := sc.lower(k)
	return !functionWord(w) && !genericOrgWords[w] && !plainNotNames[w]
}

// plainCased: token k is written without a capital that would mark a name
// (a lower-case word, or any word of a line in capitals), so the
// capitalised-run rules (scanOrgs, scanContext) did not see it.
func (sc *scan) plainCased(k int) bool {
	t := &sc.toks[k]
	return !t.cap || t.upper && sc.lineUpper(k)
}

// scanPlainOrgs finds care facilities before their head ("prefer bluestem
// rehab", "WOULD LIKE YUCCA HOSPICE"), employers after "works at" whose
// words are everyday ones ("MURDOCK TIRE & AXLE"), and towns that are
// everyday words where someone lives ("LIVES ALONE IN PACE,"), in text
// written in one case.
func (sc *scan) scanPlainOrgs() {
	toks := sc.toks
	for i := 1; i < len(toks); i++ {
		t := &toks[i]
		if t.kind != kWord || sc.claim[i] {
			continue
		}
		n := t.e - t.s
		if n == 3 && sc.is(i, "osh") {
			sc.oshName(i)
			continue
		}
		if n >= 4 && n <= 14 && plainFacilityHead(sc.lower(i)) && sc.plainCased(i) {
			sc.plainFacility(i)
			continue
		}
		if n >= 5 && n <= 8 && (sc.low[t.s] == 'w' || sc.low[t.s] == 'e') {
			if e := sc.plainEmployer(i); e > i {
				i = e
				continue
			}
		}
		// (a word that is neither falls through: "LIVES ALONE IN WINNER,")
		if e := sc.plainTown(i); e >= i {
			sc.addToks(i, e, TypeLocation, "rules/city")
			i = e
		}
	}
}

// plainTown returns the last token of a town's name that starts at word
// token i, written without a capital to mark it, where someone lives or
// comes from (homeTown): in a note of one case an everyday word ("LIVES
// ALONE IN WINNER,") or a known town of more words; in lower case in a
// mixed note only the second ("lives in bossier city."); else -1.
func (sc *scan) plainTown(i int) int {
	if i < 1 || sc.toks[i].flags&lexicon.City == 0 || sc.caseAt(i) == caseMixed && sc.toks[i].cap {
		return -1 // (scanPlaces reads a capitalised town in a mixed note)
	}
	if p := i - 1; sc.toks[p].kind != kWord || sc.toks[i].nl || !townPreps(sc.lower(p)) {
		return -1 // (the cheap tests first: this runs on every word)
	}
	e := sc.city(i)
	switch {
	case e == i:
		// (one everyday word in lower case in a mixed note is too often just
		// that: "Dad in nursery with twin")
		if sc.caseAt(i) != caseMixed && sc.everydayTown(i) {
			return i
		}
	case e > i:
		for k := i; k <= e; k++ {
			if k > i && sc.claim[k] || sc.is(k, "home") || nearNotTowns[sc.lower(k)] {
				return -1 // "Lives in new home with wife" (review18)
			}
		}
		if !sc.stateAlone(i, e) && sc.homeTown(i, e) {
			return e
		}
	}
	return -1
}

// saintPlace returns the last token of a hospital or town named for a
// saint right after a word that places it ("FROM ST. ENDELLION L&D", "at
// st. endellion": dev81): "st." and one or two words that no list explains;
// else -1. (A capitalised "St. Endellion" in a mixed note is often
// scanContext's already.)
func (sc *scan) saintPlace(i int) int {
	k := i + 2
	if !sc.is(i, "st") || !sc.saintDot(i+1) || sc.claim[k] || !sc.candidate(k) {
		return -1
	}
	if p := sc.lower(i - 1); sc.toks[i-1].kind != kWord || sc.toks[i].nl || !townPreps(p) && p != "at" ||
		p == "in" && sc.toks[i].upper && sc.caseAt(i) == caseMixed {
		return -1 // "HR in ST. Lopressor given": sinus tachycardia (review21)
	}
	if e := k + 1; e < len(sc.toks) && !sc.toks[e].nl && sc.toks[e].sp && !sc.claim[e] && sc.candidate(e) {
		return e
	}
	return k
}

// scanSaints marks the places saintPlace finds, before scanCandidates would
// take the saint's name for a person's.
func (sc *scan) scanSaints() {
	if !containsByLast(sc.low, "st.") {
		return // (most notes: saintPlace wants "st" with a full stop glued to it, and one fast search finds none)
	}
	for i := 1; i+2 < len(sc.toks); i++ {
		if t := &sc.toks[i]; t.e-t.s == 2 && t.kind == kWord && !sc.claim[i] {
			if e := sc.saintPlace(i); e > i {
				sc.addToks(i, e, TypeLocation, "rules/facility")
				i = e
			}
		}
	}
}

// townPreps come right before a town in homeTown.
func townPreps(w string) bool {
	switch w {
	case "in", "from", "to", "near", "outside":
		return true
	}
	return false
}

// oshName marks the hospital named in brackets right after "OSH"
// ("ADMITTED FROM OSH (MBMC)": dev66), in any case: one word of two to six
// letters that no everyday or clinical list holds ("OSH (ED)" stays).
func (sc *scan) oshName(i int) {
	k := i + 2
	if k+1 >= len(sc.toks) || !sc.punct(i+1, '(') || !sc.punct(k+1, ')') || sc.toks[k].nl || sc.claim[k] {
		return
	}
	if t := &sc.toks[k]; t.kind != kWord || t.e-t.s < 2 || t.e-t.s > 6 || t.kw != 0 || t.flags&(lexicon.SafeCore|lexicon.Clinical) != 0 {
		return
	}
	sc.addToks(k, k, TypeLocation, "rules/facility")
}

// careKinds say what kind of care a facility gives, between its name and
// its head ("accepted at srh inpatient rehab": dev66); no part of the name.
var careKinds = map[string]bool{"inpatient": true, "acute": true, "inpt": true}

// plainFacility marks the name before facility head i with the head (or
// the name alone, when a kind of care comes between them).
func (sc *scan) plainFacility(i int) {
	toks := sc.toks
	k := i - 1
	if k > 0 && !toks[i].nl && toks[k].kind == kWord && careKinds[sc.lower(k)] {
		if s := sc.plainFacilityName(k - 1); s >= 0 {
			sc.addToks(s, k-1, TypeLocation, "rules/facility")
		}
		return
	}
	for k > 0 && i-k <= 3 && !toks[k+1].nl && toks[k].kind == kWord && plainFacilityMods[sc.lower(k)] {
		k--
	}
	if s := sc.plainFacilityName(k); s >= 0 {
		sc.addToks(s, i, TypeLocation, "rules/facility")
	}
}

// plainFacilityName: the first token of a facility's name of one to three
// plain words that ends at token e, right after a cue of plainFacilityCues
// on the same line, or -1.
func (sc *scan) plainFacilityName(e int) int {
	toks := sc.toks
	if e < 0 || e+1 < len(toks) && toks[e+1].nl {
		return -1
	}
	k := e
	for k >= 0 && e-k < 3 && !toks[k+1].nl && sc.plainName(k) && !sc.claim[k] {
		k--
	}
	if k == e || k < 0 || toks[k+1].nl || toks[k].kind != kWord || !plainFacilityCues[sc.lower(k)] {
		return -1
	}
	return k + 1
}

// plainEmployer: token i is "works", "worked", "employed" or "employer";
// it marks the employer named after "works/worked at/for/by", "employed
// at/by" or "employer (…)" ("employer:", "employer,") and returns its last
// token, or -1.
func (sc *scan) plainEmployer(i int) int {
	toks := sc.toks
	s := -1
	switch sc.lower(i) {
	case "works", "worked", "employed":
		if m := i + 1; m < len(toks) && !toks[m].nl && (sc.is(m, "at") || sc.is(m, "for") || sc.is(m, "by")) {
			s = m + 1
		}
	case "employer":
		if m := i + 1; m < len(toks) && (sc.punct(m, '(') || sc.punct(m, ':') || sc.punct(m, ',')) {
			s = m + 1
		}
	}
	if s < 0 || s >= len(toks) || toks[s].nl || toks[s].cap && sc.caseAt(s) == caseMixed {
		return -1 // (a capitalised employer in a mixed-case line is scanContext's: "works at Cargill turkey plant")
	}
	e, named := -1, false
run:
	for k := s; k < len(toks) && k-s < 8 && !toks[k].nl; k++ {
		switch tk := &toks[k]; {
		case tk.kind == kPunct && (sc.punct(k, '&') || (sc.punct(k, '\'') || sc.punct(k, '-')) && !tk.sp && sc.joined(k+1)) && e == k-1:
			continue // "TIRE & AXLE", "LOVE'S", "PEE-DEE"
		case tk.kind != kWord:
		case sc.is(k, "and") && e == k-1 && k+1 < len(toks) && sc.plainName(k+1) || sc.is(k, "and") && e == k-1 && sc.clauseEndWord(k+2):
			continue // "PIPE AND WELDING."
		case !functionWord(sc.lower(k)) && tk.kw == 0 && !employerStops[sc.lower(k)] && tk.flags&lexicon.Clinical == 0:
			e = k
			named = named || sc.plainName(k)
			continue
		}
		break run
	}
	if e < s || !named {
		return -1
	}
	sc.addToks(s, e, TypeLocation, "rules/employer")
	return e
}

// clauseEndWord: the word before token k ends its clause: k is the end of
// the line or of the text, or a mark that clauseEnd takes (a full stop, a
// comma…), not one of the numbers or words it also takes after a signature.
func (sc *scan) clauseEndWord(k int) bool {
	return sc.clauseEnd(k) && (k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind == kPunct)
}

// employerStops end an employer's name or say that none follows ("works at
// night", "works for himself", "works at least 50 hours").
var employerStops = map[string]bool{
	"night": true, "nights": true, "nite": true, "nites": true, "noc": true, "days": true, "day": true,
	"weekends": true, "weekend": true, "least": true, "full": true, "part": true, "time": true,
	"himself": true, "herself": true, "themselves": true, "since": true, "until": true, "currently": true,
	"a": true, "my": true, "our": true, "their": true, "as": true, "x": true, "yrs": true, "years": true, "family": true, "local": true, "same": true,
}
