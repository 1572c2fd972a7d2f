package deid

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Combining the rules with other detectors (the statistical tagger, the
// transformer model): their spans are added to the rules' (a union: recall
// first), except a span made only of what the rules know is not PHI — safe
// everyday or clinical words, clinical numbers claimed by the number grammar
// ("0/10", "EBL 250", "130-150S"), punctuation. A word the rules would
// consider (a name, a candidate, a capitalised word of a mixed-case line
// that is no everyday word) or any other number keeps the span.

// Plausible returns the spans of another detector that the rules do not veto
// (see above). spans are code-point offsets into text; order is kept.
func (r *Rules) Plausible(ctx context.Context, text string, spans []Span) []Span {
	if len(spans) == 0 || ctx.Err() != nil {
		return spans
	}
	sc := r.pool.Get().(*scan)
	defer r.pool.Put(sc)
	sc.reset(text, r.vocab)
	sc.index()
	sc.scanNumbers()
	return sc.plausible(spans)
}

// plausible is Plausible on a scan of its text that has been reset and has
// run scanNumbers. A full run leaves what plausible reads as scanNumbers
// left it (token kinds, case, flags and keywords are set by reset; the
// clinical-number marks only by scanNumbers, from the tokens alone; the
// per-token candidate memo depends on the token alone), so the engine
// passes the scan of its rules run (Rules.recognizeKeep) instead of
// tokenizing the note again.
func (sc *scan) plausible(spans []Span) []Span {
	return sc.appendPlausible(make([]Span, 0, len(spans)), spans)
}

// appendPlausible appends the spans plausible keeps to out.
func (sc *scan) appendPlausible(out, spans []Span) []Span {
	text := sc.text
	// code point → byte offsets, only when the text is not ASCII
	var cpByte []int
	if !sc.ascii {
		cpByte = make([]int, 0, len(text)+1)
		for b := range text {
			cpByte = append(cpByte, b)
		}
		cpByte = append(cpByte, len(text))
	}
	toByte := func(cp int) int {
		if cpByte == nil {
			return min(cp, len(text))
		}
		return cpByte[min(cp, len(cpByte)-1)]
	}
	k := 0 // first token that may overlap the current span (spans sorted or not: reset when going back)
	for _, s := range spans {
		bs, be := toByte(s.Start), toByte(s.End)
		if k > 0 && k < len(sc.toks) && sc.toks[k].s > bs || k >= len(sc.toks) {
			k = 0
		}
		for k < len(sc.toks) && sc.toks[k].e <= bs {
			k++
		}
		keep, words := false, false
		last := k - 1 // the last token the span overlaps
		for m := k; m < len(sc.toks) && sc.toks[m].s < be; m++ {
			if !keep && sc.plausibleTok(m, s.Type) {
				keep = true
			}
			words = words || sc.toks[m].kind == kWord
			last = m
		}
		if keep && s.Type == TypeLocation {
			// a place may be a word and a number ("eastern 6", "WEST 4"),
			// but a number alone is no place ("WAS 14 ON"), unless a ZIP
			// code, nor is a drug and its rate ("ON LEVO 10")
			keep = false
			drug := false
			for m := k; m <= last; m++ {
				keep = keep || sc.toks[m].kind != kNum && sc.plausibleTok(m, s.Type) || sc.toks[m].ndig >= 5 && !sc.clinical[m]
				drug = drug || m < last && sc.toks[m+1].kind == kNum && sc.clinicalValueWord(m)
			}
			keep = keep || words && !drug
		}
		if keep && s.Type == TypeLocation && sc.genericPlace(k, last) {
			keep = false // "county mental health center", "A HOTEL NEAR HOSPITAL", "TRANSPLANT CENTER": a kind of place (dev57-dev92)
		}
		if keep && s.Type == TypeLocation && sc.kindOfPlace(k, last) {
			keep = false // "F/U IN BMT CLINIC 2X WEEKLY", "FROM PORT PLACEMENT": what kind of place, not which (dev50)
		}
		if keep && s.Type == TypeLocation && sc.everydayForm(k, last) {
			keep = false // "FIRST TIME CANNULATING NEW FISTULA", "SHE MAY HOLD FOR FEEDS" (dev51-dev56)
		}
		if keep && (s.Type == TypeLocation || s.Type == TypeName) && !strings.ContainsFunc(text[bs:be], unicode.IsLetter) && digits(text[bs:be]) < 5 {
			keep = false // the "7" of "Nursing 7a-7p": digits cut out of a word
		}
		if keep && (s.Type == TypeLocation || s.Type == TypeName) && sc.shiftTimes(k, last) {
			keep = false // "Nursing 7p-7a": a shift's hours
		}
		if keep && (s.Type == TypeLocation || s.Type == TypeName) && sc.lowerEveryday(k, last, s.Type) {
			keep = false // "the county worker", "county aging office" in lower case on a mixed-case line (dev126-dev155)
		}
		if keep && (s.Type == TypeLocation || s.Type == TypeName) && sc.legalHold(k, last) {
			keep = false // "ON M-1 HOLD", "m-1 paperwork": a legal hold's form (dev97-dev160)
		}
		if keep && s.Type == TypeName && sc.clinicalPhrase(k, last) {
			keep = false // "CMC ARTHROPLASTY", "EAC EDEMATOUS" in capitals: a clinical phrase (dev67-dev155)
		}
		if keep && s.Type == TypeName && sc.headOnly(k, last) {
			keep = false // "Hospice RN - recert visit", "call from Pharmacy re:": the head word of a place alone is no name
		}
		if keep && s.Type == TypeName && k == last && sc.systemHeader(k) {
			keep = false // "/ Dev: OT in at 1000": a neonatal note's section (dev51)
		}
		if keep && s.Type == TypeName && sc.relationDoes(k) {
			keep = false // "MOM HOLDING HAND": what the relation does, and to what (dev51)
		}
		if keep && s.Type != TypeDate && (sc.toks[k].kind == kAlnum && sc.toks[k].s < bs || sc.toks[last].kind == kAlnum && sc.toks[last].e > be) {
			keep = false // the "PaCO" of "PaCO2", the "2" of "FiO2": cut out of a code
		}
		if keep && s.Type == TypeDate && sc.toks[last].kind == kNum && last+1 < len(sc.toks) && !sc.toks[last+1].nl && sc.toks[last+1].kind == kWord && durationUnits[sc.lower(last+1)] && !sc.dateWordIn(k, last) {
			keep = false // "stay with her for 1-2 weeks": a range and its unit (dev54); not "Fell Nov 28 days prior" (review12)
		}
		if keep && s.Type == TypeDate && sc.toks[last].kind == kAlnum && sc.toks[last].e > be && sc.doseToken(last) {
			keep = false // "40-60" of "40-60cc/hr": a range and its unit (a date may be glued to "am")
		}
		if keep && (s.Type == TypeName || s.Type == TypeLocation) {
			// a name ends at the end of its sentence ("Seen with Maria. Why
			// is she here?"): the tagger's span stops before the full stop
			if cut := sc.sentenceCut(k, last); cut < last {
				last, be = cut, sc.toks[cut].e
				s.End = toCP(cpByte, be)
				keep = false
				for m := k; m <= last && !keep; m++ {
					keep = sc.plausibleTok(m, s.Type)
				}
			}
		}
		first := k // the span's first token once trimmed
		if !keep || sc.trimOrVeto(&s, &first, &last, &bs, &be, cpByte) || groupSpan(text, bs, be, s.Type) {
			continue // a country or a faith is no PHI (countries.go)
		}
		if (s.Type == TypeLocation || s.Type == TypeName) && sc.fundalHeight(first) {
			continue // "Fundus firm at U-1", "fundus firm u-3": the fundus's height against the navel (dev106)
		}
		if s.Type == TypeDate && sc.noDate(first, last) {
			continue // "98/52", "49/51": no month in either place
		}
		if s.Type == TypeDate && first == last && (sc.satVerb(first) || sc.satVerbOpens(first) || sc.is(first, "sat") && (sc.sbtNear(first) || sc.is(first-1, "fat"))) {
			continue // "Asked \"am I dying?\" Sat with pt" (dev50): the verb; "on SAT/SBT protocol", "fat sat": a trial, a saturation
		}
		if (s.Type == TypeLocation || s.Type == TypeName) && first >= 2 && sc.toks[first].e-sc.toks[first].s == 1 && sc.punct(first-1, '&') && sc.joined(first) && sc.joined(first-1) && sc.toks[first-2].kind == kWord {
			continue // "L&D High Risk", "H&P": the second letter of an abbreviation and what follows it (dev78)
		}
		if (s.Type == TypeLocation || s.Type == TypeName) && sc.countedStep(first, last) {
			continue // "HYPER-CVAD CYCLE 2B", "CAR-T Day 0": a step of a treatment (dev70)
		}
		if (s.Type == TypeID || s.Type == TypePhone || s.Type == TypeDate) && sc.toks[first].kind == kNum && sc.clockSchedule(first, last) {
			continue // "0600-1000-1400-1800-2200": a schedule of clock times (dev84)
		}
		if s.Type == TypeDate && first == last && sc.mayVerb(first) {
			continue // "death may be near": the verb
		}
		if first == last && sc.recordMonth(first) {
			continue // "GIVEN PER MAR.", "see MAR": the medication record; "rate dec per protocol", "SENSATION DEC TOES"
		}
		if s.Type == TypeLocation && (last == first && sc.stateOnly(first) || sc.twoWordState(first, last)) {
			continue // a US state alone, by its name or code, is no PHI ("called from OHIO", "FROM NH")
		}
		if sc.stateOnly(first) && (last == first+1 && sc.insurer(last) || last == first && sc.insurer(last+1)) {
			continue // "IOWA MEDICAID", "HAS NEBRASKA MEDICAID PENDING": a state's insurer (dev71)
		}
		if s.Type == TypeDate && sc.toks[last].kind == kAlnum && (first == last || sc.toks[last].e > be) && sc.ordinalDay(last) > 0 && sc.anatomyNext(last) {
			// "L posterior 8th ICS" (dev69), "s/p l 4th/5th ray amputation" cut
			// at "4th/5" (dev71): a part of the body counted, not a day
			continue
		}
		if s.Type == TypeDate && first == last && sc.toks[last].kind == kAlnum && sc.ordinalDay(last) > 0 && sc.countedNext(last) {
			continue // "on the 2nd try", "for the 3rd time", "the 2nd dose": a count, not a day
		}
		if (s.Type == TypeName || s.Type == TypeLocation) && (sc.eponym(last+1) || sc.eponymWords(first, last, s.Type) || sc.graded(first, last)) {
			continue // "Fleischner criteria", "Hartmann pouch", "Jackson-Pratt", "HAWKINS III": an eponym
		}
		if w := sc.onlyWord(first, last); w >= 0 && sc.toks[w].kw == 0 && sc.inEponym(w) && (s.Type == TypeDate || s.Type == TypeID || first < w || last > w) {
			// "CLL w/ Richter's transformation" typed a date (dev70), "Bush-Francis
			// 14" cut at "-Francis" (dev76), "Repeat Bush-Francis." at
			// "-Francis" typed an identifier (review19), "-> Bair Hugger"
			// at "Bair" (dev78)
			continue
		}
		// clinical numbers at either end leave the span, with the
		// punctuation between them and the rest ("baptiste, 30 4/7" typed
		// as one date keeps "baptiste")
		f, end := sc.inertEdges(first, last)
		if sc.wrongShape(f, end, s.Type) {
			continue // "130-140" typed a phone, "7.32/46/71/23" a date, "ST 100-110" an identifier
		}
		if f != first || end != last {
			if b := sc.toks[f].s; b > bs {
				s.Start = toCP(cpByte, b)
			}
			if b := sc.toks[end].e; b < be {
				s.End = toCP(cpByte, b)
			}
		}
		out = append(out, s)
	}
	return out
}

// clinicalKind: word token m is on the clinical list and says what kind
// of thing, not which: any such word in a note in one case or an acronym,
// but not a word capitalised among lower-case ones ("Camino", "Quinton"),
// which may be a name.
func (sc *scan) clinicalKind(m int) bool {
	return sc.toks[m].flags&lexicon.Clinical != 0 && !(sc.caseAt(m) == caseMixed && sc.rawCap(m) && !sc.rawUpper(m))
}

// durationUnits follow a number or a range that says how long ("for 1-2
// weeks"), not a date: units of time only (units also holds "ng", which
// follows a culture's date: "bc 12/4 ng").
var durationUnits = map[string]bool{
	"min": true, "mins": true, "minutes": true, "hr": true, "hrs": true, "hours": true, "days": true,
	"weeks": true, "wks": true, "months": true, "yrs": true, "years": true,
	"sec": true, "secs": true, "seconds": true, // "BURST SUPP 10-15 SEC IBI" (dev90)
}

// departmentWords name a department of the hospital itself, not a facility
// ("BMT clinic", "GI lab").
var departmentWords = map[string]bool{
	"clinic": true, "clinics": true, "unit": true, "lab": true, "office": true, "service": true,
	"team": true, "program": true, "floor": true,
}

// kindOfPlace: tokens first..last say what kind of place, not which one:
// either a clinical acronym (two to four letters of the clinical list, no
// keyword: not "st") opens them, every later word a department
// (departmentWords: "clinic") or a word of the clinical list, any number a
// clinical one, and after the last organisation word nothing the rules would
// take for part of a place ("BMT CLINIC 2X WEEKLY"); or every word is of the
// clinical list and none of an organisation's name ("PORT PLACEMENT").
// Names made of such words stay ("Family Home Care", "Transplant Resource
// Center", "MERCY CLINIC"); so does a capitalised word among lower-case
// ones ("Camino").
func (sc *scan) kindOfPlace(first, last int) bool {
	clinical := sc.clinicalKind
	const org = setOrg | setOrgHead | setGeneric
	f := &sc.toks[first]
	acronym := f.kind == kWord && f.kw == 0 && f.e-f.s >= 2 && f.e-f.s <= 4 && clinical(first)
	lastOrg := -1
	for m := first; m <= last; m++ {
		if sc.toks[m].kind == kWord && sc.toks[m].kw&org != 0 {
			if !departmentWords[sc.lower(m)] {
				return false // "KUB Rehabilitation Institute": a head that names a facility
			}
			lastOrg = m
		}
	}
	if !acronym && lastOrg >= 0 {
		return false
	}
	for m := first; m <= last; m++ {
		t := &sc.toks[m]
		switch t.kind {
		case kPunct:
		case kNum, kAlnum:
			if !sc.clinical[m] {
				return false
			}
		default:
			if t.kw&org != 0 && acronym || t.kw&org == 0 && clinical(m) {
				continue
			}
			if m < lastOrg || !acronym || sc.plausibleTok(m, TypeLocation) {
				return false
			}
		}
	}
	return true
}

// onlyWord returns the one word token of tokens first..last when the others
// are punctuation ("-Francis"), or -1.
func (sc *scan) onlyWord(first, last int) int {
	w := -1
	for m := first; m <= last; m++ {
		switch sc.toks[m].kind {
		case kPunct:
		case kWord:
			if w >= 0 {
				return -1
			}
			w = m
		default:
			return -1
		}
	}
	return w
}

// clinicalValueWord: word token m, before a number in a tagger's place, is
// what the number measures: a clinical word of four letters or more ("ON
// LEVO 10"), or a clinical acronym in capitals that no name list holds
// ("ODI 34", "ASV 30", "TST 168": dev170), none a city's nor a road's.
func (sc *scan) clinicalValueWord(m int) bool {
	t := &sc.toks[m]
	if t.flags&(lexicon.Clinical|lexicon.City) != lexicon.Clinical {
		return false
	}
	w := sc.lower(m)
	return t.e-t.s >= 4 || t.e-t.s >= 2 && t.flags&lexicon.Name == 0 && sc.rawUpper(m) && !roadPrefixes[w] && dev3Trigger(w) != trigRoad
}

// roadPrefixes name a road by its number ("FM 170", "CR 12", "SR 9"): a
// place, whatever a clinical list says of the letters (dev8); "RT", "RTE"
// and "HWY" are the road rule's own triggers (dev3Trigger).
var roadPrefixes = map[string]bool{"fm": true, "cr": true, "sr": true, "us": true, "sh": true, "co": true}

// lowerEveryday: tokens first..last, on a mixed-case line, are words in
// lower case of everyday English or the clinic, longer than initials, none
// a town's and, for a name, none a name list's ("county worker", "county
// aging office"; not "high school" or "the parish", whose first words a town
// list holds): a name or a town written in lower case among capitals is one
// no list holds ("pt barcak", "in tacna") or one the rules find by its cue.
func (sc *scan) lowerEveryday(first, last int, typ Type) bool {
	words := 0
	for m := first; m <= last; m++ {
		t := &sc.toks[m]
		switch t.kind {
		case kPunct:
			continue
		case kWord:
		default:
			return false
		}
		if sc.caseAt(m) != caseMixed || t.cap || t.upper || !sc.rawLower(m) {
			return false
		}
		words++
		w := sc.lower(m)
		if functionWord(w) || genericPlaceWord(w) {
			continue
		}
		f := t.flags
		if t.e-t.s <= 3 || f&(lexicon.SafeCore|lexicon.Common) == 0 || f&(lexicon.City|lexicon.CityFull) != 0 || typ == TypeName && f&lexicon.Name != 0 || sc.candidate(m) {
			return false // initials ("Sonographer: kw."), a rarer word ("mom briseis", "tensas kidney center")
		}
	}
	return words > 0
}

// legalHold: tokens first..last hold a digit and "hold", "paperwork" or
// "petition" follows them on their line ("M-1 HOLD", "5150 hold"): the
// form of an involuntary hold, not a place.
func (sc *scan) legalHold(first, last int) bool {
	n := last + 1
	if n >= len(sc.toks) || sc.toks[n].nl {
		return false
	}
	switch sc.lower(n) {
	case "hold", "holds", "paperwork", "petition":
	default:
		return false
	}
	for m := first; m <= last; m++ {
		if sc.toks[m].ndig > 0 || sc.toks[m].kind == kNum {
			return true
		}
	}
	return false
}

// clinicalPhrase: tokens first..last, on a line in capitals, are two words
// or more, none a known name or town, the last a clinical word that no name
// or town list holds, longer than a role's letters, or a word of a medical
// ending ("EDEMATOUS"): a clinical phrase, not a name the case cannot show
// ("CMC ARTHROPLASTY"; not "adjuster abelard breckwoldt", dev102).
func (sc *scan) clinicalPhrase(first, last int) bool {
	words, clin := 0, false
	for m := first; m <= last; m++ {
		t := &sc.toks[m]
		if t.kind != kWord {
			continue
		}
		if sc.caseAt(m) != caseUpper || t.flags&(lexicon.Name|lexicon.City|lexicon.CityFull) != 0 {
			return false
		}
		words++
		clin = t.kw == 0 && (t.flags&lexicon.Clinical != 0 && t.e-t.s >= 4 || medicalWord(sc.lower(m))) // not a role after a name ("JO PAIK SW")
	}
	return words >= 2 && clin
}

// headOnly: the one word of tokens first..last is the head word of a
// facility or a place ("Hospice", "Pharmacy", "county"), not of a street.
func (sc *scan) headOnly(first, last int) bool {
	w := sc.onlyWord(first, last)
	if w < 0 || sc.toks[w].kw&(setOrgHead|setPlace) == 0 {
		return false
	}
	// not the last word of a facility's name ("shore medical center")
	p := w - 1
	return p < 0 || sc.toks[w].nl || sc.toks[p].kind != kWord || sc.toks[p].kw&(setOrg|setOrgHead) == 0 && sc.toks[p].flags&lexicon.OrgWord == 0
}

// noDate: tokens first..last are two numbers joined by "/", "-" or "."
// of which neither can be a month (both over 12): a ratio or a pair of
// values ("98/52"), never a date in any order of day, month and year; or a
// range of scores out of ten ("4-6/10").
func (sc *scan) noDate(first, last int) bool {
	if last == first+4 && sc.punct(first+1, '-') && sc.punct(first+3, '/') && sc.numVal(last) == 10 && sc.numVal(first) <= 10 && sc.numVal(first+2) <= 10 &&
		sc.joined(first+1) && sc.joined(first+2) && sc.joined(first+3) && sc.joined(last) {
		return true // "pain 4-6/10": a range of scores out of ten (dev47)
	}
	if last != first+2 || !sc.joined(first+1) || !sc.joined(last) ||
		!sc.punct(first+1, '/') && !sc.punct(first+1, '-') && !sc.punct(first+1, '.') {
		return false
	}
	a, b := sc.numVal(first), sc.numVal(last)
	return a > 12 && b > 12
}

// inertEdges returns the first and last of tokens first..last once runs of
// clinical numbers and punctuation that hold a clinical number are taken
// off either end; at least one token (a plausible one) stays.
func (sc *scan) inertEdges(first, last int) (int, int) {
	inert := func(m int) (bool, bool) { // inert, clinical
		switch sc.toks[m].kind {
		case kPunct:
			return true, false
		case kNum, kAlnum:
			return sc.clinical[m], sc.clinical[m]
		}
		return false, false
	}
	j, num := last, false
	for j > first {
		in, cl := inert(j)
		if !in {
			break
		}
		num = num || cl
		j--
	}
	if num {
		last = j
	}
	j, num = first, false
	for j < last {
		in, cl := inert(j)
		if !in {
			break
		}
		num = num || cl
		j++
	}
	if num {
		first = j
	}
	return first, last
}

// toCP turns byte offset b (at the start of a code point) into a code-point
// offset; cpByte maps code points to bytes (nil: the text is ASCII).
func toCP(cpByte []int, b int) int {
	if cpByte == nil {
		return b
	}
	i, _ := slices.BinarySearch(cpByte, b)
	return i
}

// plausibleTok: token k may be (part of) PHI as far as the rules know.
func (sc *scan) plausibleTok(k int, typ Type) bool {
	t := &sc.toks[k]
	switch t.kind {
	case kPunct:
		return false
	case kNum:
		if sc.clinical[k] {
			return false
		}
		// a bare number is never a name, a phone or an identifier only
		// with three digits or more ("3+2+1"); any number may be part of a
		// date, and of a place with a word (see plausible)
		switch typ {
		case TypeName:
			return false
		case TypePhone, TypeID:
			return t.ndig >= 3
		}
		return true
	case kAlnum:
		// a dose glued to its unit is no date or name ("Sildenafil
		// 1mg/kg": dev74)
		return !sc.clinical[k] && !sc.doseAlnum(k)
	}
	if k > 0 && releaseForm(sc.lower(k)) && sc.toks[k-1].kind == kWord && sc.toks[k-1].flags&lexicon.Clinical != 0 && !sc.toks[k].nl {
		return false // "Posaconazole DR 300 daily": a drug's release form, not a street's "Dr" (dev70)
	}
	if t.kw&(setMonth|setDay|setHoliday|setOrgHead|setStreet|setPlace) != 0 {
		return true // dates, and the head words of places
	}
	if typ == TypeDate && shortWeekday(sc.lower(k)) && sc.weekdayLead(k) {
		return true // "WILL COME IN SAT", "back next tues" (a trial or a saturation elsewhere)
	}
	return sc.plausibleWord(k, typ)
}

// plausibleWord: word token k, no head of a date or place, may be (part
// of) PHI as far as the rules know.
func (sc *scan) plausibleWord(k int, typ Type) bool {
	t := &sc.toks[k]
	if t.kw != 0 || t.e-t.s < 2 || sc.inSet(k, roleWordSet) && sc.credAfter(k) || contraction(sc.lower(k)) {
		return false // "per day RN", "to noc rn": a role before a credential; "i've"
	}
	if sc.afterPercent(k) || sc.ktV(k) {
		return false // "(12TH %ILE)": a percentile (dev78); "Kt/V 1.38", a dialysis dose (dev83)
	}
	if sc.is(k, "ti") && sc.rateAfter(k) {
		return false // "rate 14, Ti 1.1": a ventilator's inspiratory time, a decimal after it (dev95, dev98; "Ti 12/3" keeps its date)
	}
	if subjectPronoun(sc.lower(k)) {
		return false // "PER DR. SHE WILL CALL" (dev80); not "her", a Hmong surname too
	}
	if (t.flags&lexicon.Clinical != 0 || sc.inSet(k, serviceWordSet)) && sc.roleNext(k) {
		return false // "by txp fellow", "by burn NP": a service before a role
	}
	if t.flags&lexicon.Clinical != 0 && sc.sizeBefore(k) {
		return false // "Trach #7 Bivona": a device after its size (dev68)
	}
	if sc.inSet(k, routeWordSet) && sc.routeUse(k) {
		return false // "via NJ", "NG feeds", "teach mom NG feeds": a feeding route (dev73, dev74)
	}
	if acronymPlural(sc.text[t.s:t.e]) && !sc.nameCueBefore(k) {
		return false // "bilat ACs", "thunderclap HAs", "LENIs": an abbreviation's plural (dev66, dev67)
	}
	if typ != TypeDate && sc.namesake(k) {
		return typ == TypeName && sc.titleOrRelationBefore(k) // "topical + MAC", "OV 14", "per IDT" (rules_recall.go)
	}
	if f := t.flags; typ != TypeDate && f&(lexicon.Name|lexicon.Clinical|lexicon.CuratedName|lexicon.City|lexicon.CityFull) == lexicon.Name|lexicon.Clinical && t.kw == 0 {
		// a word the clinical list reads in its clinical sense though a
		// name list holds it, not a common name or a town ("Wilms tumor",
		// "pain 4-5/10 sternal"): a name only beside a person's cue
		// or a word of contact ("Dr. Wilms", "Attending Bakri", "Paged Bakri")
		p := sc.prevWord(k)
		return typ == TypeName && (sc.personCueAt(k) || p >= 0 && p == k-1 && sc.inSet(p, contactWordSet))
	}
	if sc.candidate(k) {
		return true
	}
	f := t.flags
	if f&lexicon.Clinical != 0 && f&lexicon.Name != 0 && sc.rateAfter(k) {
		// a drug that is also a name, then its rate or dose ("Neo and
		// Levo at 0.1", "Levo 0.08 mcg/kg/min"): a name only after a cue
		return typ == TypeName && sc.nameCueBefore(k)
	}
	if f&lexicon.Clinical != 0 && (f&(lexicon.Name|lexicon.City) == 0 || sc.caseAt(k) == caseMixed && (t.upper || !t.cap)) {
		// clinical shorthand, a drug or a device ("LYTES", "LAD",
		// "levo"): a name only after a cue ("son Neo", "Dr. Posey"); one
		// that is also a first name or town stays to the rules below when
		// written as a name ("Ava's mom at bedside", "ALI AT BEDSIDE")
		return typ == TypeName && f&lexicon.Name != 0 && sc.nameCueBefore(k)
	}
	if f&(lexicon.SafeCore) != 0 || f&lexicon.Common != 0 && f&lexicon.Name == 0 {
		// an everyday word: a known name tagged as a name ("ROSE", "grace"),
		// a word the tagger calls a name right after a relation ("son dub
		// said") unless what the relation does ("DAUGHTER WORKS"), or a
		// name or place capitalised in a mixed-case line
		if typ == TypeName && sc.relationDoes(k) {
			return false // "DAUGHTER WORKS NIGHTS" (dev45)
		}
		if typ == TypeName && !functionWord(sc.lower(k)) && sc.relationRightBefore(k) {
			return true
		}
		if sc.caseAt(k) != caseMixed {
			// in a note all in capitals or all in lower case the case says
			// nothing: an everyday or clinical word on the name list
			// ("TRACH", "EMS", "nite") is a name only with evidence beside
			// it ("ALI'S MOM", "RN ALI", "ALI (DTR)", "ALI QUAXLEY"), and
			// a town only right after a word that places it ("CALLED FROM
			// PUEBLO")
			return typ == TypeName && f&lexicon.Name != 0 && !functionWord(sc.lower(k)) && sc.nameEvidence(k) ||
				typ == TypeLocation && f&(lexicon.CityFull|lexicon.Common|lexicon.Clinical) == lexicon.CityFull && sc.fromPlace(k) ||
				typ == TypeLocation && sc.everydayTown(k)
		}
		known := lexicon.Name | lexicon.City
		if typ == TypeLocation {
			known = lexicon.City // "Vital AF 1.2" is no place
		}
		if f&lexicon.CuratedName != 0 {
			known &^= lexicon.Name // the curated names are the rules' only: the tagger never learnt them (review22)
		}
		if t.cap && f&known != 0 && !sc.sentenceStart(k) {
			return true
		}
		// in lower case or at a sentence's start ("pt wears BiPAP", "Rose
		// from bed"), a name only with evidence beside it
		return typ == TypeName && f&lexicon.Name != 0 && !functionWord(sc.lower(k)) && sc.nameEvidence(k)
	}
	// a rarer word ("arbutus"), or one no list knows, unless its ending
	// makes it a medical term ("fasciotomies", "cytology") or it is built
	// from a safe word ("rebleed", "downtrending"; "underwood", on the
	// rarer tier, stays)
	return t.e-t.s < 7 || !medicalWord(sc.lower(k)) && (f&lexicon.Safe != 0 || !sc.compound(sc.lower(k)))
}

// rateAfter: a rate or a dose follows word token k on its line, after
// "at" or "@" or right away: a decimal ("0.1", "@ .5"), a number glued to a
// dose unit ("100mcg") or followed by one ("8 mcg"), or a drip's word
// ("gtt", "drip").
func (sc *scan) rateAfter(k int) bool {
	m := k + 1
	if m < len(sc.toks) && !sc.toks[m].nl && (sc.is(m, "at") || sc.punct(m, '@')) {
		m++
	}
	if m >= len(sc.toks) || sc.toks[m].nl {
		return false
	}
	switch sc.toks[m].kind {
	case kWord:
		return sc.is(m, "gtt") || sc.is(m, "gtts") || sc.is(m, "drip")
	case kAlnum:
		return sc.doseToken(m)
	case kPunct:
		return sc.punct(m, '.') && sc.joined(m+1) && m+1 < len(sc.toks) && sc.toks[m+1].kind == kNum
	}
	// a number: a score after its scale's name ("Westley 3": dev95), a
	// decimal, or a dose unit after it
	if measureWords[sc.lower(k)] {
		return true
	}
	if sc.punct(m+1, '.') && sc.joined(m+1) && sc.joined(m+2) && m+2 < len(sc.toks) && sc.toks[m+2].kind == kNum {
		return true
	}
	return m+1 < len(sc.toks) && !sc.toks[m+1].nl && sc.toks[m+1].kind == kWord && doseUnits[sc.lower(m+1)]
}

// contraction: w ends with a verb or negation glued by an apostrophe
// ("i've", "you're", "can't", "she'd"), which no name or place does (a
// possessive does: "Ava's").
func contraction(w string) bool {
	// (byte searches: LastIndexAny with a non-ASCII set decodes every rune)
	i, size := strings.LastIndexByte(w, '\''), 1
	if strings.IndexByte(w, "’"[0]) >= 0 {
		if j := strings.LastIndex(w, "’"); j > i {
			i, size = j, len("’")
		}
	}
	if i < 0 {
		return false
	}
	switch w[i+size:] {
	case "ve", "re", "ll", "m", "d":
		return i > 0
	case "t":
		return strings.HasSuffix(w[:i], "n")
	}
	return false
}

// sentenceCut returns the last token of tokens first..last before a full
// stop that ends a sentence inside them: a full stop glued to a word of two
// letters or more that is no title or abbreviation ("Maria. Why", not "Dr.
// Lee", "St. Mary", "J. Smith"), then a space and a capitalised word. It
// returns last when there is none.
func (sc *scan) sentenceCut(first, last int) int {
	for m := first + 1; m < last; m++ {
		if !sc.punct(m, '.') || !sc.joined(m) || sc.joined(m+1) || !sc.capWord(m+1) {
			continue
		}
		p := &sc.toks[m-1]
		if p.kind != kWord || p.e-p.s < 2 || p.kw&setTitle != 0 || abbrevBeforeDot[sc.lower(m-1)] {
			continue
		}
		return m - 1
	}
	return last
}

// abbrevBeforeDot are short words other than the titles (setTitle: "Dr.",
// "St.") written with a full stop inside a name ("Mt. Olivet", "Jr.",
// "Sgt. Danny Holguin", "Ste. Genevieve") or a place.
var abbrevBeforeDot = map[string]bool{
	"ste": true, "mt": true, "ft": true, "jr": true, "sgt": true, "lt": true, "capt": true,
	"col": true, "gen": true, "sis": true, "bro": true, "hon": true,
	// and inside a place ("Elm Ave. Clinic", "ul. Długa", "Mercy Hosp. East")
	"ave": true, "av": true, "rd": true, "blvd": true, "ln": true, "ct": true, "hwy": true,
	"pkwy": true, "apt": true, "bldg": true, "ul": true, "al": true, "hosp": true, "ctr": true,
	"univ": true, "inc": true, "co": true, "corp": true,
}

// nameEvidence: something beside token k says it is a name: a cue before,
// a credential, relation or possessive after, a name beside it, the
// same word found as a name elsewhere in the note ("daughter hope ... hope
// is poa"), or a word of speaking to someone before it ("told maria",
// "spoke w maria": spokeWith).
func (sc *scan) nameEvidence(k int) bool {
	return sc.nameCueBefore(k) || sc.credAfter(k) || sc.relationAfter(k) || sc.possessive(k+1) || sc.nameBeside(k) || sc.isName(sc.lower(k)) || sc.spokeWith(k)
}

// relationRightBefore: the word right before token k is a relation ("son
// dub", "DTR ROSE").
func (sc *scan) relationRightBefore(k int) bool {
	p := k - 1
	return p >= 0 && !sc.toks[k].nl && sc.toks[p].kind == kWord && sc.toks[p].kw&setRelation != 0
}

// relationDoes: word token k, right after a relation or after a relation
// and one word (its name), says what the relation does or is ("DAUGHTER
// WORKS", "MOM HOLDING HAND": notNameWord; "SON MITCH FLYING IN":
// verbAfterName). Tokens alone decide (see plausible).
func (sc *scan) relationDoes(k int) bool {
	return sc.toks[k].kind == kWord && (sc.relationRightBefore(k) && sc.notNameWord(k) ||
		k > 0 && sc.toks[k-1].kind == kWord && sc.relationRightBefore(k-1) && sc.verbAfterName(k))
}

// nameBeside: the word right before or after token k, on its line and with
// no mark between, is a name candidate of its own ("ALI QUAXLEY", "ms
// quaxley ali").
func (sc *scan) nameBeside(k int) bool {
	for _, m := range [2]int{k - 1, k + 1} {
		if m < 0 || m >= len(sc.toks) || sc.toks[max(m, k)].nl || sc.toks[m].kind != kWord {
			continue
		}
		if sc.candidate(m) {
			return true
		}
	}
	return false
}

// digits counts the ASCII digits of s.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// weekdayLead: the word before token k (a shortened weekday) dates a day
// ("in", "next", "until"), or "on" with a part of the day after it
// (weekdayAfter: "on sat am"); "on SAT" alone is as often the awakening
// trial.
func (sc *scan) weekdayLead(k int) bool {
	p := sc.prevWord(k)
	if p < 0 || p != k-1 || sc.toks[k].nl {
		return false
	}
	switch sc.lower(p) {
	case "in", "this", "next", "until", "til", "till", "by", "since", "last", "thru", "through", "before", "after", "coming":
		return true
	case "on":
		return sc.weekdayAfter(k)
	}
	return false
}

// fromPlace: the word right before token k places a town ("from", "lives
// in", "near").
func (sc *scan) fromPlace(k int) bool {
	p := k - 1
	if p < 0 || sc.toks[k].nl || sc.toks[p].kind != kWord {
		return false
	}
	switch sc.lower(p) {
	case "from", "near", "outside":
		return true
	case "in":
		q := sc.prevWord(p)
		return q >= 0 && (sc.is(q, "lives") || sc.is(q, "live") || sc.is(q, "living") || sc.is(q, "resides") || sc.is(q, "home"))
	}
	return false
}

// doseAlnum: letters-and-digits token k is a number and a dose's unit
// glued after it ("1mg", "250mcg", "3400RPM").
func (sc *scan) doseAlnum(k int) bool {
	t := &sc.toks[k]
	d := t.s + int(t.ndig)
	return t.ndig > 0 && d < t.e && allDigits(sc.text[t.s:d]) && doseSuffix[sc.low[d:t.e]]
}

// routeUse: route word token k ("NG", "NJ"), not written as a name ("Ng")
// nor in the possessive, is used as one: after "via", or before what goes
// through it ("NG feeds", "NJ tube", "OG output"), with no title or "per"
// right before ("Dr. Ng placed the line", "per Ng", "Family meeting with Ng
// and sister" stay names).
func (sc *scan) routeUse(k int) bool {
	t := &sc.toks[k]
	if t.cap && !t.upper && sc.caseAt(k) == caseMixed || sc.possessive(k+1) || t.nl || k == 0 {
		return false
	}
	if sc.is(k-1, "via") {
		return true
	}
	if sc.toks[k-1].kind == kWord && sc.toks[k-1].kw&setTitle != 0 || sc.punct(k-1, '.') && k >= 2 && sc.toks[k-2].kw&setTitle != 0 || sc.is(k-1, "per") {
		return false
	}
	n := k + 1
	return n < len(sc.toks) && !sc.toks[n].nl && sc.toks[n].kind == kWord && routeNouns[sc.lower(n)]
}

// routeNouns follow a feeding route's name: what goes through it or is
// done to it ("NG placed"; "Dr. NG placed the line" stays, after its title).
var routeNouns = map[string]bool{
	"feeds": true, "feed": true, "feeding": true, "feedings": true, "tube": true, "tf": true, "tfs": true,
	"output": true, "suction": true, "lavage": true, "residual": true, "residuals": true, "meds": true,
	"flush": true, "tip": true, "placement": true, "placed": true, "clamped": true, "flushed": true,
	"removed": true, "replaced": true, "advanced": true,
}

// everydayTown: word token k is a town's whole name that is also an
// everyday word (not a state; not clinical but after a care facility and
// "in": "CALLED SNF IN LIMA,"), where someone lives or where something
// happened (homeTown).
func (sc *scan) everydayTown(k int) bool {
	f := sc.toks[k].flags
	if f&(lexicon.CityFull|lexicon.State) != lexicon.CityFull || functionWord(sc.lower(k)) || nearNotTowns[sc.lower(k)] {
		return false
	}
	if f&lexicon.Clinical != 0 && !(k >= 2 && sc.is(k-1, "in") && careFacilities[sc.lower(k-2)]) {
		return false
	}
	return sc.homeTown(k, k)
}

// careFacilities come before "in" and a town whose name is also clinical
// shorthand ("SNF IN LIMA", not the graft): a place of care, never an
// anatomy or a drug; each is also one of townInWords, which homeTown asks.
var careFacilities = map[string]bool{
	"snf": true, "ltach": true, "ltac": true, "rehab": true, "alf": true, "hospice": true,
	"facility": true, "hospital": true,
}

// nearNotTowns are towns' names that after "near" or "from" are a time of
// day or a landscape ("FOUND NEAR MIDNIGHT", "CRASH NEAR LAKE").
var nearNotTowns = map[string]bool{
	"midnight": true, "dawn": true, "dusk": true, "sunset": true, "sunrise": true, "noon": true,
	"morning": true, "evening": true, "lake": true, "river": true, "park": true, "creek": true,
	"woods": true, "pond": true, "road": true, "highway": true, "bridge": true, "shore": true,
	"beach": true, "school": true, "work": true, "church": true, "town": true, "bed": true,
	"house": true, "ward": true, "echo": true, "day": true, // "pt to rehab in house." (review19)
}

// homeTown: tokens k to e, a town's name, are where someone lives, works,
// comes from or goes, in a note all in one case, and the clause ends with
// them: after "in" following a home, a workplace or a verb of living
// ("LIVES ALONE IN PACE,", "MEATPACKING PLANT IN LIBERAL,"), after "from"
// following a verb of coming, "they are" or a relative's "called"
// ("DROVE DOWN FROM X", "THEY ARE FROM CHAMPION."), after "to" following
// home or a journey ("went home to apex,"), after "near" or "outside" following
// an accident or a home ("ROLLOVER NEAR SEARCHLIGHT,"). "SATS NEAR
// NORMAL,", "bleed is from colon" and "lives in a trailer" stay.
func (sc *scan) homeTown(k, e int) bool {
	p := k - 1
	if p < 0 || sc.toks[k].nl || sc.toks[p].kind != kWord || sc.is(e+1, "on") || sc.is(e+1, "for") {
		return false
	}
	// the clause ends with the town; "with" ends it only after a town of two
	// words or one no everyday list holds ("lives in house with wife" stays)
	if !sc.clauseEnd(e+1) && !sc.spacedDash(e+1) && !(sc.withAfter(e+1) && (e > k || sc.toks[k].flags&lexicon.SafeCore == 0)) && !sc.whenAfter(e+1) {
		return false
	}
	q := sc.prevWord(p)
	if q >= 0 && (sc.is(q, "alone") || sc.is(q, "together") || sc.is(q, "down") || sc.is(q, "up") || sc.is(q, "over") || sc.is(q, "back")) {
		q = sc.prevWord(q)
	}
	if q >= 3 && sc.is(q, "away") && awayUnits[sc.lower(q-1)] && sc.toks[q-2].kind == kNum && !sc.toks[q].nl && !sc.toks[q-1].nl && !sc.toks[q-2].nl {
		q = sc.prevWord(q - 2) // "LIVES 45 MIN AWAY IN MIDWAY" (dev78)
	}
	if q < 0 {
		return false
	}
	w := sc.lower(q)
	switch sc.lower(p) {
	case "outside", "near": // after what happens or stands somewhere: not "SATS NEAR NORMAL"
		return nearPlaceWords[w]
	case "in":
		return townInWords[w]
	case "from":
		switch w {
		case "is", "are", "was", "were", "called", "calling", "phoned":
			// "THEY ARE FROM X", "DAUGHTER CALLED FROM CAVALIER,", "SISTER
			// BENIGNA CALLED FROM CABALLO," (dev79); not "bleed is from
			// colon", "Tele called from monitor"
			r := sc.prevWord(q)
			if r >= 1 && sc.toks[r].flags&lexicon.SafeCore == 0 && sc.toks[r-1].kw&setRelation != 0 && !sc.toks[r].nl {
				r-- // a relation and the relative's name
			}
			return r >= 0 && (townFromPeople[sc.lower(r)] || sc.toks[r].kw&setRelation != 0)
		}
		return townFromWords[w]
	case "to":
		return townToWords[w]
	}
	return false
}

// awayUnits measure how far away a home is ("lives 45 min away in X").
var awayUnits = map[string]bool{
	"min": true, "mins": true, "minutes": true, "hr": true, "hrs": true, "hour": true, "hours": true,
	"mi": true, "miles": true, "mile": true,
}

// whenAfter: token k says when, ending what came before it as a clause
// end does ("VISITING FROM CARIBOU THIS WEEKEND", "home to X tomorrow").
func (sc *scan) whenAfter(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind != kWord {
		return false
	}
	switch sc.lower(k) {
	case "today", "tonight", "yesterday", "tomorrow", "tmrw":
		return true
	case "this", "last", "next":
		n := k + 1
		return n < len(sc.toks) && !sc.toks[n].nl && whenNouns[sc.lower(n)]
	}
	return false
}

// whenNouns follow "this", "last" or "next" in a time (whenAfter).
var whenNouns = map[string]bool{
	"weekend": true, "week": true, "morning": true, "am": true, "pm": true, "afternoon": true,
	"evening": true, "month": true, "summer": true, "winter": true, "spring": true, "fall": true,
}

// withAfter: token k is "with" or "w/" ("lives in bossier city with husband").
func (sc *scan) withAfter(k int) bool {
	return k < len(sc.toks) && !sc.toks[k].nl && (sc.is(k, "with") || sc.is(k, "w") && sc.punct(k+1, '/') && sc.joined(k+1))
}

// spacedDash: token k is a dash with a space before it, which ends a
// clause as a comma does ("the iron mine in republic — wonders").
func (sc *scan) spacedDash(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].kind != kPunct || !sc.toks[k].sp {
		return false
	}
	return sc.punct(k, '-') || strings.HasPrefix(sc.text[sc.toks[k].s:], "—") || strings.HasPrefix(sc.text[sc.toks[k].s:], "–")
}

