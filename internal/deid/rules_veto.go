package deid

import (
	"strings"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Vetoes of another detector's spans by their shape (issue 13, fifth
// development round: precision on notes the detectors have not seen). The
// statistical tagger, trained on generated notes, types ordinary words and
// clinical numbers of real notes as PHI ("ECG: ST depression" an ID, "FHT
// 140" an ID, "DTRs 2+" a date, "DES 3.0" a place, "mild tr" a name).
// appendPlausible asks vetoShape once per span it would keep; the rules' own
// spans never come here. Each veto states a shape PHI of that type does not
// take, so what it drops is a false alarm whichever detector made it:
//
//   - an identifier, phone or date with no digit ("Foley", "fall", "MI",
//     "ECHO"), unless a word of it reads as a proper noun (a place typed a
//     date: "Urgent Care on Broadway") or, of a date, a month, weekday or
//     holiday that is not one of a schedule ("Mon/Thu", "Tue/Thu/Sat");
//   - a lone number of one to three digits that is no age over 89 ("58",
//     "300", "2+", "1:", "7"): no date, identifier, phone or place is
//     written so; a day of the month comes with its month, which the span
//     then holds;
//   - the suffix of an ordinal cut from its number ("3[rd session]");
//   - a place or name that is one number of four digits or fewer ("1015",
//     "@ 1005"), or a place that opens its line with a clock time and holds
//     no head word of a street, place or organisation ("1030 Called pt",
//     "0803 DELIVERY OF LIVE FEMALE"): a timed entry, not an address;
//   - a place whose only plausible part is a short number, its words
//     clinical or function words ("DES 3", "OF 3", "TIMI 3 flow");
//   - a name of one to three everyday words (SCOWL's core) in lower case or in
//     capitals with no cue before it (a title, relation or name cue: "son
//     will", "wife hope", "dr grant" stay) and no credential after it
//     ("LANE RN"), not a name found already, not alone on its line (a
//     signature): "mild tr", "ABD DRESSING", "WITH BURNS TO". A word
//     written with a capital ("River (they/them)") is left to the detector.

// trimOrVeto: the span s over tokens *k..*last (bytes *bs..*be) loses the
// edges trimEdges takes off (s and the four bounds updated; cpByte maps
// code points to bytes, nil when the text is ASCII), then vetoShape judges
// what is left: the trimmed span, so that the filters after it see it too
// ("in France" is "France", a country; "from OHIO" a state alone).
func (sc *scan) trimOrVeto(s *Span, k, last, bs, be *int, cpByte []int) bool {
	first, end := sc.trimEdges(*k, *last, s.Type)
	if end != *last {
		*last, *be = end, sc.toks[end].e
		s.End = toCP(cpByte, *be)
	}
	if first != *k {
		*k, *bs = first, sc.toks[first].s
		s.Start = toCP(cpByte, *bs)
	}
	return sc.vetoShape(*k, *last, *bs, s.Type)
}

// trimEdges returns tokens first..last less the edges no PHI of type typ
// holds: what follows a line break inside the span ("8/12 0600.⏎K"),
// punctuation at the end ("Sept 5,"; of a name or place only loose marks:
// looseMark), a clock time after a date ("12/26
// 2310", "1/3@2200"; not a year: "Jan 22 2024"), function words at the end
// of a name or place ("WEXLEY 4 AWARE", "williamsport when", "PERRY HALL
// HOME VIA": "home" is one, but not a funeral or nursing home's;
// "taneytown vs", "ellsworth coming"), the pronoun "I" after a name, a
// preposition, conjunction or verb at the start ("of 2021-06-14", "is
// saturday"; not "the": "THE LIVING LEGACY FOUNDATION"), what follows the
// full stop after a date's number ("Nov 29. Day 7"), and a relation before
// a name ("SISTER ELODIE MOUTON", "Contact Babs Theriot"). At least one
// token stays.
func (sc *scan) trimEdges(first, last int, typ Type) (int, int) {
	for m := first + 1; m <= last; m++ {
		if sc.toks[m].nl {
			last = m - 1
			break
		}
	}
	if typ == TypeDate {
		// a date ends with its sentence: "coiled Nov 29. Day 7"
		for m := first + 1; m < last; m++ {
			if sc.punct(m, '.') && sc.joined(m) && sc.toks[m-1].kind == kNum && !sc.joined(m+1) && sc.capWord(m+1) {
				last = m - 1
				break
			}
		}
	}
	named := typ == TypeName || typ == TypeLocation
	for last > first {
		t := &sc.toks[last]
		switch {
		case t.kind == kPunct && (typ == TypeDate || sc.looseMark(last)),
			typ == TypeDate && sc.clockAfterDate(first, last),
			named && t.kind == kWord && (functionWord(sc.lower(last)) && !sc.homeOfName(first, last) || sc.lower(last) == "via" || sc.lower(last) == "vs" || sc.participle(last) || motionVerbs[sc.lower(last)] || sc.pronounI(last)):
			last--
			continue
		}
		break
	}
	for first < last && sc.toks[first].kind == kWord {
		w, t := sc.lower(first), &sc.toks[first]
		if !leadWord(w) && !(named && (t.kw&setRelation != 0 || w == "contact")) {
			break
		}
		first++
	}
	return first, last
}

// homeOfName: token k, the last of a span from first, is the "home" of a
// funeral or nursing home's name ("FENELON FUNERAL HOME"), which the name
// keeps; a span of "NURSING HOME" alone loses it (a kind of place).
func (sc *scan) homeOfName(first, k int) bool {
	return k-1 > first && sc.is(k, "home") && (sc.is(k-1, "funeral") || sc.is(k-1, "nursing"))
}

// pronounI: token k is the pronoun "I" that opens a clause after a name
// ("told maria i would call", "TOLD MARIA I WOULD CALL"): "i" in lower
// case, or "I" with a word after it on its line. A king's or a grade's "I"
// ends its phrase ("Chiari I s/p" is the grade rule's).
func (sc *scan) pronounI(k int) bool {
	t := &sc.toks[k]
	if t.e-t.s != 1 || sc.text[t.s]|0x20 != 'i' {
		return false
	}
	return sc.text[t.s] == 'i' || k+1 < len(sc.toks) && !sc.toks[k+1].nl && sc.toks[k+1].kind == kWord && sc.toks[k+1].sp
}

// participle: token k is a past participle of everyday or clinical
// English ("PLACED", "paged", "ablated", "given"), which ends no name or
// place. (A present participle does: "DOS PALMAS MINING", "Department of
// Aging".)
func (sc *scan) participle(k int) bool {
	t := &sc.toks[k]
	if t.e-t.s <= 4 || t.kw != 0 {
		return false
	}
	w := sc.lower(k)
	if irregularParticiples[w] {
		return true // on the name and town lists too ("given")
	}
	return strings.HasSuffix(w, "ed") && t.flags&lexicon.Safe != 0 && t.flags&(lexicon.Name|lexicon.City|lexicon.PlaceWord|lexicon.OrgWord) == 0
}

// motionVerbs are present participles of coming and going, which end no
// name or place ("gi doc from ellsworth coming for scope": dev80).
var motionVerbs = map[string]bool{
	"coming": true, "going": true, "arriving": true, "driving": true, "heading": true, "flying": true,
	"traveling": true, "travelling": true, "visiting": true, "staying": true, "returning": true, "leaving": true,
	"calling": true,
}

// irregularParticiples: past participles of care verbs that do not end in
// "-ed" ("fomepizole given").
var irregularParticiples = map[string]bool{
	"given": true, "taken": true, "drawn": true, "shown": true, "sent": true, "begun": true,
	"written": true, "known": true, "undone": true, "redone": true, "withdrawn": true,
}

// leadWord: a preposition, conjunction or verb that starts no PHI ("of
// 2021-06-14", "is saturday").
func leadWord(w string) bool {
	switch w {
	case "of", "is", "was", "at", "in", "on", "to", "from", "and", "for", "with", "by", "per":
		return true
	}
	return false
}

// looseMark: token k, at the end of a name or place, is a comma, colon,
// semicolon, an opening bracket ("Dunmore (", no name ends in one), or a
// full stop after a word of four letters or more ("Sept 5,", "WEXLEY 4.";
// not "Turner St.", "Jr.", nor a closing bracket: "San Buenaventura
// (Ventura)").
func (sc *scan) looseMark(k int) bool {
	switch {
	case sc.punct(k, ',') || sc.punct(k, ':') || sc.punct(k, ';') || sc.punct(k, '(') || sc.punct(k, '['):
		return true
	case sc.punct(k, '.'):
		p := &sc.toks[k-1]
		return p.kind != kWord || p.e-p.s > 3
	}
	return false
}

// clockAfterDate: token k (after first) is a clock time of four digits
// after a date or a weekday, over a space, "@" or "~" ("12/4 ~0200",
// "thursday 1400"): not a year (1900 to 2099).
func (sc *scan) clockAfterDate(first, k int) bool {
	t := &sc.toks[k]
	if t.kind != kNum || t.ndig != 4 || k-1 <= first-1 {
		return false
	}
	v := sc.numVal(k)
	if v/100 > 23 || v%100 > 59 || v >= 1900 && v < 2100 {
		return false
	}
	p := k - 1
	if sc.punct(p, '@') || sc.punct(p, '~') {
		p--
	} else if !t.sp {
		return false
	}
	return p >= first && (sc.toks[p].kind == kNum || sc.toks[p].kw&setDay != 0)
}

// vetoShape: the span of type typ over tokens first..last (kept so far by
// plausibleTok) has a shape PHI of that type never takes (see above).
// bs is the span's first byte (it may start inside token first).
func (sc *scan) vetoShape(first, last, bs int, typ Type) bool {
	if k := sc.toks[first].kind; k == kAlnum || k == kWord && first > 0 && sc.toks[first-1].kind == kNum {
		if sc.ordinalSuffix(first, bs) || first == last && (sc.ageSex(first) || typ != TypeAge && sc.decadeTok(first)) {
			return true
		}
	}
	words, nums, digits, short := 0, 0, false, true
	for m := first; m <= last; m++ {
		t := &sc.toks[m]
		switch t.kind {
		case kWord:
			words++
		case kAlnum:
			words++
			digits = true
			short = false
		case kNum:
			nums++
			digits = true
			short = short && t.ndig <= 3
		}
	}
	switch {
	case typ == TypeDate && !digits && sc.dateWordIn(first, last):
		return sc.scheduleOnly(first, last)
	case (typ == TypeID || typ == TypePhone || typ == TypeDate) && !digits:
		// "Broadway" typed a date is still a place; "aide Grace" typed a
		// date is a name (no digit and no date word: the tagger saw PHI,
		// not a date), while "Foley" typed an identifier is a device
		return !sc.properWord(first, last, typ == TypeDate)
	case typ == TypePhone && words == 0 && sc.valueList(first, last):
		return true // "FS SINCE: 0800 118, 1100 96, 1300 152": values at times
	case words == 0 && nums == 1 && short:
		if typ == TypePhone || typ == TypeID {
			return !sc.numberBeside(first, last) // "571 130-9061" in two spans
		}
		return typ != TypeAge || sc.numVal(sc.firstNum(first, last)) < 90
	case (typ == TypeLocation || typ == TypeName) && words == 0 && nums == 1 && sc.toks[sc.firstNum(first, last)].ndig < 5:
		return true // "1015 Reviewed" cut to "1015", "EXTUBATED @ 1005": a number alone, under a ZIP's five digits, is no place (dev125)
	case typ == TypeLocation && sc.toks[first].nl && sc.clock(first) && first < last && !sc.headIn(first+1, last):
		return true // "1030 Called pt", "0803 DELIVERY OF LIVE FEMALE": a timed entry, not a street address (dev120, dev125)
	case typ == TypeLocation && !sc.wardCue(first) && sc.shortCodes(first, last):
		return true
	case typ == TypeLocation && nums > 0 && short && !sc.wardCue(first):
		for m := first; m <= last; m++ {
			if sc.toks[m].kind == kWord && (sc.toks[m].kw&setDir != 0 || sc.plausibleTok(m, TypeLocation) && !functionWord(sc.lower(m))) {
				return false
			}
		}
		return true
	case typ == TypeName && first == last && sc.dayCountBefore(first) && !sc.nameTok[first]:
		return true // "sister POD 3", "removed POD 4": a day count, not a name
	case typ == TypeName && words <= 3 && nums == 0:
		return sc.everydayName(first, last)
	case typ == TypeLocation && words == 1 && nums == 0:
		return sc.headsOnly(first, last)
	case typ == TypeLocation && nums == 0 && first < last && sc.is(first, "the"):
		return sc.kindOnly(first+1, last) // "rehab at the hospital in newnan"; not "THE LIVING LEGACY FOUNDATION"
	}
	return false
}

// valueList: tokens first..last are a list of three items or more, between
// commas, one of which holds under five digits or is a clock time and a
// value ("118, 1100 96, 1300 152", "0800 118, 1100 96"), and none of which
// has the seven digits or more of a phone number ("555-1234, 555-9876,
// 555-0000, 12" keeps its phones: review12).
func (sc *scan) valueList(first, last int) bool {
	items, value, phone := 1, false, false
	item := first
	for m := first; m <= last+1; m++ {
		if m <= last && !sc.punct(m, ',') {
			continue
		}
		digs, nums := 0, 0
		for n := item; n < m; n++ {
			if sc.toks[n].kind == kNum {
				digs += sc.numLen(n)
				nums++
			}
		}
		// a clock time and a value: four digits, then two or three
		timed := nums == 2 && m-item == 2 && sc.numLen(item) == 4 && sc.numLen(item+1) <= 3
		value = value || digs < 5 || timed
		phone = phone || !timed && digs >= 7
		if m <= last {
			items++
			item = m + 1
		}
	}
	return items > 2 && value && !phone
}

// dateWordIn: a month, weekday or holiday is among tokens first..last.
func (sc *scan) dateWordIn(first, last int) bool {
	for m := first; m <= last; m++ {
		if t := &sc.toks[m]; t.kind == kWord && (t.kw&(setMonth|setDay|setHoliday) != 0 || weekdayWord(sc.lower(m))) {
			return true
		}
	}
	return false
}

// numberBeside: a number stands next to tokens first..last, over at most
// one punctuation mark.
func (sc *scan) numberBeside(first, last int) bool {
	for _, k := range [4]int{first - 1, first - 2, last + 1, last + 2} {
		if k >= 0 && k < len(sc.toks) && sc.toks[k].kind == kNum {
			return true
		}
	}
	return false
}

// headIn: a word of tokens first..last heads a street, a place or an
// organisation ("St", "Hollow", "Clinic").
func (sc *scan) headIn(first, last int) bool {
	for m := first; m <= last; m++ {
		if sc.toks[m].kind == kWord && sc.in(m, setStreet|setPlace|setOrgHead|setOrg) {
			return true
		}
	}
	return false
}

// firstNum returns the first number token of first..last (first if none).
func (sc *scan) firstNum(first, last int) int {
	for m := first; m <= last; m++ {
		if sc.toks[m].kind == kNum {
			return m
		}
	}
	return first
}

// scheduleOnly: every weekday of first..last is one of a schedule.
func (sc *scan) scheduleOnly(first, last int) bool {
	n := 0
	for m := first; m <= last; m++ {
		if sc.toks[m].kind != kWord {
			continue
		}
		if !sc.schedule(m) {
			return false
		}
		n++
	}
	return n > 0
}

// ordinalSuffix: the span starts at byte bs on the suffix of an ordinal
// ("3[rd session]", "50[th]"): token k is that suffix glued to its number,
// or the whole ordinal with bs inside it.
func (sc *scan) ordinalSuffix(k, bs int) bool {
	t := &sc.toks[k]
	var suf string
	switch {
	case t.kind == kWord && k > 0 && sc.toks[k-1].kind == kNum && !t.sp && bs == t.s:
		suf = sc.low[t.s:t.e]
	case t.kind == kAlnum && bs > t.s && bs == t.e-2 && t.ndig == uint16(t.e-t.s-2):
		suf = sc.low[bs:t.e]
	default:
		return false
	}
	switch suf {
	case "st", "nd", "rd", "th":
		return true
	}
	return false
}

// ageSex: token k is an age under 90 glued to a sex or "yo" ("58f",
// "72M", "45yo"): no PHI, whatever a detector types it.
func (sc *scan) ageSex(k int) bool {
	t := &sc.toks[k]
	if t.kind != kAlnum || t.ndig == 0 || t.ndig > 2 {
		return false
	}
	w := sc.low[t.s:t.e]
	n := int(t.ndig)
	if !allDigits(w[:n]) {
		return false
	}
	switch w[n:] {
	case "m", "f", "yo", "y":
		return n == 1 || w[0] < '9' // under 90
	}
	return false
}

// properWord: a word of first..last reads as a proper noun: more than
// three letters, capitalised (not in capitals), and no everyday word, or,
// with names, an everyday word that is also a known name ("Grace", "Hope").
func (sc *scan) properWord(first, last int, names bool) bool {
	for m := first; m <= last; m++ {
		t := &sc.toks[m]
		if t.kind == kWord && t.cap && !t.upper && t.e-t.s > 3 && (t.flags&lexicon.SafeCore == 0 || names && t.flags&lexicon.Name != 0) {
			return true
		}
	}
	return false
}

// decadeTok: token k is a decade of a vital sign or value ("140S",
// "90s"), of three digits at most.
func (sc *scan) decadeTok(k int) bool {
	t := &sc.toks[k]
	n := int(t.ndig)
	return t.kind == kAlnum && n > 0 && n <= 3 && t.e-t.s == n+1 && sc.low[t.e-1] == 's' && allDigits(sc.low[t.s:t.e-1])
}

// shortCodes: tokens first..last are short codes and punctuation only:
// words of at most three letters and codes of one or two letters and one
// digit ("RA", "deg", "st.", "MC FX", "O2", "N0."), in capitals or lower
// case ("Big" is a word of a name): a place so written (a hospital's
// initials) comes after a cue word (wardCue).
func (sc *scan) shortCodes(first, last int) bool {
	n := 0
	for m := first; m <= last; m++ {
		t := &sc.toks[m]
		if t.kind == kPunct || sc.clinical[m] {
			continue // "O2 2L": the clinical number leaves the span (inertEdges)
		}
		switch t.kind {
		case kWord:
			if t.e-t.s > 3 || sc.rawCap(m) && !sc.rawUpper(m) {
				return false
			}
		case kAlnum:
			c := sc.text[t.s]
			if t.ndig != 1 || t.e-t.s > 3 || c >= '0' && c <= '9' {
				return false
			}
		default:
			return false
		}
		n++
	}
	return n > 0
}

// everydayName: the one word of first..last is an everyday word with no
// name cue before it, and not capitalised inside a mixed-case sentence.
func (sc *scan) everydayName(first, last int) bool {
	k, end := -1, -1 // the first and last word
	for m := first; m <= last; m++ {
		if sc.toks[m].kind != kWord {
			continue
		}
		if sc.toks[m].flags&lexicon.SafeCore == 0 || sc.rawCap(m) && !sc.rawUpper(m) || sc.isName(sc.lower(m)) {
			return false // a rarer word, a capital, a name found already
		}
		if k < 0 {
			k = m
		}
		end = m
	}
	if k < 0 || sc.toks[k].nl && (end+1 >= len(sc.toks) || sc.toks[end+1].nl) || end == len(sc.toks)-1 || sc.credAfter(end) || sc.relationAfter(end) {
		return false // a signature, a name before a role or relation
	}
	return !sc.nameCueBefore(k) && !(sc.toks[k].flags&(lexicon.Name|lexicon.Clinical) == lexicon.Name && sc.spokeWith(k))
}

// spokeWith: the words before token k, on its line, say that someone was
// spoken to: "told" right before it, or a verb of meeting people
// (peopleVerbs) and "w", "w/", "with" or "to" ("told maria i would call",
// "spoke w maria, her daughter"): the tagger's name after them stands when
// a name list holds it and the clinical list does not ("SPOKE WITH
// TRANSPLANT CENTER" is no name).
func (sc *scan) spokeWith(k int) bool {
	p := k - 1
	if p < 0 || sc.toks[k].nl {
		return false
	}
	if sc.is(p, "told") {
		return true
	}
	if sc.punct(p, '/') && p > 0 && sc.is(p-1, "w") && sc.joined(p) {
		p--
	}
	if !(sc.is(p, "w") || sc.is(p, "with") || sc.is(p, "to")) || sc.toks[p].nl || p < 1 {
		return false
	}
	return sc.toks[p-1].kind == kWord && peopleVerbs[sc.lower(p-1)]
}

// credAfter: a credential or role follows token k ("LANE RN", "king PT at
// bedside", "FAITH (RT)").
func (sc *scan) credAfter(k int) bool {
	n := k + 1
	paren := n < len(sc.toks) && sc.punct(n, '(')
	if paren {
		n++
	}
	if n >= len(sc.toks) || sc.toks[n].kind != kWord || !(sc.toks[n].kw&setCred != 0 || sc.lower(n) == "rt") {
		return false
	}
	// in brackets, the credential closes them or a list ("Mary (RN)",
	// "(RN, CCRN)"; not "HOME HEALTH (RN FOR CHF MANAGEMENT")
	return !paren || n+1 >= len(sc.toks) || sc.toks[n+1].nl || sc.punct(n+1, ')') || sc.punct(n+1, ',') || sc.punct(n+1, '/')
}

// relationAfter: a relation follows token k, after at most two marks on
// its line ("ASKING FOR "JUNIOR" (SON)", "ali, daughter") or a comma and
// a possessive ("maria, her daughter").
func (sc *scan) relationAfter(k int) bool {
	for n := k + 1; n < len(sc.toks) && n <= k+4 && !sc.toks[n].nl; n++ {
		switch t := &sc.toks[n]; {
		case t.kind == kWord && n > k+1 && sc.punct(n-1, ',') && (sc.is(n, "her") || sc.is(n, "his") || sc.is(n, "their")):
			continue // "maria, her daughter"
		case t.kind == kWord:
			return t.kw&setRelation != 0
		case t.kind != kPunct || sc.punct(n, '.'):
			return false
		}
	}
	return false
}

// nameCueBefore: one of the four tokens before token k, on its line,
// announces a name: a title, relation or name cue ("dr", "son", "wife",
// "per", "called", "Caller:", "SONS PAUL AND MARK"), or a credential
// right before it or its first name. A clinical word that no name list
// holds, between the cue and k, ends the cue's reach ("PER ARDSNET TABLE").
func (sc *scan) nameCueBefore(k int) bool {
	for p := k - 1; p >= 0 && k-p <= 4; p-- {
		if sc.toks[p].kind == kWord {
			// a cue that needs a colon only with it ("Patient: ali", not
			// "PT WITH NEW TRACH")
			if sc.toks[p].kw&(setCue1|setRelation) != 0 || sc.toks[p].kw&setCue2 != 0 && sc.punct(p+1, ':') {
				return true
			}
			// a credential right before, or with one name between ("RN
			// ALI", "RN JO ALI"); not "PT WITH NEW TRACH" or "Pt wears
			// BiPAP", where PT is the patient
			if sc.credAt(p) && (p == k-1 || p == k-2 && sc.toks[k-1].kind == kWord && sc.candidate(k-1)) {
				return true
			}
			switch sc.lower(p) {
			case "per", "called", "caller", "admitted", "named", "by", "sons", "daughters", "baby", "infant", "twin":
				return true
			}
			// a title only right before ("dr grant", "Mr. Rose"; not "mod mr, mild tr")
			if sc.toks[p].kw&setTitle != 0 && (p == k-1 || p == k-2 && sc.punct(k-1, '.')) && !sc.clinicalTitle(p, k, k) {
				return true
			}
			// a clinical word that no name list holds ends the reach of a
			// cue before it ("PER ARDSNET TABLE")
			if f := sc.toks[p].flags; f&lexicon.Clinical != 0 && f&lexicon.Name == 0 {
				return false
			}
		}
		if sc.toks[p].nl {
			break
		}
	}
	return false
}

// stateOnly: word token k names a US state and nothing smaller: its name
// ("called from OHIO"), or its postal code in capitals with no ZIP code
// after it and on no name or town list ("HOME FROM NH (PICAYUNE)", where it
// may as well be a nursing home).
func (sc *scan) stateOnly(k int) bool {
	t := &sc.toks[k]
	if t.kind != kWord || t.flags&lexicon.State == 0 {
		return false
	}
	if t.e-t.s > 2 {
		return true
	}
	return t.e-t.s == 2 && isUpperASCII(sc.text[t.s]) && isUpperASCII(sc.text[t.s+1]) &&
		t.flags&(lexicon.City|lexicon.Name) == 0 && sc.numLen(k+1) != 5
}

// wardCue: the word before token k is a place preposition ("transferred
// to eastern 6", "FROM MARBURGH 3", "LIVES IN BEL AIR", "ON RT 140", "on
// I-94").
func (sc *scan) wardCue(k int) bool {
	p := sc.prevWord(k)
	if p < 0 {
		return false
	}
	switch sc.lower(p) {
	case "into", "on", "via":
		return true
	}
	return sc.toks[p].xbits()&xPlacePrep != 0
}

// kindOnly: every word of tokens first..last says what kind of place it is
// ("hospital", "nursing home", "cardiac rehab"), none which; in a mixed-case
// line none is capitalised ("the Heart Hospital" is one).
func (sc *scan) kindOnly(first, last int) bool {
	for m := first; m <= last; m++ {
		if t := &sc.toks[m]; t.kind == kWord && (!sc.in(m, setOrgHead|setOrg|setGeneric|setStreet) && !functionWord(sc.lower(m)) && !leadWord(sc.lower(m)) ||
			t.cap && sc.caseAt(m) == caseMixed) {
			return false
		}
	}
	return true
}

// headsOnly: the words of tokens first..last (one word in vetoShape) are
// head words of places or words that name nothing alone ("GROUP",
// "BRIDGE", "CROSSING"): no place without a word of its own.
func (sc *scan) headsOnly(first, last int) bool {
	for m := first; m <= last; m++ {
		if sc.toks[m].kind == kWord && sc.plausibleWord(m, TypeLocation) {
			return false
		}
	}
	return true
}
