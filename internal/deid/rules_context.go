package deid

import (
	"slices"
	"strings"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// rankTitles are police and military ranks written before a name with a
// full stop ("Sgt. Obermiller", "Lt. Dana Ruiz").
var rankTitles = map[string]bool{
	"sgt": true, "lt": true, "capt": true, "cpl": true, "det": true, "ofc": true, "maj": true, "col": true,
}

// maxPlaces bounds the places remembered for later mentions, so that the
// mention scan stays linear.
const maxPlaces = 32

// Context rules for organisations, places and names that carry no head word
// ("Hospital", "Street") and no title: what the sentence says about them is
// the cue ("works at Costco", "Tobias states", "from Walgreens").

// orgVerbs before "at", "for", "by" (or directly before the name, for the
// verbs marked direct) make the capitalised run after them an organisation
// or place: "works at Costco", "employed by Tyson Foods", "attends Bethel AME".
var orgVerbs = map[string]bool{
	"works": true, "work": true, "worked": true, "working": true, "employed": true, "job": true,
	"shifts": true, "shift": true, "teacher": true, "teaches": true, "taught": true, "student": true,
	"studies": true, "studied": true, "volunteers": true, "volunteer": true, "enrolled": true,
	"nurse": true, "barista": true, "cashier": true, "driver": true, "manager": true, "staying": true,
	"stays": true, "lives": true, "lived": true, "living": true, "drink": true, "drinks": true,
	"employee": true, "intern": true, "office": true, "retired": true, "plays": true,
}

// orgGate is the wordGate of orgLabels, changeVerbs and orgVerbs (orgCue).
var orgGate = newWordGate(orgLabels, changeVerbs, orgVerbs)

// orgLabels announce an organisation or place after a colon ("Employer: Tyson Foods").
var orgLabels = map[string]bool{
	"employer": true, "employers": true, "school": true, "pharmacy": true, "facility": true, "agency": true,
	"church": true, "workplace": true, "company": true, "shelter": true,
	"college": true, "university": true, "daycare": true, "preschool": true,
}

// changeVerbs before "to"/"from" name a drug or a service, not a place
// ("switched to Eliquis", "transferred to Medicine").
var changeVerbs = map[string]bool{
	"switched": true, "changed": true, "converted": true, "transitioned": true, "increased": true,
	"decreased": true, "titrated": true, "allergic": true, "reaction": true, "started": true,
	"responded": true, "response": true, "intolerant": true, "due": true, "secondary": true,
	"related": true, "prior": true, "according": true, "compared": true,
	"back": true, "up": true, "down": true, "is": true, "was": true, "are": true, "were": true,
	"as": true,
}

// clinicalAcronyms are upper-case words after a preposition that name a unit
// or a test, not an organisation ("to ICU", "from SNF", "on CT").
var clinicalAcronyms = map[string]bool{
	"icu": true, "micu": true, "sicu": true, "ccu": true, "cvicu": true, "nicu": true, "picu": true,
	"ed": true, "er": true, "or": true, "pacu": true, "snf": true, "ltac": true, "ltach": true,
	"ir": true, "ct": true, "mri": true, "ekg": true, "ecg": true, "echo": true, "pt": true, "ot": true,
	"ems": true, "als": true, "bls": true, "rn": true, "md": true, "np": true, "pa": true,
	"cbc": true, "bmp": true, "cmp": true, "ua": true, "iv": true, "po": true, "im": true, "sq": true,
	"prn": true, "bid": true, "tid": true, "qid": true, "qd": true, "hs": true, "am": true, "pm": true,
	"usa": true, "us": true, "uk": true, "ob": true, "gyn": true, "ent": true, "gi": true, "id": true,
	"ra": true, "copd": true, "chf": true, "cad": true, "dm": true, "htn": true, "ckd": true,
	"uti": true, "dvt": true, "pe": true, "mi": true, "cva": true, "tia": true, "afib": true,
	"hiv": true, "tpn": true, "npo": true, "dnr": true, "dni": true, "polst": true, "molst": true,
	"bipap": true, "cpap": true, "ng": true, "peg": true, "picc": true, "ebl": true, "ivf": true,
	"hr": true, "bp": true, "rr": true, "o2": true, "nc": true, "fyi": true,
	"ip": true, "asap": true, "covid": true, "sars": true, "va": true, "nsaids": true, "nsaid": true,
}

// payers name an insurance programme, which identifies no one ("Medicaid";
// a health plan's name is not PHI, its member numbers are).
var payers = map[string]bool{"medicaid": true, "medicare": true, "tricare": true, "medi": true, "masshealth": true}

// timeWords are capitalised at the start of a line or a heading ("Today").
var timeWords = map[string]bool{"today": true, "tomorrow": true, "yesterday": true, "tonight": true, "now": true, "then": true}

// reportGate is the wordGate of reportVerbs.
var reportGate = newWordGate(reportVerbs)

// reportVerbs follow a name at the start of a sentence ("Tobias states …").
var reportVerbs = map[string]bool{
	"reports": true, "reported": true, "states": true, "stated": true, "says": true, "said": true,
	"denies": true, "denied": true, "endorses": true, "endorsed": true, "complains": true,
	"presents": true, "presented": true, "was": true, "is": true, "has": true, "had": true,
	"notes": true, "noted": true, "admits": true, "feels": true, "felt": true, "called": true,
	"came": true, "arrived": true, "returns": true, "returned": true, "lives": true, "works": true,
	"agrees": true, "agreed": true, "declined": true, "declines": true, "understands": true,
	"wants": true, "asks": true, "asked": true, "requests": true, "requested": true, "went": true,
	"tolerated": true, "ambulated": true, "slept": true, "ate": true, "will": true, "would": true,
	"can": true, "cannot": true, "did": true, "does": true, "remains": true, "appears": true,
	"became": true, "continues": true, "describes": true, "explains": true, "told": true,
	"brought": true, "drove": true, "visited": true, "refused": true, "refuses": true,
}

// caps ends a run of capitalised words starting at i (with "of", "&", "'s",
// "St.", hyphens and a trailing number: "Air Evac 54", "Blue Cross Blue Shield
// of Michigan", "O'Malley's"); -1 if token i does not start one.
func (sc *scan) caps(i int) int {
	toks := sc.toks
	if !sc.capWord(i) {
		return -1
	}
	e := i
	for k := i + 1; k < len(toks) && k-i < 10 && !toks[k].nl; k++ {
		switch {
		case sc.capWord(k):
			e = k
		case sc.punct(k, '.') && sc.is(k-1, "st") && sc.capWord(k+1):
			e = k
		case sc.punct(k, '\'') && !toks[k].sp && sc.is(k+1, "s") && !toks[k+1].sp:
			e = k + 1
			k++
		case sc.punct(k, '-') && !toks[k].sp && k+1 < len(toks) && !toks[k+1].sp && toks[k+1].kind != kPunct:
			e = k + 1
			k++
		case sc.is(k, "of") && sc.is(k+1, "the") && sc.capWord(k+2) && !toks[k+2].nl:
			e = k + 2 // "Hospice of the Valley"
			k += 2
		case (sc.is(k, "of") || sc.punct(k, '&') || sc.is(k, "on") && sc.capWord(k+1) && sc.in(k+1, setOrg|setStreet)) && sc.capWord(k+1) && !toks[k+1].nl:
			e = k + 1
			k++
		case toks[k].kind == kNum && toks[k].sp && toks[k].e-toks[k].s <= 4 && e == k-1 && !sc.unitAfter(k) && !sc.joined(k+1):
			e = k // "Air Evac 54", "Route 9"
		default:
			k = len(toks)
		}
	}
	return e
}

// plainWord: a capitalised word that names nothing by itself (a heading,
// a title, a month, a service: "Home", "Cardiology", "Dr", "March").
func (sc *scan) plainWord(k int) bool {
	t := &sc.toks[k]
	if t.kind != kWord {
		return true
	}
	if t.kw&(setHeader|setTitle|setGeneric|setMonth|setDay|setDemonym|setInterj|setCred|setCue1|setCue2|setMeasure) != 0 {
		return true
	}
	if t.kw&setPlain != 0 || t.flags&lexicon.State != 0 && t.flags&lexicon.Name == 0 {
		return true
	}
	if t.upper && t.e-t.s <= 5 && t.flags&lexicon.SafeCore != 0 && (t.flags&lexicon.Name == 0 || sc.caseAt(k) == caseMixed) {
		return true // a clinical acronym: "LCWS", "PACU"; "NGT to LIS" in a mixed-case note
	}
	if n := t.e - t.s; n <= 6 {
		w := sc.lower(k)
		return w == "the" || w == "a" || w == "i" || sc.toks[k].xbits()&xWeekdayAbbr != 0 || t.upper && sc.toks[k].xbits()&xClinAcronym != 0
	}
	return false
}

// everydayCompound: tokens i..e are one hyphenated word, a letter before a
// part that everyday or clinical lists hold ("from A-line", "through
// T-tube") or parts that written together are a clinical word ("to
// Step-Down": stepdown); not "Sun-Valley" or "Wilkes-Barre".
func (sc *scan) everydayCompound(i, e int) bool {
	if e != i+2 || !sc.punct(i+1, '-') || !sc.joined(i+1) || !sc.joined(e) || sc.toks[i].kind != kWord || sc.toks[e].kind != kWord {
		return false
	}
	if sc.toks[i].e-sc.toks[i].s == 1 {
		return sc.toks[e].flags&(lexicon.SafeCore|lexicon.Clinical) != 0
	}
	return sc.vocab.Lookup(sc.lower(i)+sc.lower(e))&lexicon.Clinical != 0
}

// stateAlone: tokens i..e are one US state named in full, which names no
// place smaller than a state ("called from Oregon", "FLYING IN FROM
// ARIZONA"); a state that is also a common first name only right after "in"
// ("lives in florida"; not "message from Georgia").
func (sc *scan) stateAlone(i, e int) bool {
	if sc.twoWordState(i, e) {
		return !(sc.punct(i-1, ',') && sc.capWord(i-2))
	}
	if e != i || sc.toks[i].flags&lexicon.State == 0 || !oneWordStates[sc.lower(i)] && !(nameStates[sc.lower(i)] && sc.is(i-1, "in")) {
		return false // (the first words of two-word states carry the flag too: "North", "New")
	}
	if sc.punct(i-1, ',') && sc.capWord(i-2) {
		return false // "Dallas, Texas": the state of a town's address
	}
	return true
}

// placeNameNext: token k, on the same line, is a word that may go on a
// place's name: a name, a town, an organisation's or a place's word, or a
// candidate.
func (sc *scan) placeNameNext(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind != kWord {
		return false
	}
	return sc.toks[k].flags&(lexicon.Name|lexicon.City|lexicon.CityFull|lexicon.OrgWord|lexicon.PlaceWord) != 0 || sc.candidate(k)
}

// twoWordState: tokens i..e are a US state named in two words ("FROM NORTH
// DAKOTA", dev99), less New York, a city too.
func (sc *scan) twoWordState(i, e int) bool {
	if e != i+1 || i < 0 || e >= len(sc.toks) || sc.toks[e].nl || sc.toks[i].kind != kWord || sc.toks[e].kind != kWord {
		return false
	}
	switch sc.lower(i) {
	case "north", "south":
		return sc.is(e, "dakota") || sc.is(e, "carolina")
	case "new":
		return sc.is(e, "jersey") || sc.is(e, "mexico") || sc.is(e, "hampshire")
	case "west":
		return sc.is(e, "virginia")
	case "rhode":
		return sc.is(e, "island")
	}
	return false
}

// nameStates are the one-word states that are also given names: a state
// only right after "in" ("son lives in florida"; "message from Georgia" is
// a person).
var nameStates = map[string]bool{
	"georgia": true, "virginia": true, "montana": true, "indiana": true, "florida": true, "nevada": true,
}

// oneWordStates are the US states named in one word, less those that are
// also common first names (nameStates; Carolina and Dakota name no state
// alone).
var oneWordStates = map[string]bool{
	"alabama": true, "alaska": true, "arizona": true, "arkansas": true, "california": true, "colorado": true,
	"connecticut": true, "delaware": true, "hawaii": true, "idaho": true, "illinois": true, "iowa": true,
	"kansas": true, "kentucky": true, "louisiana": true, "maine": true, "maryland": true, "massachusetts": true,
	"michigan": true, "minnesota": true, "mississippi": true, "missouri": true, "nebraska": true, "ohio": true,
	"oklahoma": true, "oregon": true, "pennsylvania": true, "tennessee": true, "texas": true, "utah": true,
	"vermont": true, "wisconsin": true, "wyoming": true,
}

// laterality: token i is "R" or "L" standing for a side (not an initial,
// which has its full stop, unless a side after "to" ends the sentence: "L
// to R."), or "B" (bilateral) before a lower-case word ("to B hands").
func (sc *scan) laterality(i int) bool {
	t := &sc.toks[i]
	if t.kind != kWord || t.e-t.s != 1 {
		return false
	}
	if sc.punct(i+1, '.') {
		// an initial, unless a side after "to" ends the sentence ("small
		// PDA, L to R.", "gaze preference to R.")
		p := sc.prevWord(i)
		return (sc.text[t.s] == 'R' || sc.text[t.s] == 'L') && p == i-1 && sc.is(p, "to") &&
			(sc.is(p-1, "l") || sc.is(p-1, "r") || sc.is(p-1, "preference") || sc.is(p-1, "deviation") || sc.is(p-1, "deviated"))
	}
	switch sc.text[t.s] {
	case 'R', 'L':
		return true
	case 'B': // bilateral, before a lower-case word: "soaks to B hands"
		n := i + 1
		return n < len(sc.toks) && sc.toks[n].kind == kWord && !sc.toks[n].nl && sc.toks[n].sp && !sc.toks[n].cap && !sc.toks[n].upper
	}
	return false
}

// scanContext finds organisations and places by what the sentence says about
// them, and names at the start of a sentence before a reporting verb.
func (sc *scan) scanContext() {
	toks := sc.toks
	next := 1
	for _, i := range sc.capTokens() {
		if i < next {
			continue
		}
		if sc.claim[i] {
			continue
		}
		c := sc.orgCue(i)
		if c == 0 || sc.laterality(i) || sc.credAt(i) {
			continue // "via R IJ", "crackles at R base": a side, not a place; "called to RN Arvilla": a person
		}
		if sc.is(i-1, "via") && (toks[i].flags&lexicon.Clinical != 0 && toks[i].flags&(lexicon.Name|lexicon.City|lexicon.CityFull) == 0 || viaDevices[sc.lower(i)]) {
			continue // a line or device, even one named after a person: "via PICC R", "OOB to chair via Hoyer"
		}
		if sc.cDiff(i) {
			continue // "negative for C. diff": the organism (every development batch)
		}
		if toks[i].e-toks[i].s == 1 && !strings.ContainsRune("NSEWnsew", rune(sc.text[toks[i].s])) && sc.punct(i+1, '.') && sc.capWord(i+2) && !toks[i+2].nl && !sc.claim[i+2] {
			// an initial and a surname: a person ("referred to J. Smith";
			// not a point of the compass: "to N. Carolina", "W. Wing"; not
			// a side before an everyday word that is no name: "hearing aid
			// in R. Slept poorly" (dev54))
			if c := sc.text[toks[i].s]; (c == 'R' || c == 'L') && toks[i+2].flags&lexicon.SafeCore != 0 && toks[i+2].flags&lexicon.Name == 0 {
				continue
			}
			if e := sc.nameRun(i+2, true); e >= 0 {
				sc.markName(i, e, "rules/context")
				next = e + 1
			}
			continue
		}
		e := sc.caps(i)
		if e < 0 || sc.everydayCompound(i, e) || sc.stateAlone(i, e) {
			continue
		}
		for e > i && sc.plainWord(e) && toks[e].kind == kWord && !sc.in(e, setOrg) && toks[e].flags&(lexicon.OrgWord|lexicon.PlaceWord) == 0 {
			e-- // "Urgent Care Monday"
		}
		if e == i && sc.is(i, "new") && i+1 < len(toks) && toks[i+1].flags&lexicon.Clinical != 0 && !sc.placeNameNext(i+1) {
			continue // "GIVEN VIA NEW PIV": "New" before a clinical word is no place (dev102, dev103); not "AT NEW PILGRIM REST …" (dev10)
		}
		all := true // of plain words, organisation words and clinical ones ("via Dobhoff")
		for k := i; k <= e; k++ {
			if k > i && sc.is(k, "s") && sc.punct(k-1, '\'') && sc.joined(k) {
				continue // the "s" of a possessive: "AT THE NURSE'S REQUEST" (dev66)
			}
			if toks[k].kind == kWord && !sc.plainWord(k) && !sc.in(k, setOrg) &&
				!(toks[k].flags&lexicon.Clinical != 0 && toks[k].flags&(lexicon.Name|lexicon.City|lexicon.CityFull) == 0) {
				all = false
			}
		}
		if all || toks[i].upper && sc.lineUpper(i) || sc.unitAfter(e) || sc.eponym(e+1) || sc.fundalHeight(i) {
			continue // (fundalHeight: "Fundus firm at U-1", dev106)
		}
		if e == i && sc.namesake(i) {
			continue // "referred by employer EAP", "letter to EAP", "per IDT" (rules_recall.go, dev133, dev136)
		}
		if e == i && rankTitles[sc.lower(i)] && sc.punct(i+1, '.') && e+2 < len(toks) && sc.capWord(e+2) {
			continue // "referred to Sgt. Obermiller": a rank before a name (dev82)
		}
		if sc.is(i-1, "via") && e+1 < len(toks) && !toks[e+1].nl && sc.laterality(e+1) {
			continue // "LEVO STARTED VIA NEW R FEM CVC": a line on a side (dev70)
		}
		{
			typ := TypeLocation
			// "spoke to Maria", "with Jose": a person, not a place
			// ("to Carroll 7", a word and a number, is a ward; a curated
			// name may be a town, "from Hanover", as that list holds places too)
			if c == 1 && toks[i].flags&(lexicon.Name|lexicon.CuratedName) == lexicon.Name && toks[i].flags&(lexicon.Common|lexicon.City) == 0 && e-i <= 1 &&
				toks[e].kind == kWord && !sc.in(e, setOrg) && toks[e].flags&(lexicon.OrgWord|lexicon.PlaceWord) == 0 {
				typ = TypeName
			}
			if e == i && toks[i].flags&lexicon.Name != 0 && e+1 < len(toks) && !toks[e+1].nl && sc.credAt(e+1) && toks[e+1].flags&lexicon.State == 0 {
				// "report given to garcia rn": a nurse, whatever the name list
				// says of a town; not before a state's code ("from Frederick MD",
				// "to Warren PA": review22)
				typ = TypeName
			}
			if typ == TypeName {
				sc.markName(i, e, "rules/context")
			} else {
				sc.addToks(i, e, typ, "rules/context")
			}
			next = e + 1
			continue
		}
	}
}

// viaDevices are lifts, lines and tubes named after people or brands that a name
// list holds: after "via" the device, not a place ("via Hoyer", "via Swan").
var viaDevices = map[string]bool{
	"hoyer": true, "swan": true, "foley": true, "stedy": true, "sara": true, "molift": true, "arjo": true,
	"bivona": true, "shiley": true, "portex": true, // tracheostomy tubes: "via Bivona 7"
}

// orgCue: 2 after a strong cue ("works at", "Employer:", "attends"), 1 after
// a preposition that often introduces a place, 0 otherwise.
func (sc *scan) orgCue(i int) int {
	toks := sc.toks
	p := i - 1
	if toks[p].kind == kWord {
		if w := sc.lower(p); w == "the" || w == "a" {
			p--
		}
	}
	if p < 0 || toks[p].kind == kWord && toks[p].e-toks[p].s > 11 || toks[p].kind == kNum || toks[p].kind == kAlnum {
		return 0
	}
	if !sc.xin(p, xOrgPrep) && !sc.punct(p, ':') && !sc.punct(p, ',') {
		return 0 // (the cases below)
	}
	if (sc.punct(p, ':') || sc.punct(p, ',')) && p > 0 {
		q := p - 1
		if orgGate.may(sc.lower(q)) && orgLabels[sc.lower(q)] || sc.is(q, "lab") && sc.is(q-1, "performing") || sc.is(q, "to") && (sc.is(q-1, "discharge") || sc.is(q-1, "discharged")) {
			return 2
		}
		return 0
	}
	w := sc.lower(p)
	if sc.toks[p].kind != kWord || sc.toks[p].nl && sc.toks[i].nl {
		return 0
	}
	switch w {
	case "attends", "attended", "attend", "joined", "visits": // the organisation is the object
		return 2
	case "in":
		// "in Fishtown", "in Accra": only a word no list knows (not a name,
		// not common English, no keyword) that is not a service or a drug
		if t := &toks[i]; t.flags == 0 && t.kw == 0 && !t.upper && !(sc.capWord(i+1) && !toks[i+1].nl) && sc.toks[p].kind == kWord {
			return 1
		}
		return 0
	case "at", "from", "to", "near", "via", "through", "into", "outside", "for", "on":
	default:
		return 0
	}
	q := p - 1
	if q >= 0 && sc.toks[q].kind == kWord {
		v := sc.lower(q)
		if orgGate.may(v) && changeVerbs[v] && w != "at" || sc.in(q, setMonth|setDay) {
			return 0
		}
		if orgGate.may(v) && orgVerbs[v] || q > 0 && orgGate.may(sc.lower(q-1)) && orgVerbs[sc.lower(q-1)] && sc.toks[q-1].kind == kWord { // "works nights at"
			return 2
		}
	}
	if w == "for" || w == "on" {
		return 0 // "for Cardiology", "on Lasix": only after a verb of work
	}
	// after "to" only a name-like run: not "to Tylenol 650 mg"
	return 1
}

// personVerbs are the reportVerbs that only a person does, for a name in
// the middle of a sentence.
var personVerbs = map[string]bool{
	"reports": true, "reported": true, "states": true, "stated": true, "says": true, "said": true,
	"denies": true, "denied": true, "endorses": true, "complains": true, "called": true, "asked": true,
	"asks": true, "told": true, "agrees": true, "agreed": true, "declined": true, "declines": true,
	"refused": true, "refuses": true, "wants": true, "feels": true, "understands": true, "drove": true,
	"brought": true, "visited": true, "explains": true, "describes": true, "requests": true,
	"requested": true,
}

// drugAction follows "X was" when X is a drug ("Eliquis was held"), not a person.
var drugAction = map[string]bool{
	"held": true, "increased": true, "decreased": true, "started": true, "stopped": true,
	"discontinued": true, "given": true, "restarted": true, "titrated": true, "changed": true,
	"switched": true, "continued": true, "resumed": true, "added": true, "administered": true,
	"ordered": true, "tapered": true, "weaned": true, "prescribed": true, "dosed": true,
	"reduced": true, "initiated": true, "caused": true, "used": true, "infused": true,
	"effective": true, "ineffective": true, "tolerated": true, "not": true, "also": true,
}

// scanSentenceNames marks a capitalised word that starts a sentence and is
// followed by a reporting verb ("Tobias states", "Lena (pt's wife) says") when
// the word is not common English.
func (sc *scan) scanSentenceNames() {
	toks := sc.toks
	next := 0
	for _, i := range sc.capTokens() {
		if i < next {
			continue
		}
		t := &toks[i]
		if b2u(sc.claim[i])|b2u(t.upper)|b2u(t.e-t.s < 2)|b2u(t.flags&(lexicon.Common|lexicon.State) != 0) != 0 || questionWord(sc.lower(i)) {
			continue
		}
		// mid-sentence only a word no list knows before a verb only a person
		// does ("and Kwame reports"); at the start "Oyelaran was admitted" but
		// not "Eliquis was held"
		mid := !sc.sentenceStart(i) && !(sc.punct(i-1, '(') || sc.punct(i-1, '['))
		if mid && (t.flags != 0 || t.kw != 0) || sc.plainWord(i) || sc.stopWord(i) {
			continue
		}
		// an everyday or clinical word that no name list holds ("Orthopnea,
		// slept", "Previously did")
		if t.flags&(lexicon.Clinical|lexicon.SafeCore) != 0 && t.flags&lexicon.Name == 0 {
			continue
		}
		if sc.inSet(i, roleSet) || sc.inSet(i, clergySet) {
			continue // a role alone ("Pastor visited.": dev80)
		}
		e := i
		if sc.capWord(i+1) && !toks[i+1].nl && !sc.plainWord(i+1) && toks[i+1].flags&lexicon.Common == 0 {
			e = i + 1 // "Greta Lund states"
		} else if sc.punct(i+1, ',') && sc.capWord(i+2) && !toks[i+2].nl && !sc.plainWord(i+2) && toks[i+2].flags&lexicon.Common == 0 {
			e = i + 2 // "Ahmadi, Farid is a 67M"
		}
		k := e + 1
		if sc.punct(k, '(') { // "Lena (pt's wife) says"
			for k < len(toks) && k < e+10 && !sc.punct(k, ')') {
				k++
			}
			k++
		}
		if sc.punct(k, ',') {
			k++
		}
		if k < len(toks) && toks[k].kind == kWord && !toks[k].cap && !toks[k].nl && reportGate.may(sc.lower(k)) && reportVerbs[sc.lower(k)] && !sc.is(k+1, "by") && // "Foley declined by pt" (dev92)
			(personVerbs[sc.lower(k)] || !mid && t.flags&lexicon.Clinical == 0 && (t.flags&lexicon.Name != 0 || !drugAction[sc.lower(min(k+1, len(toks)-1))])) {
			// (a clinical word only before a verb only a person does: "Foley
			// remains", "Nimodipine continues" are no names)
			sc.markName(i, e, "rules/sentence")
			next = e + 1
		}
	}
}

// scanNameAges marks an age over 89 right after a name: "Giuseppe Marchetti,
// 92, presents", "Mrs. Papadopoulos (99)", "Vandermolen, Tjitske, 98 F".
func (sc *scan) scanNameAges() {
	sc.capTokens() // index collects the candidates (numbers 90 to 129)
	for _, i := range sc.ageIdx {
		if sc.nameAge(i) || sc.statedAge(i) {
			sc.addToks(i, i, TypeAge, "rules/age")
		}
	}
}

// nameAge: number token i (index) is an age over 89 right after a name
// ("Giuseppe Marchetti, 92,", "Mrs. Papadopoulos (99)").
func (sc *scan) nameAge(i int) bool {
	toks := sc.toks
	if i < 2 || i+1 >= len(toks) || !(sc.punct(i-1, ',') && (sc.punct(i+1, ',') || sc.sexAfter(i+1)) || sc.punct(i-1, '(') && sc.punct(i+1, ')')) {
		return false
	}
	v := sc.numVal(i)
	return v >= 90 && v < 130 && sc.claim[i-2] && toks[i-2].kind == kWord
}

// sexAfter: token k is a sex written after an age ("Vandermolen, Tjitske,
// 98 F.", "Ruiz, Ana, 93 female"), on the same line.
func (sc *scan) sexAfter(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind != kWord {
		return false
	}
	switch sc.lower(k) {
	case "f", "m", "female", "male", "woman", "man", "yo", "y/o":
		return true
	}
	return false
}

// holidays of more than one word; every one is a date element.
var holidays = [][]string{
	{"new", "year's", "eve"}, {"new", "year's", "day"}, {"new", "years", "eve"}, {"christmas", "eve"},
	{"valentine's", "day"}, {"memorial", "day"}, {"labor", "day"}, {"independence", "day"},
	{"fourth", "of", "july"}, {"mother's", "day"}, {"father's", "day"}, {"veterans", "day"},
	{"martin", "luther", "king", "day"}, {"mlk", "day"}, {"presidents", "day"}, {"good", "friday"}, {"yom", "kippur"},
	{"rosh", "hashanah"}, {"lunar", "new", "year"}, {"chinese", "new", "year"},
	// (rules_dev6.go) after the longer ones that start with the same words
	{"new", "year's"}, {"new", "years"}, {"valentines", "day"}, {"mothers", "day"}, {"fathers", "day"},
	// feasts that date an event (rules_dev11.go; their first words are rare
	// words: "Ash Wednesday", "All Saints Day" are found by scanDev11)
	{"mardi", "gras"}, {"christmas", "day"}, {"easter", "sunday"}, {"boxing", "day"}, {"cinco", "de", "mayo"},
}

// wordsAt reports whether the words of ws (with "'s" split off as the
// tokenizer splits it) start at token i, and returns the last token.
func (sc *scan) wordsAt(i int, ws []string) int {
	k := i
	for n, w := range ws {
		if n > 0 {
			k++
		}
		base, poss := w, false
		if len(w) > 2 && w[len(w)-2:] == "'s" {
			base, poss = w[:len(w)-2], true
		}
		if !sc.is(k, base) {
			return -1
		}
		if poss {
			if !sc.punct(k+1, '\'') || !sc.is(k+2, "s") {
				return -1
			}
			k += 2
		}
	}
	return k
}

// scanExtras finds what the other passes leave: multi-word holidays, highways
// ("I-94", "Route 9"), names and places followed by their head word from
// compromise's lists ("Stanley Park", "Jewish Family Service"), and later
// mentions of organisations and places already found.
func (sc *scan) scanExtras() {
	toks := sc.toks
	next := 0
	for _, i := range sc.capTokens() {
		if i < next {
			continue
		}
		if toks[i].kind != kWord || !toks[i].cap {
			continue
		}
		if toks[i].kw&setHoliday != 0 {
			for _, h := range holidays {
				if e := sc.wordsAt(i, h); e > i {
					sc.addToks(i, e, TypeDate, "rules/date")
					next = e + 1
					break
				}
			}
			if next > i {
				continue
			}
		}
		if sc.claim[i] || i+1 >= len(toks) || toks[i+1].nl {
			continue
		}
		// "I-94", "Route 9", "Hwy 61", "Interstate 5"
		if (toks[i+1].kind == kNum || sc.punct(i+1, '-')) && ((sc.is(i, "i") && i+2 < len(toks) && !iodine(sc.numVal(i+2)) || sc.is(i, "us") || sc.is(i, "sr")) && sc.punct(i+1, '-') && sc.joined(i+1) && sc.joined(i+2) && sc.numLen(i+2) > 0 ||
			(sc.is(i, "route") || sc.is(i, "highway") || sc.is(i, "hwy") || sc.is(i, "interstate")) && sc.numLen(i+1) > 0 && !sc.unitAfter(i+1)) {
			e := i + 1
			if sc.punct(i+1, '-') {
				e = i + 2
			}
			sc.addToks(i, e, TypeLocation, "rules/street")
			next = e + 1
			continue
		}
		if e := sc.headedPlace(i); e > i {
			sc.addToks(i, e, TypeLocation, "rules/org")
			next = e + 1
		}
	}
}

// headedPlace returns the end of "Stanley Park", "Jewish Family Service",
// "Shaker Heights" starting at i: one to three capitalised words that are
// not all plain, ending in a word from compromise's organisation or place
// lists; -1 if none. The first word must be uncommon or not start a sentence.
func (sc *scan) headedPlace(i int) int {
	toks := sc.toks
	if !sc.capWord(i+1) || toks[i+1].nl {
		return -1
	}
	if sc.plainWord(i) || sc.stopWord(i) && !sc.in(i, setStreet|setOrg) || toks[i].upper && sc.lineUpper(i) ||
		toks[i].flags&lexicon.Common != 0 && sc.sentenceStart(i) {
		return -1
	}
	proper := false // a word before the head that is not common English ("Advance Care" is not a place)
	for k := i; k < len(toks) && k <= i+3 && !toks[k].nl; k++ {
		if !sc.capWord(k) || sc.claim[k] {
			return -1
		}
		if k > i && toks[k].flags&(lexicon.OrgWord|lexicon.PlaceWord) != 0 && !sc.in(k, setGeneric) {
			if sc.unitAfter(k) || sc.eponym(k+1) || !proper || sc.modeST(k-1, k) || sc.allGeneric(i, k) {
				return -1
			}
			return k
		}
		if sc.plainWord(k) && !sc.in(k, setOrg|setGeneric) {
			return -1
		}
		proper = proper || toks[k].flags&lexicon.Common == 0 && !sc.in(k, setOrg|setGeneric|setStreet)
	}
	return -1
}

// scanPlaceMentions marks every other mention of a multi-word place or
// organisation found in the note ("Birchwood Manor … return to Birchwood
// Manor"), and of a one-word one that is not a common word.
func (sc *scan) scanPlaceMentions() {
	// the distinct places found, at most maxPlaces of them, so a note made
	// of one place repeated, or of thousands, stays linear
	found := sc.places[:0]
	for _, b := range sc.out {
		if b.t != TypeLocation || b.e-b.s < 4 || sc.text[b.s] < 'A' || sc.text[b.s] > 'Z' {
			continue
		}
		if f := sc.low[b.s:b.e]; len(found) < maxPlaces && !slices.Contains(found, f) {
			found = append(found, f)
		}
	}
	sc.places = found
	if len(found) == 0 {
		return
	}
	var first [256]bool // the places' first bytes
	for _, f := range found {
		first[f[0]] = true
	}
	toks := sc.toks
	next := 0
	for _, i := range sc.capTokens() {
		if i < next {
			continue
		}
		if sc.claim[i] || !sc.capWord(i) || !toks[i].sp && i > 0 || !first[sc.low[toks[i].s]] {
			continue
		}
		for _, f := range found {
			if sc.low[toks[i].s] != f[0] {
				continue
			}
			end := toks[i].s + len(f)
			if end > len(sc.low) || sc.low[toks[i].s:end] != f {
				continue
			}
			e := i
			for e+1 < len(toks) && toks[e+1].e <= end {
				e++
			}
			if toks[e].e != end || e == i && toks[i].flags&lexicon.Common != 0 {
				continue
			}
			if e+1 < len(toks) && sc.joined(e+1) && toks[e+1].kind != kPunct {
				continue
			}
			sc.addToks(i, e, TypeLocation, "rules/mention")
			next = e + 1
			break
		}
	}
}

// possessed nouns after "X's" that make X a person or a business:
// "Kroger's pharmacy", "O'Malley's bar" (a place), "Delia's house" (a person).
var possessed = map[string]Type{
	"pharmacy": TypeLocation, "store": TypeLocation, "shop": TypeLocation, "restaurant": TypeLocation,
	"bar": TypeLocation, "pub": TypeLocation, "diner": TypeLocation, "market": TypeLocation,
	"garage": TypeLocation, "factory": TypeLocation, "farm": TypeLocation, "plant": TypeLocation,
	"warehouse": TypeLocation, "salon": TypeLocation, "gym": TypeLocation, "cafe": TypeLocation,
	"house": TypeName, "home": TypeName, "apartment": TypeName, "place": TypeName, "office": TypeName,
	"wife": TypeName, "husband": TypeName, "daughter": TypeName, "son": TypeName, "mother": TypeName,
	"father": TypeName, "sister": TypeName, "brother": TypeName, "partner": TypeName, "kids": TypeName,
	"children": TypeName, "car": TypeName, "funeral": TypeName, "wedding": TypeName, "room": TypeName,
}

// peopleVerbs before "with" / "to" / "per" make an unknown capitalised word
// after them a person: "lives with Jae-won", "spoke to Nour".
var peopleVerbs = map[string]bool{
	"spoke": true, "speaking": true, "talked": true, "talking": true, "met": true, "meeting": true,
	"discussed": true, "lives": true, "living": true, "lived": true, "stays": true, "staying": true,
	"resides": true, "visited": true, "called": true, "texted": true, "emailed": true,
	"married": true, "engaged": true, "dating": true, "consulted": true, "conferred": true,
	"argued": true, "fight": true, "fought": true, "left": true, "came": true, "arrived": true,
}

// methodAfterPer: the run i..e after "per" is a letter of a ratio ("P/F"),
// a word of the clinical list, or the name of a protocol, formula or scale
// ("ARDSnet protocol", "Parkland formula").
func (sc *scan) methodAfterPer(i, e int) bool {
	t := &sc.toks[i]
	if i == e && (t.e-t.s == 1 || t.flags&lexicon.Clinical != 0 || sc.punct(e+1, '/') && sc.joined(e+1)) {
		return true
	}
	switch sc.lower(min(e+1, len(sc.toks)-1)) {
	case "protocol", "protocols", "criteria", "formula", "scale", "score", "guidelines", "algorithm", "pathway", "rules", "rule":
		return e+1 < len(sc.toks) && !sc.toks[e+1].nl && !sc.is(e+2, "out") // not "per Okafor rule out MI" (review)
	}
	return false
}

// scanPeople finds what sits in a person's position without a cue the other
// passes know: "Rosa Delgado (daughter)", "Sunil Varma, husband", "spoke with
// Nour", "per Tiffani", "Kroger's pharmacy", "Delia's house".
func (sc *scan) scanPeople() {
	toks := sc.toks
	next := 0
	for _, i := range sc.capTokens() {
		if i < next {
			continue
		}
		if sc.claim[i] {
			continue
		}
		// cheap gate: what follows the capitalised run, or the word before it,
		// must be one of the cues below
		e0 := i
		for e0+2 < len(toks) && e0-i < 8 && (sc.capWord(e0+1) || sc.punct(e0+1, '-') && toks[e0+2].kind == kWord) && !toks[e0+1].nl {
			e0++
		}
		p := i - 1
		prev := toks[i].flags&(lexicon.Common|lexicon.SafeCore) == 0 && p > 0 && sc.xin(p, xPerWithTo) // "per", "with", "to"
		if !prev && !(e0+1 < len(toks) && toks[e0+1].kind == kPunct && personMark(toks[e0+1].aux)) {
			continue
		}
		if sc.plainWord(i) || sc.stopWord(i) || toks[i].upper && sc.lineUpper(i) {
			continue
		}
		if toks[i].e-toks[i].s == 1 && p > 0 && sc.punct(p, '&') && sc.joined(p) && sc.joined(i) {
			continue // "Mom still on L&D, dad at bedside": a letter of an abbreviation (dev51)
		}
		if f := toks[i].flags; f&(lexicon.Clinical|lexicon.SafeCore) != 0 && f&lexicon.Name == 0 && sc.sentenceStart(i) {
			continue // "yelling for his dog. Reoriented, daughter on phone": the sentence's own word
		}
		e := sc.personRun(i)
		// "Rosa Delgado (daughter)", "Sunil Varma, husband"
		k := e + 1
		if sc.punct(k, '(') || sc.punct(k, ',') || sc.punct(k, '-') {
			k++
		}
		if k > e+1 && k < len(toks) && !toks[k].nl && toks[k].kind == kWord && !toks[k].cap && sc.in(k, setCue1) && !sc.is(k, "by") {
			if e == i && toks[i].flags&lexicon.State != 0 && sc.placeCue(i) > 0 {
				continue // "visiting from Oregon, wife here": a state, no person (dev237)
			}
			sc.markName(i, e, "rules/relation")
			next = e + 1
			continue
		}
		// "Kroger's pharmacy", "Delia's house"
		if sc.punct(e+1, '\'') && !toks[e+1].sp && sc.is(e+2, "s") && e+3 < len(toks) && !toks[e+3].cap {
			if typ, ok := possessed[sc.lower(e+3)]; ok && !(typ == TypeName && toks[i].flags&lexicon.Common != 0 && e == i) {
				if typ == TypeName {
					sc.markName(i, e, "rules/possessive")
				} else {
					sc.addToks(i, e, typ, "rules/possessive")
				}
				next = e + 1
				continue
			}
		}
		// "spoke with Nour", "lives with Jae-won", "per Tiffani"; not a
		// method or a ratio ("per ARDSnet protocol", "per P/F 148"), nor a
		// namesake ("per IDT": rules_recall.go)
		if prev && (sc.is(p, "per") || peopleVerbs[sc.lower(p-1)]) && !sc.methodAfterPer(i, e) && !(e == i && sc.namesake(i)) {
			sc.markName(i, e, "rules/people")
			next = e + 1
		}
	}
}

// personMark: the punctuation after a name that scanPeople reads on:
// "(", ",", "-", "'".
func personMark(c byte) bool { return c == '(' || c == ',' || c == '-' || c == '\'' }

// roles before "is"/"was" and a name: "her outreach worker is Joaquín".
var roles = map[string]bool{
	"worker": true, "nurse": true, "doctor": true, "physician": true, "caseworker": true,
	"therapist": true, "contact": true, "caregiver": true, "agent": true, "proxy": true,
	"guardian": true, "interpreter": true, "aide": true, "counselor": true, "counsellor": true,
	"sponsor": true, "pastor": true, "advocate": true, "manager": true, "coordinator": true,
	"navigator": true, "poa": true, "name": true, "surrogate": true, "attorney": true, "lawyer": true,
}

// scanLists finds names that a found name or a role points to: the rest of
// a list ("children Arturo, Beatriz and Consuelo"), "her worker is Joaquín",
// and "Pruitt, Delphine" after a label when both are known names.
func (sc *scan) scanLists() {
	toks := sc.toks
	next := 1
	for _, i := range sc.capTokens() {
		if i < next {
			continue
		}
		if sc.claim[i] {
			continue
		}
		ok := false
		p := i - 1
		switch {
		case sc.punct(p, ',') || sc.xin(p, xAndOr) || sc.punct(p, '&'): // ", ", "and", "or", "&"
			// the item before is a name: "Arturo, Beatriz", "Noa and Itai"
			q := p - 1
			if sc.is(p, "and") && sc.punct(q, ',') {
				q--
			}
			if sc.in(q, setCred) && sc.punct(q-1, ',') { // "D. Kapoor, RN and Lucía Fernández"
				q -= 2
			}
			ok = q >= 0 && sc.nameTok[q] && !toks[p].nl && !toks[i].nl && !toks[i].upper
		case sc.xin(p, xIsWas) && p > 0 && sc.inSet(p-1, roleSet): // "is", "was"
			ok = toks[i].flags&lexicon.Common == 0
		case sc.punct(p, ':') && sc.punct(i+1, ',') && sc.capWord(i+2) && !toks[i+2].nl && !sc.plainWord(i) && !sc.stopWord(i):
			ok = toks[i].flags&lexicon.Name != 0 && toks[i+2].flags&lexicon.Name != 0 &&
				toks[i].flags&lexicon.Common == 0 && toks[i+2].flags&lexicon.Common == 0
			if ok {
				sc.markName(i, i+2, "rules/list")
				next = i + 3
				continue
			}
		}
		if !ok || sc.plainWord(i) || sc.stopWord(i) || toks[i].upper && sc.lineUpper(i) {
			continue
		}
		e := sc.personRun(i)
		sc.markName(i, e, "rules/list")
		next = e + 1
	}
}

// capTokens returns the indices of the capitalised words of the note
// (index): the context passes look only at those.
func (sc *scan) capTokens() []int {
	if !sc.capDone {
		sc.index()
	}
	return sc.capIdx
}

// personRun returns the end of a name-like run from i: up to four
// capitalised words that are not plain or stop words, then hyphenated parts
// ("Consuelo Ibáñez", "Jae-won").
func (sc *scan) personRun(i int) int {
	toks := sc.toks
	e := i
	for e+1 < len(toks) && e-i < 3 && !toks[e+1].nl && sc.capWord(e+1) && !sc.plainWord(e+1) && !sc.stopWord(e+1) {
		e++
	}
	for e+2 < len(toks) && e-i < 4 && sc.punct(e+1, '-') && !toks[e+1].sp && !toks[e+2].sp && toks[e+2].kind == kWord {
		e += 2
	}
	return e
}

// weekdayShort: "Mon" … "Thurs" (weekdayAbbr), without a map look-up.
func weekdayShort(w string) bool {
	switch w {
	case "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun":
		return true
	}
	return false
}

// questionWord: "Why is …", "Where would …" open questions, not names.
func questionWord(w string) bool {
	switch w {
	case "why", "where", "what", "when", "who", "whom", "whose", "which", "how":
		return true
	}
	return false
}

// venueNouns are places of business or care that a note places in a town
// ("the pharmacy in cotter", "CLINIC IN WINK", "local nephrologist in
// Steamboat"): after one of them and "in", a town's name follows more often
// than a state of things ("in good condition", "in hand", "in town", which
// the word's own test in venueTown leaves).
var venueNouns = map[string]bool{
	"hospital": true, "clinic": true, "pharmacy": true, "grocery": true, "company": true, "plant": true,
	"nephrologist": true, "cardiologist": true, "oncologist": true, "er": true, "mill": true, "factory": true,
	"dealership": true, "unit": true, "center": true, "office": true, "agency": true, "program": true,
	"facility": true, "dairy": true, "farm": true, "ranch": true, "school": true, "schoolhouse": true, "church": true,
}

// venueNotTowns follow a venue and "in" as a state or a kind of place, and a
// town list holds them ("the hospital in town", "LEFT CLINIC IN GOOD
// CONDITION", "a plant in second shift").
var venueNotTowns = map[string]bool{
	"town": true, "city": true, "county": true, "good": true, "fair": true, "poor": true, "stable": true,
	"person": true, "network": true, "general": true, "private": true, "practice": true,
}

// scanVenueTowns marks a town named by an everyday word after a venue or a
// dwelling and "in" or "outside" (venueNouns, careVenue, dwellings: "her
// house in gray", "a dairy outside LOVING") or after "lives in" in any case
// ("lives in crane"): the word is one a town list holds, or one outside
// everyday English, and no word of medicine, time, kind of place, state or
// function ("clinic in GOOD condition", "pharmacy in morning", "hospital in
// town", "a hospital in Tennessee" stay).
func (sc *scan) scanVenueTowns() {
	toks := sc.toks
	for k := 1; k+1 < len(toks); k++ {
		if toks[k].xbits()&xPlacePrep == 0 {
			continue // (one bit for most tokens: "in", "outside", "from", "near", "to" are place prepositions)
		}
		if !toks[k].nl && !toks[k+1].nl {
			from := sc.is(k, "from")
			if from && sc.travelTown(k) || !from && (sc.is(k, "near") || sc.is(k, "to") && sc.is(k-1, "home")) && sc.nearTown(k) {
				sc.addToks(k+1, k+1, TypeLocation, "rules/venue-town")
				k++
				continue
			}
		}
		if !sc.is(k, "in") && !sc.is(k, "outside") || toks[k].nl || toks[k+1].nl || toks[k-1].kind != kWord {
			continue
		}
		venue := sc.inSet(k-1, venueNounSet) || sc.careVenue(k-1)
		if !venue && !sc.inSet(k-1, dwellingSet) && !sc.residesBefore(k) {
			continue
		}
		i := k + 1
		if !sc.venueTown(i) || !venue && !sc.residentTown(i) {
			continue
		}
		e := max(sc.city(i), i)
		if e == i {
			for e-i < 2 && sc.townTail(e+1, i) {
				e++ // "LIVES IN OAK LAWN" where the list lacks the whole town
			}
		}
		sc.addToks(i, e, TypeLocation, "rules/venue-town")
		k = e
	}
}

// travelTown: in a note in one case, the word after "from" (token k) is a
// town of the gazetteer named by an everyday word, where a person travels
// or calls from it ("daughter called from monument @ 2130", "BROTHER DROVE
// DOWN FROM BATTLEGROUND TODAY", "pt arrived from pray via ground als"):
// a word of contact or travel, or a relation, before "from", and the
// town's word closed off after it ("called from home", "friend from
// church", "from camp" stay: whereNotTowns).
func (sc *scan) travelTown(k int) bool {
	i := k + 1
	t := &sc.toks[i]
	if sc.caseAt(i) == caseMixed || t.flags&lexicon.City == 0 || t.kw&setRelation != 0 || !sc.venueTown(i) || whereNotTowns[sc.lower(i)] || sc.inSet(i, dwellingSet) {
		return false
	}
	p := k - 1
	if !sc.toks[k].nl && (sc.is(p, "in") || sc.is(p, "up") || sc.is(p, "down") || sc.is(p, "over") || sc.is(p, "back")) {
		p-- // "drove in from", "came down from"
	}
	if p < 0 || sc.toks[p+1].nl || sc.toks[p].kind != kWord || !travelWords[sc.lower(p)] && sc.toks[p].kw&setRelation == 0 {
		return false
	}
	return sc.townClosed(i)
}

// nearTown: in a note in one case, the word after "near" or "home to"
// (token k) is a town of the gazetteer named by an everyday word, closed
// off after it ("a farmer near climax, worried", "BIBA FROM HWY 8 NEAR
// STORY AFTER ATV ROLLOVER", "going home to hurricane."); "near baseline",
// "near the lake", "near home", "home to rest" stay.
func (sc *scan) nearTown(k int) bool {
	i := k + 1
	if i >= len(sc.toks) {
		return false
	}
	t := &sc.toks[i]
	if sc.caseAt(i) == caseMixed || t.flags&lexicon.City == 0 || t.kw&setRelation != 0 || !sc.venueTown(i) || whereNotTowns[sc.lower(i)] || nearNotTowns[sc.lower(i)] || nearNotWords[sc.lower(i)] || sc.inSet(i, dwellingSet) {
		return false
	}
	return sc.townClosed(i)
}

// cDiff: token i is the "C" of "C. diff" or "C. difficile", the organism.
func (sc *scan) cDiff(i int) bool {
	return sc.is(i, "c") && sc.punct(i+1, '.') && (sc.is(i+2, "diff") || sc.is(i+2, "difficile"))
}

// townClosed: nothing more of a town's name follows word token i: the
// line's end, a stop or a comma (closedAfter), "@", a dash, a colon, or
// a word of townAfterWords ("from pray via ground", "near story after").
func (sc *scan) townClosed(i int) bool {
	n := i + 1
	return sc.closedAfter(i) || n < len(sc.toks) && !sc.toks[n].nl && (sc.punct(n, '@') || sc.punct(n, '-') || sc.punct(n, ':') || townAfterWords[sc.lower(n)])
}

// nearNotWords follow "near" as what is close by or almost so, or "home
// to" as what one does there, not a town ("tender near drain", "two near
// falls", "lives near water", "near normal", "home to check on").
var nearNotWords = map[string]bool{
	"drain": true, "falls": true, "fall": true, "water": true, "normal": true, "miss": true, "misses": true,
	"total": true, "complete": true, "fatal": true, "baseline": true, "goal": true, "term": true, "site": true,
	"window": true, "door": true, "stairs": true, "sink": true, "ocean": true, "sea": true, "coast": true,
	"family": true, "friends": true, "here": true,
	// what one goes home to do ("will go home to check on 3 yo": dev217)
	"check": true, "rest": true, "sleep": true, "shower": true, "pack": true, "feed": true, "help": true,
	"change": true, "care": true, "visit": true, "see": true, "get": true, "pick": true, "grab": true,
	"bring": true, "take": true, "die": true,
	// death, pets and works (review: "near death", "home to cat", "found
	// near fort"; relations, and a mine, a mill, a harbour or a valley, are
	// left by nearTown's other tests: setRelation, whereNotTowns)
	"death": true, "cat": true, "dog": true, "pets": true, "fort": true, "summit": true,
}

// travelWords are the words of a person's coming or calling before "from"
// (travelTown).
var travelWords = map[string]bool{
	"called": true, "calling": true, "calls": true, "call": true, "phoned": true, "visiting": true, "visitor": true,
	"drove": true, "driving": true, "drive": true, "drives": true, "came": true, "comes": true, "coming": true,
	"arrived": true, "arrives": true, "arriving": true, "flew": true, "flying": true, "flown": true,
	"transferred": true, "transfer": true, "transported": true, "family": true, "here": true, "traveled": true,
	"travelled": true, "traveling": true, "travelling": true,
}

// townAfterWords may follow a town's name after "from", "near" or "home
// to" (townClosed): a time, a way of coming, the rest of a sentence.
var townAfterWords = map[string]bool{
	"today": true, "tonight": true, "tomorrow": true, "yesterday": true, "this": true, "via": true, "by": true,
	"and": true, "to": true, "for": true, "on": true, "in": true, "area": true, "er": true, "ed": true,
	"asking": true, "requesting": true, "re": true, "about": true, "after": true, "with": true, "w": true,
}

// whereNotTowns are words a gazetteer holds that say where without naming a
// town ("called from home", "friend from church", "drove in from camp").
var whereNotTowns = map[string]bool{
	"home": true, "church": true, "camp": true, "work": true, "school": true, "the": true, "prior": true,
	"peak": true, "medical": true, "long": true, "lead": true, "old": true, "hydro": true, "fishing": true,
	"echo": true, "couch": true, "table": true, "plant": true, "jail": true, "prison": true, "office": true,
	"base": true, "lake": true, "river": true, "beach": true, "town": true, "city": true, "country": true,
	"abroad": true, "overseas": true, "there": true, "out": true, "outside": true, "local": true, "nursing": true,
	"hospice": true, "rehab": true, "hospital": true, "clinic": true, "floor": true, "unit": true, "surgery": true,
	"post": true, "bed": true, "chair": true, "car": true, "store": true, "mall": true, "airport": true,
	// where a call comes from on a ward ("TELE CALLED FROM MONITOR": review18)
	"monitor": true, "station": true, "desk": true, "phone": true, "cell": true, "lab": true, "pharmacy": true,
	"radiology": true, "nursery": true, "hall": true, "room": true, "ward": true, "bedside": true,
	// departments, works and quarters (review: "called from micro re: pt")
	"micro": true, "chapel": true, "bank": true, "bible": true, "mine": true, "mill": true, "harbor": true,
	"east": true, "west": true, "north": true, "south": true, "valley": true, "island": true,
}

// careVenue: token k is the "care" of a place of care ("urgent care in
// THERMAL", "day care in newville", "primary care in langley"), not care
// given ("wound care in am").
func (sc *scan) careVenue(k int) bool {
	return sc.is(k, "care") && (sc.is(k-1, "urgent") || sc.is(k-1, "day") || sc.is(k-1, "primary"))
}

// containsByLast is strings.Contains(s, w) for a short w whose last byte
// is rarer in a note than its first ("drug", "st."): it looks for that
// byte (IndexByte), where strings.Index stops at every "d" and "s".
func containsByLast(s, w string) bool {
	if w == "" {
		return true
	}
	last := w[len(w)-1]
	for off := 0; off < len(s); {
		k := strings.IndexByte(s[off:], last)
		if k < 0 {
			return false
		}
		e := off + k + 1 // the end of w if it ends here
		if e >= len(w) && s[e-len(w):e] == w {
			return true
		}
		off = e
	}
	return false
}

// scanDrugstores marks a drugstore named by a word and "drug" where a
// pharmacy is spoken of ("pharmacist from yellowtail drug called", "CALLED
// VERKUILEN DRUG", "pharmacy (cravey drug)"): the word is no word of
// medicine, everyday English or function ("study drug", "IV drug", "street
// drug" stay), nothing claims it, and the line speaks of a pharmacy or the
// word follows a word of contact or place.
func (sc *scan) scanDrugstores() {
	if !containsByLast(sc.low, "drug") {
		return // (most notes: no token "drug" without these four letters, and one fast search for them)
	}
	toks := sc.toks
	for k := 1; k < len(toks); k++ {
		w := k - 1
		if !sc.is(k, "drug") || toks[k].nl || sc.claim[k] || sc.claim[w] || toks[w].kind != kWord || toks[w].e-toks[w].s < 4 {
			continue
		}
		f := toks[w].flags
		if f&(lexicon.Clinical|lexicon.SafeCore) != 0 || functionWord(sc.lower(w)) || toks[w].kw != 0 {
			continue
		}
		p := sc.prevWord(w)
		if !(p >= 0 && (sc.inSet(p, contactWordSet) || sc.is(p, "from") || sc.is(p, "at")) || sc.punct(w-1, '(') || sc.pharmacyOnLine(k)) {
			continue
		}
		sc.addToks(w, k, TypeLocation, "rules/drugstore")
	}
}

// pharmacyOnLine: the line of token k speaks of a pharmacy, within 40
// tokens either side (a bound, as doseLine's, that keeps a note of one long
// line linear).
func (sc *scan) pharmacyOnLine(k int) bool {
	for m := k; m >= 0 && k-m <= 40; m-- {
		if strings.HasPrefix(sc.lower(m), "pharmac") {
			return true
		}
		if sc.toks[m].nl {
			break
		}
	}
	for m := k + 1; m < len(sc.toks) && m-k <= 40 && !sc.toks[m].nl; m++ {
		if strings.HasPrefix(sc.lower(m), "pharmac") {
			return true
		}
	}
	return false
}

// residesBefore: the words before "in" at token k say where someone lives
// ("lives in", "resides in", "grew up in", "born in").
func (sc *scan) residesBefore(k int) bool {
	switch sc.lower(k - 1) {
	case "lives", "living", "lived", "resides", "residing", "reside", "live", "born", "raised", "relocated":
		return true
	case "up":
		return sc.is(k-2, "grew")
	}
	return false
}

// townTail: token n, after the town word at token i, goes on the town's
// name: a word of three letters or more and of its case (not the "W" of
// "W/ WIFE") that a town list holds, that ends a place's name
// or that is outside everyday English, and no function word or word of
// medicine.
func (sc *scan) townTail(n, i int) bool {
	if n >= len(sc.toks) || sc.toks[n].nl || !sc.toks[n].sp || sc.toks[n].kind != kWord || sc.claim[n] ||
		sc.toks[n].e-sc.toks[n].s < 3 || sc.toks[n].upper != sc.toks[i].upper || sc.toks[n].cap != sc.toks[i].cap || functionWord(sc.lower(n)) {
		return false
	}
	f := sc.toks[n].flags
	return f&lexicon.Clinical == 0 && (f&(lexicon.City|lexicon.PlaceWord) != 0 || f&lexicon.SafeCore == 0)
}

// residentTown: token i, after "lives in", is a word a town list holds or
// one outside everyday English, and no number, kind of dwelling or first
// half of a compound ("lives in two story home", "lives in mobile home",
// "lives in dorm", "born in high-burden country").
func (sc *scan) residentTown(i int) bool {
	f := sc.toks[i].flags
	if f&lexicon.City == 0 && f&(lexicon.SafeCore|lexicon.Common) != 0 || unitWords9[sc.lower(i)] || sc.inSet(i, dwellingSet) || sc.punct(i+1, '-') && sc.joined(i+1) {
		return false
	}
	n := i + 1
	return n >= len(sc.toks) || sc.toks[n].nl || !sc.inSet(n, dwellingSet)
}

// dwellings are what someone lives in, a town list holding some of them
// ("lives in house", "lives in van", "lives in mobile home").
var dwellings = map[string]bool{
	"home": true, "homes": true, "house": true, "park": true, "apartment": true, "apt": true, "trailer": true,
	"van": true, "car": true, "camper": true, "tent": true, "shelter": true, "condo": true, "duplex": true,
	"motel": true, "hotel": true, "dorm": true, "rv": true, "cabin": true, "barn": true, "basement": true,
	"garage": true, "truck": true,
}

// venueTown: token i, after a venue and "in", can be a town's name.
func (sc *scan) venueTown(i int) bool {
	t := &sc.toks[i]
	if t.kind != kWord || sc.claim[i] || t.e-t.s < 3 || t.flags&(lexicon.Clinical|lexicon.State) != 0 ||
		t.kw&(setMonth|setDay|setMeasure|setGeneric|setOrg|setOrgHead) != 0 {
		return false
	}
	w := sc.lower(i)
	if functionWord(w) || genericPlaceWord(w) || facilityKinds[w] || whenNouns[w] || venueNotTowns[w] || spelledOrdinals[w] {
		return false
	}
	return t.flags&lexicon.City != 0 || t.flags&lexicon.SafeCore == 0
}