// townInWords come before "in" and a town: a home, a workplace, a verb of
// living or staying ("house in lander", "PLANT IN LIBERAL"); not a relative
// ("Wife in shock,", "Mom in hall": review18).
var townInWords = map[string]bool{
	"lives": true, "live": true, "living": true, "lived": true, "resides": true, "reside": true, "home": true,
	"moved": true, "born": true, "raised": true, "grew": true, "staying": true, "stays": true, "visiting": true,
	"house": true, "apartment": true, "apt": true, "trailer": true, "farm": true, "ranch": true,
	"plant": true, "warehouse": true, "mine": true, "factory": true, "mill": true, "refinery": true,
	"pharmacy": true, "store": true, "shop": true, "church": true, "mission": true, "parish": true,
	"agency": true, "office": true, "center": true, "hospital": true, "facility": true, "shelter": true,
	"snf": true, "ltach": true, "ltac": true, "rehab": true, "alf": true, "hospice": true,
}

// townFromWords come before "from" and a town: a verb of coming ("DROVE
// DOWN FROM X", "on the way from many").
var townFromWords = map[string]bool{
	"drove": true, "flew": true, "driving": true, "moved": true, "visiting": true, "way": true,
	"came": true, "coming": true, "originally": true, "here": true, "ride": true, "relocated": true,
}

