package deid

import (
	"strings"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// scanCues runs, in one walk over the tokens, the rules that a position or a
// word before decides: "LAST,FIRST" headers at a line start or after a
// patient label (lastFirstAt), typist codes at a line start (typistCodeAt),
// initials after "by" (initialsAfterCue), wards after "to", "from" or "on"
// (wardAt), towns before a state code (townStateAt), a known first name
// that is also a word after a relation (relationNameAt) or before a
// credential (credNameAt). The word before is
// read once per token, so that the rules cost one switch, not a look-up each.
func (sc *scan) scanCues() {
	sc.scanSignature()
	toks := sc.toks
	// the words a rule below can act on (index); "i = e" skips as it did
	idx := sc.cueIdx
	for ni, i := listNext(idx, 0, -1); ni < len(idx); ni, i = listNext(idx, ni, i) {
		t := &toks[i]
		if t.kind != kWord {
			continue
		}
		if t.nl {
			if e := sc.lastFirstAt(i); e >= 0 {
				i = e
			} else if e := sc.typistCodeAt(i); e >= 0 {
				i = e
			} else {
				sc.credNameAt(i)
			}
			continue
		}
		p := i - 1
		if sc.punct(p, ':') && !toks[p].nl {
			p-- // "Pt: DELACROIX-MBEKI,SERAPHINE"
		}
		if p < 0 || toks[p].kind != kWord || toks[p].e-toks[p].s > 11 {
			if sc.punct(i-1, '-') {
				if sc.dashInitialsAt(i) {
					sc.markName(i, i, "rules/initials") // "CONFIRMED. -KD"
				} else {
					sc.credNameAt(i) // "-bev rrt", "-- patience, rn"
				}
			}
			continue
		}
		if p == i-1 && toks[p].kw&setRelation != 0 {
			sc.relationNameAt(i)
			continue
		}
		e := -1
		switch sc.lower(p) {
		case "patient", "pt", "name", "decedent":
			e = sc.lastFirstAt(i)
		case "baby", "infant", "twin", "boy", "girl":
			if p == i-1 && sc.newbornName(p, i) {
				sc.markName(i, i, "rules/newborn")
				e = i
			}
		case "to":
			if p == i-1 && sc.reportTo(p) && sc.looseName(i) {
				sc.markName(i, i, "rules/report") // "report given to serenity from resp"
				e = i
			} else if p == i-1 {
				if e = sc.wardAt(i, false); e < 0 {
					e = sc.townStateAt(i, true)
				}
			}
		case "from":
			if p == i-1 {
				if e = sc.wardAt(i, false); e < 0 {
					e = sc.townStateAt(i, false)
				}
			}
		case "on":
			if p == i-1 {
				e = sc.wardAt(i, true)
			}
		case "in", "near":
			if p == i-1 {
				e = sc.townStateAt(i, false)
			}
		case "by", "transcribed", "dictated":
			if p == i-1 {
				sc.initialsAfterCue(i)
			}
		}
		if e < 0 && p == i-1 {
			sc.credNameAt(i) // "REPORT TO GRANT RN"
		}
		if e > i {
			i = e
		}
	}
}

// relationNameAt: after a relation ("son", "HUSBAND", "pt's daughter"), a
// known first name that is also an everyday word ("son WILL notified",
// "husband sterling left", "daughter grace and her husband"), when what
// follows reads as a sentence about a person, not a verb phrase ("son will
// visit", "wife is aware" stay). It marks the name and returns its token, or -1.
func (sc *scan) relationNameAt(i int) int {
	t := &sc.toks[i]
	if t.flags&lexicon.Name == 0 && !sc.rareNameAfterRelation(i) && !sc.coreNameAfterRelation(i) || t.kw&^setStreet != 0 || t.e-t.s < 3 || sc.claim[i] || functionWord(sc.lower(i)) {
		return -1
	}
	w := sc.lower(i)
	if sc.notNameWord(i) {
		return -1 // "HUSBAND WORKS AT", "let her brother know."
	}
	if t.flags&lexicon.Common != 0 && (strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing") || strings.HasSuffix(w, "ly")) {
		return -1 // "son visiting"; "sterling" is a name
	}
	if t.flags&lexicon.Common != 0 && strings.HasSuffix(w, "s") && !t.cap && sc.caseAt(i) == caseMixed {
		return -1 // "Pt's daughter works here": a verb, in lower case where names have capitals
	}
	k := i + 1
	if k < len(sc.toks) && !sc.toks[k].nl {
		switch {
		case sc.punct(k, ',') || sc.punct(k, '.') || sc.punct(k, '(') || sc.punct(k, ')') || sc.punct(k, ';'):
		case sc.toks[k].kind == kWord && personAfter[sc.lower(k)]:
		default:
			return -1
		}
	}
	sc.markName(i, i, "rules/relation")
	return i
}

// rareNameAfterRelation: word token i, on no name list, is a relative's
// name all the same: a word of the rare tier of general English only (not
// everyday, not clinical, no adjective's or role's ending) between a
// relation and a verb a person does ("PT'S DAUGHTER JONQUIL ASKED");
// "daughter tearful, asked" and "son also called" stay.
func (sc *scan) rareNameAfterRelation(i int) bool {
	t := &sc.toks[i]
	if t.kind != kWord || t.flags&(lexicon.Safe|lexicon.SafeCore|lexicon.Clinical|lexicon.City|lexicon.State) != lexicon.Safe || t.e-t.s < 4 {
		return false
	}
	w := sc.lower(i)
	// a verb's, an adverb's or an adjective's form, or a role ("daughter
	// teary asked", "husband stoic stated", "mother conservator called":
	// review19)
	if formEnding(w) || strings.HasSuffix(w, "y") || strings.HasSuffix(w, "or") || strings.HasSuffix(w, "er") {
		return false // and "teary", a role ("conservator"), a doer ("caregiver")
	}
	k := i + 1
	return k < len(sc.toks) && !sc.toks[k].nl && sc.toks[k].kind == kWord && (personVerbs[sc.lower(k)] || personAfter[sc.lower(k)] && strings.HasSuffix(sc.lower(k), "ed"))
}

// coreNameAfterRelation: in a note in one case, word token i, an everyday
// noun that no name list holds, is a relative's name all the same between
// a relation and where the person is or what the person did ("WIFE SUMMER
// HERE TILL 2330", "HUSBAND FOUNT AT BEDSIDE", "DAUGHTER EMBER STAYING",
// "son cash and his wife in": dev14-dev227): not a word of the clinical
// list or a state, not a verb's, an adverb's or an adjective's form, and
// none of the words that say how or where a relative is ("wife tearful at
// bedside", "son upset and", "mom asleep at bedside": relationStates).
func (sc *scan) coreNameAfterRelation(i int) bool {
	t := &sc.toks[i]
	if t.kind != kWord || sc.caseAt(i) == caseMixed || t.flags&(lexicon.Clinical|lexicon.State) != 0 || t.flags&lexicon.SafeCore == 0 || t.e-t.s < 3 {
		return false
	}
	w := sc.lower(i)
	if relationStates[w] || functionWord(w) || formEnding(w) {
		return false // (not "-er": "summer", "ember" are names; "earlier", "together" are relationStates)
	}
	k := i + 1
	if k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind != kWord {
		return false
	}
	switch sc.lower(k) {
	case "here", "staying", "stayed", "came", "called", "visited", "notified", "updated", "arrived", "phoned", "drove", "flew":
		return true
	case "at":
		return sc.is(k+1, "bedside") || sc.is(k+1, "bs") || sc.is(k+1, "bedsides")
	case "and":
		return k+1 < len(sc.toks) && !sc.toks[k+1].nl && (sc.toks[k+1].kw&setRelation != 0 || sc.is(k+1, "his") || sc.is(k+1, "her"))
	}
	return false
}

// formEnding: w (lower case) ends as a verb's, an adverb's or an
// adjective's form does ("visiting", "tearful", "supportive", "stoic"),
// which a relative's name seldom does.
func formEnding(w string) bool {
	for _, suf := range [...]string{"ed", "ing", "ly", "s", "ic", "ive", "ory", "ous", "ful", "al", "ent", "ant", "ish", "less", "able", "ible", "est"} {
		if strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// relationStates say how, where or which a relative is, after the relation
// (coreNameAfterRelation): no names.
var relationStates = map[string]bool{
	"asleep": true, "upset": true, "happy": true, "sad": true, "calm": true, "alone": true, "home": true,
	"here": true, "there": true, "away": true, "busy": true, "sick": true, "ill": true, "well": true,
	"fine": true, "good": true, "glad": true, "angry": true, "quiet": true, "frail": true, "tired": true,
	"unsure": true, "ok": true, "okay": true, "present": true, "bedside": true, "still": true, "back": true,
	"now": true, "then": true, "also": true, "too": true, "just": true, "again": true, "first": true,
	"last": true, "next": true, "same": true, "other": true, "own": true, "older": true, "younger": true,
	"elder": true, "eldest": true, "oldest": true, "youngest": true, "twin": true, "adult": true, "minor": true,
	"legal": true, "former": true, "late": true, "early": true, "primary": true, "main": true, "only": true,
	"baby": true, "info": true, "teary": true, "prior": true, "open": true, "both": true, "today": true,
	"tonight": true, "tomorrow": true, "yesterday": true, "briefly": true, "once": true, "twice": true,
	"overnight": true, "alert": true, "stable": true, "safe": true, "sober": true, "pregnant": true,
	"deaf": true, "blind": true, "dead": true, "deceased": true, "abroad": true, "nearby": true, "local": true,
	"inside": true, "outside": true, "downstairs": true, "upstairs": true, "over": true, "out": true,
	"in": true, "up": true, "down": true, "off": true, "on": true,
	// pronouns and verbs of no regular ending ("mom slept at bedside",
	// "her mother herself at bedside")
	"herself": true, "himself": true, "themselves": true, "slept": true, "kept": true, "spent": true,
	"sat": true, "stood": true, "held": true, "felt": true, "ran": true, "rode": true, "sent": true,
	"told": true, "knew": true, "thought": true, "found": true, "lost": true, "paid": true, "heard": true,
	"woke": true, "awoke": true, "wept": true, "fed": true, "led": true, "hid": true, "quit": true,
	"hurt": true, "let": true, "sleep": true, "stay": true, "visit": true, "wait": true, "rest": true,
	// adverbs and verbs the endings miss (review: "wife often at bedside",
	// "son flew here from ohio")
	"often": true, "since": true, "around": true, "earlier": true, "together": true, "remain": true,
	"flew": true, "soon": true, "always": true, "ever": true, "never": true, "even": true, "already": true,
	"almost": true, "rather": true, "perhaps": true, "maybe": true, "somewhere": true, "anywhere": true,
	"elsewhere": true, "until": true, "till": true, "later": true, "sooner": true, "each": true,
}

// personAfter: words after a relation's name that make it a person
// ("son WILL notified", "wife hope and son art in").
var personAfter = map[string]bool{
	"and": true, "left": true, "notified": true, "called": true, "visited": true, "here": true, "in": true,
	"at": true, "updated": true, "said": true, "states": true, "stated": true, "aware": true, "present": true,
	"arrived": true, "came": true, "phoned": true, "spoke": true, "asked": true, "asks": true, "wants": true,
	"reports": true, "reported": true, "brought": true, "drove": true, "flew": true, "visiting": true, "rn": true,
	"staying": true, "stayed": true, // "DAUGHTER EMBER STAYING THROUGH THE HOLIDAYS" (dev33)
}

// credNameAt: a known first name right before a credential ("REPORT TO GRANT
// RN", "SUE RN" on a line of its own, "- bev rrt"), at a line start or after
// "to", "by", "per", "with" or a dash, and no role word ("CHARGE RN",
// "NIGHT RN"). It marks the name and returns its token, or -1.
func (sc *scan) credNameAt(i int) int {
	toks := sc.toks
	// the credential is one of the three tokens after i (below): a cheap
	// gate, most words have none
	if !sc.in(i+1, setCred) && !sc.in(i+2, setCred) && !sc.in(i+3, setCred) {
		return -1
	}
	// one or two name words, an optional comma, the credential
	e := i
	if e+1 < len(toks) && toks[e+1].kind == kWord && !toks[e+1].nl && !sc.in(e+1, setCred) && sc.credName(e+1) {
		e++ // "princess hand RRT"
	}
	c := e + 1
	comma := false
	if sc.punct(c, ',') && sc.joined(c) {
		c++ // "patience, rn"
		comma = true
	}
	if c >= len(toks) || toks[c].nl || !sc.credAt(c) {
		return -1 // "98-year-old Pt Madisen": the patient, not a therapist
	}
	if sc.is(c, "pa") && c+1 < len(toks) && !toks[c+1].nl && (toks[c+1].kind == kNum || paMeasures[sc.lower(c+1)]) {
		return -1 // "CI 2.2 after by Swan, PA pressures 48/24": the pulmonary artery (dev56)
	}
	if sc.is(c, "np") && c+1 < len(toks) && !toks[c+1].nl && npMeasures[sc.lower(c+1)] {
		return -1 // "bulb q1-2h and deep NP sx x2": nasopharyngeal suction (dev87)
	}
	if comma && sc.clauseVerb(c+1) {
		return -1 // "requests to talk, RN spent time with pt": the nurse starts a clause
	}
	signed := false
	if !toks[i].nl {
		p := i - 1
		// a dash that opens a signature ("-bev rrt", "-- patience, rn"), not
		// one inside a word
		for sc.punct(p, '-') && sc.punct(p-1, '-') && sc.joined(p) {
			p--
		}
		signed = sc.punct(p, '-') && (toks[p].sp || toks[p].nl)
		if !(signed || sc.is(p, "to") || sc.is(p, "by") || sc.is(p, "per") || sc.is(p, "with") || sc.is(p, "and")) {
			return -1
		}
	}
	// after a signature dash any word that is not a role is the signer
	if !sc.credName(i) && !(signed && e == i && sc.looseName(i)) || sc.serviceBeforeCred(i, e) {
		return -1 // a service, after "by" or "to" or a dash: "by burn NP", "afib - neuro NP explained", "step down rn note"
	}
	sc.markName(i, e, "rules/credential")
	return e
}

// clauseVerb: token k is a verb that a credential after a comma starts a
// clause with ("talk, RN spent time", "family, RN aware").
func (sc *scan) clauseVerb(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].kind != kWord || sc.toks[k].nl || sc.toks[k].cap {
		return false
	}
	switch w := sc.lower(k); w {
	case "spent", "aware", "was", "is", "will", "went", "gave", "told", "took", "sat", "made", "reinforced", "explained":
		return true
	default:
		return len(w) > 3 && strings.HasSuffix(w, "ed")
	}
}

// credName: word token k can be a name before a credential: a known name
// (even an everyday word) and no keyword, function or role word.
func (sc *scan) credName(k int) bool {
	t := &sc.toks[k]
	return t.flags&lexicon.Name != 0 && t.kw == 0 && t.e-t.s >= 3 && !sc.claim[k] && !functionWord(sc.lower(k)) && !sc.inSet(k, roleWordSet)
}

// roleWords name a nurse's or doctor's role before a credential, not a person.
var roleWords = map[string]bool{
	"charge": true, "primary": true, "night": true, "day": true, "float": true, "resource": true, "staff": true,
	"floor": true, "covering": true, "oncoming": true, "previous": true, "bedside": true, "admitting": true,
	"travel": true, "agency": true, "transport": true, "circulating": true, "scrub": true, "home": true,
	"school": true, "team": true, "unit": true, "icu": true, "micu": true, "sicu": true, "ccu": true, "er": true,
	"ed": true, "pacu": true, "triage": true, "clinic": true, "hospice": true, "wound": true, "ostomy": true,
	"case": true, "nurse": true, "the": true, "new": true, "senior": true, "junior": true, "attending": true,
	"receiving": true, "accepting": true, "incoming": true, "shift": true, "evening": true, "morning": true,
	"on-call": true, "call": true, "noc": true, "nite": true, "eve": true, "days": true, "nights": true, "surgical": true, "medical": true, "resident": true, "fellow": true, "intern": true,
	"tele": true, "sdu": true, "stepdown": true, // "REPORT GIVEN TO TELE RN" (dev54)
	"second": true, "another": true, // "re-checked with second RN" (dev94)
}

// serviceWords name a service before a doctor's role or a credential ("BY
// BURN NP RADOVIC", "by txp fellow"), not a person. Surnames that are also
// services ("Burns", "Stroke", "Pain") are left out: "-- burns, rn" signs a
// note.
var serviceWords = map[string]bool{
	"burn": true, "txp": true, "transplant": true, "trauma": true, "ortho": true, "neuro": true,
	"renal": true, "cards": true, "surgery": true, "vascular": true, "plastics": true, "palliative": true,
	"urology": true, "onc": true, "liver": true, "cardiac": true, "pulm": true, "psych": true, "peds": true,
	"rehab": true, "nephro": true, "hepatology": true, "micu": true, "sicu": true, "ccu": true, "cvicu": true,
	"csru": true, "nicu": true, "picu": true, "ticu": true, "nsicu": true, "icu": true, "ed": true, "er": true,
	"stroke": true, // "Updated by stroke NP" (dev37)
	// "pulled by spine PA", "Step down RN note" (dev46)
	"spine": true, "down": true, "stepdown": true, "neurosurgery": true, "nsgy": true,
}

// serviceBeforeCred: words i..e before a credential name a service, not a
// person: one service word ("by burn NP"), or an everyday word and a
// service word ("Step down RN note"); "Mary Spine RN" stays a name.
func (sc *scan) serviceBeforeCred(i, e int) bool {
	return sc.inSet(e, serviceWordSet) && (e == i || sc.toks[i].flags&lexicon.SafeCore != 0)
}

// credAt: token k is a credential, and not "pt" (which is also the
// patient: "98-year-old Pt Madisen", "PT WITH NEW TRACH").
func (sc *scan) credAt(k int) bool {
	return sc.in(k, setCred) && !sc.is(k, "pt") && !(sc.is(k, "do") && sc.is(k+1, "not")) // "NGT TO LIS DO NOT MANIPULATE"
}

// roleNext: a credential or a doctor's role follows word token k on its
// line ("txp fellow", "burn NP", "renal team"): k names a service, not a
// person.
func (sc *scan) roleNext(k int) bool {
	n := k + 1
	if n >= len(sc.toks) || sc.toks[n].nl || sc.toks[n].kind != kWord {
		return false
	}
	if sc.credAt(n) {
		return true
	}
	switch sc.lower(n) {
	case "fellow", "fellows", "resident", "residents", "intern", "attending", "team", "service", "pharmacist", "surgeon", "coordinator":
		return true
	}
	return false
}

// reportTo: the word "to" at token p ends "report (given) to", "handoff to",
// "endorsed to", "signed out to": a nurse's or doctor's name follows.
func (sc *scan) reportTo(p int) bool {
	q := p - 1
	if sc.is(q, "given") || sc.is(q, "out") {
		q--
	}
	return sc.is(q, "report") || sc.is(q, "handoff") || sc.is(q, "endorsed") || sc.is(q, "signed") || sc.is(q, "handed")
}

// looseName: word token k can be a name where the position says a person
// stands ("report given to serenity", "-- patience, rn"): no keyword,
// function or role word, three letters or more, no verb or adverb ending.
func (sc *scan) looseName(k int) bool {
	t := &sc.toks[k]
	w := sc.lower(k)
	return t.kind == kWord && t.kw == 0 && t.e-t.s >= 3 && !sc.claim[k] && !functionWord(w) && !roleWords[w] &&
		t.flags&(lexicon.Clinical|lexicon.Name) != lexicon.Clinical && // "Report given to LifeFlight crew" (dev80)
		!strings.HasSuffix(w, "ing") && !strings.HasSuffix(w, "ed") && !strings.HasSuffix(w, "ly")
}

// newbornName: token i, right after "baby", "infant" or "twin" (token p),
// or after "boy" or "girl" that follows one of them ("BABY BOY HOLCOMBE"),
// is a newborn's name: a word that is no everyday English, no clinical
// word and no keyword ("INFANT BRYNLEE DOL 14", "baby Wrenley"; not "baby
// doing well", "infant stable", "baby girl").
func (sc *scan) newbornName(p, i int) bool {
	if (sc.is(p, "boy") || sc.is(p, "girl")) && !(sc.is(p-1, "baby") || sc.is(p-1, "infant") || sc.is(p-1, "twin")) {
		return false
	}
	t := &sc.toks[i]
	return t.kind == kWord && t.e-t.s >= 3 && t.kw == 0 && !sc.in(i, setRelation) &&
		(t.flags&lexicon.Name != 0 && t.flags&lexicon.Common == 0 || t.flags&(lexicon.Common|lexicon.SafeCore|lexicon.State) == 0) // "baby Ava": a name on the lists too
}

// npMeasures follow "NP" read as nasopharyngeal, not a nurse practitioner.
var npMeasures = map[string]bool{
	"sx": true, "suction": true, "suctioning": true, "suctioned": true, "swab": true, "swabs": true,
	"airway": true, "trumpet": true, "aspirate": true,
}

// paMeasures follow "PA" when it is the pulmonary artery, not a physician
// assistant ("PA pressures 48/24", "PA catheter").
var paMeasures = map[string]bool{
	"pressure": true, "pressures": true, "catheter": true, "cath": true, "line": true,
	"systolic": true, "diastolic": true, "mean": true, "sats": true, "sat": true, "port": true,
}