// townFromPeople come before "is/are from" or "called from" and a town: a
// person ("THEY ARE FROM CHAMPION", "pt is from X"), as a relation does.
var townFromPeople = map[string]bool{
	"they": true, "he": true, "she": true, "pt": true, "patient": true, "family": true, "who": true,
	"parents": true, "both": true, "wife": true, "husband": true,
}

// townToWords come before "to" and a town: home or a journey ("went home to
// apex,", "RELOCATED BACK TO X"); not "moved to couch" (review18).
var townToWords = map[string]bool{
	"home": true, "relocated": true, "drove": true, "driving": true, "flew": true,
	"flying": true, "headed": true, "heading": true,
}

// nearPlaceWords come before "near" or "outside" and a town: an accident,
// a home or an outing ("ROLLOVER NEAR SEARCHLIGHT", "ranch outside roundup").
var nearPlaceWords = map[string]bool{
	"rollover": true, "crash": true, "accident": true, "mvc": true, "mva": true, "wreck": true, "atv": true,
	"ranch": true, "farm": true, "lives": true, "live": true, "living": true, "home": true, "house": true,
	"cabin": true, "camping": true, "hunting": true, "fishing": true, "hiking": true, "found": true,
}

// shiftTimes: tokens k to last are hours of the day and what joins them
// ("7p-7a", "7A - 3P", "11pm-7am"), at least one of them an hour.
func (sc *scan) shiftTimes(k, last int) bool {
	hours := 0
	for m := k; m <= last; m++ {
		t := &sc.toks[m]
		switch t.kind {
		case kPunct:
			continue
		case kAlnum:
			w := sc.lower(m)
			n := 0
			for n < len(w) && isDigit(w[n]) {
				n++
			}
			if n == 0 || n > 2 {
				return false
			}
			switch w[n:] {
			case "a", "p", "am", "pm":
				hours++
				continue
			}
		}
		return false
	}
	return hours > 0
}

// systemHeader: word token k opens a section of a system-by-system note
// ("Labs: none. / Dev: OT in at 1000", "DEV:" at a line's start): a
// neonatal note's development section, a word that is also a given name.
func (sc *scan) systemHeader(k int) bool {
	switch sc.lower(k) {
	case "dev", "devel", "develop", "developmental":
	default:
		return false
	}
	return sc.punct(k+1, ':') && sc.joined(k+1) && (k == 0 || sc.toks[k].nl || sc.punct(k-1, '/') || sc.punct(k-1, '.'))
}

// everydayForm: tokens first..last are no place by their form: one word of
// general English, on no list of towns or names, ending in "ing" or "ly"
// (a verb's or an adverb's form: "CANNULATING", "RESPONSIVELY"; towns such
// as Reading or Wheeling are on the list), or "may" before an everyday
// word that is no town ("MAY HOLD", "MAY VISIT": the verb).
func (sc *scan) everydayForm(first, last int) bool {
	plain := func(m int) bool {
		t := &sc.toks[m]
		return t.kind == kWord && t.flags&lexicon.Safe != 0 && t.flags&(lexicon.City|lexicon.CityFull|lexicon.Name) == 0 && t.kw == 0
	}
	if first == last && plain(first) {
		w := sc.lower(first)
		return len(w) >= 6 && (strings.HasSuffix(w, "ing") || strings.HasSuffix(w, "ly"))
	}
	t := &sc.toks[last]
	return last == first+1 && sc.is(first, "may") && t.kind == kWord && t.kw == 0 && t.flags&lexicon.SafeCore != 0 && t.flags&(lexicon.City|lexicon.CityFull) == 0
}

// sizeBefore: word token k follows a size written "#7" on its line
// ("trach #7 Bivona", "#8 Shiley").
func (sc *scan) sizeBefore(k int) bool {
	return k >= 2 && sc.toks[k-1].kind == kNum && sc.punct(k-2, '#') && sc.joined(k-1) && !sc.toks[k].nl && !sc.toks[k-1].nl
}

// frenchBefore: word token k follows a catheter's or drain's size in
// French on its line ("15FR BLAKE", "19 Fr Blake", "24 french Malecot").
func (sc *scan) frenchBefore(k int) bool {
	if k < 1 || sc.toks[k].nl {
		return false
	}
	p := &sc.toks[k-1]
	if p.kind == kAlnum && p.ndig > 0 && p.e-p.s >= 3 {
		w := sc.lower(k - 1)
		return strings.HasSuffix(w, "fr") && w[len(w)-3] >= '0' && w[len(w)-3] <= '9'
	}
	return k >= 2 && (sc.is(k-1, "fr") || sc.is(k-1, "french")) && sc.toks[k-2].kind == kNum && !p.nl
}

// insurer: token k is Medicaid or Medicare, a state's insurer after the
// state's name ("IOWA MEDICAID").
func (sc *scan) insurer(k int) bool {
	return k < len(sc.toks) && !sc.toks[k].nl && (sc.is(k, "medicaid") || sc.is(k, "medicare"))
}

// acronymPlural: w is two to four capitals and a lower-case "s" ("ACs",
// "HAs", "LENIs"), the plural of an abbreviation; no name is written so.
func acronymPlural(w string) bool {
	n := len(w)
	if n < 3 || n > 5 || w[n-1] != 's' {
		return false
	}
	for i := 0; i < n-1; i++ {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return true
}

// recordMonth: token k, a bare "mar" or "dec", is the medication
// administration record ("PER MAR", "see MAR") or "decreased" ("rate dec
// per protocol", "SENSATION DEC TOES"): the word before it says so; no
// day, year or dated full stop follows it ("Dec 4", "Mar. 2024"). Any
// other "Dec" or "Mar" stays a month or a name ("Last seen Dec",
// "Daughter Mar": review17); "in MAR" is the record only written in
// capitals in a line that is not.
func (sc *scan) recordMonth(k int) bool {
	if k < 1 || sc.toks[k].nl || sc.toks[k-1].kind != kWord {
		return false
	}
	if n := k + 1; n < len(sc.toks) && !sc.toks[n].nl && (sc.toks[n].kind == kNum || sc.punct(n, '\'') ||
		sc.punct(n, '.') && sc.joined(n) && n+1 < len(sc.toks) && !sc.toks[n+1].nl && sc.toks[n+1].kind == kNum) {
		return false
	}
	switch {
	case sc.is(k, "mar"):
		switch sc.lower(k - 1) {
		case "per", "see", "check", "checked", "via", "the", "on":
			return true
		case "in": // "documented in MAR" in a mixed-case line (dev84); "in Mar" stays a month
			// unless what was put there says it is the record, in any case
			// ("LOT# AND EXP RECORDED IN MAR.", "documented in mar.": dev134, dev136)
			return sc.rawUpper(k) && sc.caseAt(k) == caseMixed || k >= 2 && recordedWords[sc.lower(k-2)]
		}
	case sc.is(k, "dec"):
		switch sc.lower(k - 1) {
		case "rate", "gtt", "drip", "uop", "uo", "sensation", "sensations", "sens", "strength", "pulses", "pulse",
			"appetite", "output", "movement", "movements", "perfusion", "reflexes", "intake", "sounds":
			return true
		}
	}
	return false
}

// mayVerb: token k, "may", is the verb: a word follows it and none that
// dates a month comes before it ("death may be near", "TARGET MAY BE
// 80-100", "CARE MAY CONTINUE": the tagger's dates, dev99-dev149); "in May
// for f/u", "May of 2019", "May 3" stay months.
func (sc *scan) mayVerb(k int) bool {
	n := k + 1
	if !sc.is(k, "may") || k < 1 || sc.toks[k].nl || n >= len(sc.toks) || sc.toks[n].nl || sc.toks[n].kind != kWord {
		return false
	}
	switch sc.lower(n) {
	case "of", "and", "or", "to", "through", "thru", "until", "till", "vs":
		return false
	}
	switch sc.lower(k - 1) {
	case "in", "since", "until", "till", "early", "late", "mid", "during", "of", "last", "next", "from",
		"before", "after", "by", "on", "around", "about", "this", "that", "through", "thru":
		return false
	}
	return true
}

// recordedWords say that something was put in a record.
var recordedWords = map[string]bool{
	"documented": true, "recorded": true, "charted": true, "entered": true, "signed": true,
	"scanned": true, "noted": true, "updated": true, "initialed": true,
}

// countedStep: tokens first..last are a step of a treatment and its number
// ("CYCLE 2B", "phase 3"), or begin with the letter that ends a
// hyphenated word ("T Day 0" of "CAR-T Day 0").
func (sc *scan) countedStep(first, last int) bool {
	if first >= 2 && sc.toks[first].kind == kWord && sc.toks[first].e-sc.toks[first].s == 1 && sc.punct(first-1, '-') && sc.joined(first) && sc.joined(first-1) {
		return true
	}
	if last != first+1 || sc.toks[last].kind != kNum && sc.toks[last].kind != kAlnum {
		return false
	}
	switch sc.lower(first) {
	case "cycle", "cycles", "phase", "stage", "grade", "step", "class", "dose", "level":
		return true
	}
	return false
}

// releaseForm: w names how a drug is released ("DR", "ER", "XL").
func releaseForm(w string) bool {
	switch w {
	case "dr", "er", "xr", "sr", "xl", "cr", "ec", "la", "odt":
		return true
	}
	return false
}

// anatomyNext: the word after token k is a part of the body counted by an
// ordinal ("8th ICS", "4th toe", "7th cranial nerve") or a percentile.
func (sc *scan) anatomyNext(k int) bool {
	n := k + 1
	if n >= len(sc.toks) || sc.toks[n].nl || sc.toks[n].kind != kWord {
		return false
	}
	switch sc.lower(n) {
	case "ics", "intercostal", "rib", "ribs", "ray", "rays", "toe", "toes", "finger", "fingers", "digit", "digits",
		"metatarsal", "metacarpal", "cranial", "nerve", "ventricle", "vertebra", "percentile", "mt", "mtp", "mcp":
		return true
	}
	return false
}

// countedNext: the word after token k is a noun an ordinal counts ("2nd
// try", "3rd time", "4th floor"), not "of" ("the 3rd of May").
func (sc *scan) countedNext(k int) bool {
	n := k + 1
	return n < len(sc.toks) && !sc.toks[n].nl && sc.toks[n].kind == kWord && ordinalNouns[sc.lower(n)] && !sc.is(n, "of")
}

// subjectPronoun: w (lower case) is a pronoun that is never a name (unlike
// "her", which is also a surname: "DAUGHTER HER CALLED").
func subjectPronoun(w string) bool {
	switch w {
	case "she", "he", "they", "we", "it", "who", "you":
		return true
	}
	return false
}

// genericPlaceWords say what kind of place, whose or where, never which
// one: function words, public bodies, kinds of place and the services a
// hospital runs. A name of a facility holds a word outside them ("Family
// Home Care", "Orchard View Care Center", "Transplant Resource Center":
// "resource" is left out for that one, dev2). It is not genericOrgWords
// (rules_words.go), which also holds words that make up a facility's name
// with a head word ("Community General Hospital", "Family Practice
// Center"): a span of those alone may be a name.
var genericPlaceWords = map[string]bool{
	"the": true, "a": true, "an": true, "of": true, "and": true, "near": true, "his": true, "her": true,
	"their": true, "our": true, "same": true, "this": true, "that": true, "local": true, "nearest": true,
	"rural": true, "small": true, "nearby": true, "outlying": true, "another": true, "other": true, // "FROM A RURAL HOSPITAL"
	"county": true, "state": true, "city": true, "public": true, "school": true, "district": true,
	"board": true, "office": true, "dept": true, "department": true, "program": true, "officer": true,
	"extension": true, "resources": true, "probate": true, "law": true, "elder": true, "wic": true,
	"hotel": true, "motel": true, "lodge": true, "lodging": true, "cafeteria": true, "station": true,
	"gas": true, "oil": true, "field": true, "road": true, "floor": true, "unit": true,
	"hospital": true, "hospital's": true, "center": true, "centre": true, "clinic": true, "facility": true,
	"service": true, "services": true, "nurse": true, "nursing": true, "health": true, "mental": true,
	"practice": true, "tertiary": true, "accepting": true, "day": true, "acute": true, "rehab": true,
	"ltach": true, "outpatient": true, "inpatient": true, "otp": true,
	"childrens": true, "children's": true, "transplant": true, "poison": true, "infusion": true,
	"epilepsy": true, "bariatric": true, "surgery": true, "cardiology": true, "hf": true, "burn": true,
	"id": true, "onc": true, "pulmonary": true, "hypertension": true, "addiction": true,
	"medicine": true, "dialysis": true, "phone": true, "encounter": true, // "Peds Onc Clinic Phone Encounter" (dev87)
	"heme": true, "pulm": true, "ent": true, "tx": true, "home": true, "vent": true, "ventilator": true,
	"teaching": true, "note": true, "discharge": true, "checklist": true, // "Home Vent Clinic", "- Home Ventilator Discharge Checklist" (dev93-dev95)
	"lung": true, "liver": true, "kidney": true, "renal": true, "neurology": true, "oncology": true,
	"wound": true, "pain": true, "sleep": true, "pharmacy": true, "neurodevelopmental": true,
	"nephrology": true, "hepatology": true, "rheumatology": true, "urology": true, "hematology": true,
	"endocrine": true, "lactation": true, "palliative": true, "anticoagulation": true, "icu": true, // "Lung Transplant Clinic", "ICU Pharmacy" (dev100-dev104)
	"cardiothoracic": true, "stroke": true, "access": true, "ortho": true, "orthopedic": true, "orthopedics": true,
	"neuro": true, "neurosurgery": true, "neonatal": true, "follow": true, "up": true, "newborn": true, "nursery": true,
	"early": true, "intervention": true, "vascular": true, "spine": true, "trauma": true, // "Stroke Clinic", "Neonatal Follow-Up Clinic", "Early Intervention" (dev111-dev116)
	// "county jail", "sending hospital", "senior center", "IMAGING CENTER", "Vaccine Clinic",
	// "HOME HEALTH AGENCY", "SPECIALTY PHARMACY", "Methadone Dosing Clinic" (dev132-dev137)
	"jail": true, "prison": true, "infirmary": true, "court": true, "courthouse": true, "probation": true,
	"parole": true, "cancer": true, "senior": true, "imaging": true, "vaccine": true, "vitals": true,
	"agency": true, "specialty": true, "distribution": true, "rec": true, "recreation": true,
	"laundromat": true, "sending": true, "receiving": true, "referring": true, "contracted": true,
	"dosing": true, "methadone": true, "skills": true, "group": true, "iop": true, "dbt": true,
	"crisis": true, "trailhead": true, "parking": true, "worksite": true, "lobby": true, "dayroom": true,
	"booking": true, "behavioral": true,
	// "Adolescent Medicine", "Sports Medicine Clinic", "Child Abuse
	// Pediatrics", "Interdisciplinary Team Conference", "Cath Lab",
	// "Anticoag Clinic", "BMT clinic", "Derm Clinic", "the donor center"
	// (dev122-dev154)
	"adolescent": true, "sports": true, "child": true, "abuse": true, "pediatrics": true,
	"pediatric": true, "interdisciplinary": true, "team": true, "conference": true, "lab": true,
	"ophthalmology": true, "dermatology": true, "donor": true, "anticoag": true, "bmt": true,
	"derm": true, "cath": true, "lymphedema": true, "occ": true,
	// "Anemia Clinic", "Allergy & Asthma Clinic", "SARCOMA CENTER" (dev178, dev179)
	"anemia": true, "allergy": true, "asthma": true, "sarcoma": true, "immunology": true,
	// "assisted living", "Memory Clinic", "Bone Health Clinic", "Device Clinic",
	// "HIV clinic", "Pulmonary Nodule Clinic", "Lead Extraction Center" (dev168-dev176)
	"assisted": true, "living": true, "memory": true, "bone": true, "device": true, "hiv": true,
	"gastroenterology": true, "electrophysiology": true, "nodule": true, "extraction": true,
}

// genericPlace: the tagger's place (tokens first..last) is made only of
// genericPlaceWords and punctuation, and starts its line or follows
// punctuation, a function word or another such word ("at the county
// mental health center", "TO TRANSPLANT CENTER"): a kind of place, not
// which one. After any other word it may be the tail of a name the tagger
// cut in two ("oak lawn | health center": synth-500), and stays.
//
// A place that opens with punctuation has no word before it to join
// ("Evaluation - Hand Clinic", "Handoff - Behavioral Health": a heading's
// second part).
func (sc *scan) genericPlace(first, last int) bool {
	if p := first - 1; p >= 0 && !sc.toks[first].nl && sc.toks[p].kind != kPunct && sc.toks[first].kind != kPunct &&
		!(sc.toks[p].kind == kWord && (functionWord(sc.lower(p)) || genericPlaceWord(sc.lower(p)))) {
		return false
	}
	return sc.allGeneric(first, last)
}

// genericPlaceWord: w is of genericPlaceWords or one of the kinds of care
// of the one-case facility rule (plainNotNames: "snf", "peds", "subacute").
func genericPlaceWord(w string) bool {
	return genericPlaceWords[w] || plainNotNames[w]
}

// allGeneric: tokens first..last are genericPlaceWord words and punctuation.
func (sc *scan) allGeneric(first, last int) bool {
	for m := first; m <= last; m++ {
		switch sc.toks[m].kind {
		case kPunct:
			continue
		case kWord:
			if genericPlaceWord(sc.lower(m)) {
				continue
			}
		}
		return false
	}
	return true
}

// fundalHeight: token k is the "U" (umbilicus) of a fundal height ("at
// U-1", "u+2", "at U"), "fundus" or "fundal" among the four tokens before
// it on its line ("Fundus firm at U-1"; prevWord stops at a line's start
// and at a full stop).
func (sc *scan) fundalHeight(k int) bool {
	if !sc.is(k, "u") {
		return false
	}
	for p := sc.prevWord(k); p >= 0 && k-p <= 4; p = sc.prevWord(p) {
		if sc.is(p, "fundus") || sc.is(p, "fundal") {
			return true
		}
	}
	return false
}
