package deid

import "strings"

// Shapes found missing by the sixth development batch (dev6, issue 13),
// each described as a class of writing rather than a note's words (the
// examples here and in TestGoldenDev6 are invented). Dates: a month and day
// joined by a full stop after the event they date ("EXTUBATED 12.5",
// "D/C'D 12.3"), a shortened weekday that ends a plan ("likely Mon.", "POSS
// D/C MON"), a month's abbreviation with its full stop ("in Aug.", "SINCE
// ABOUT OCT."), a long month name one letter wrong ("Novmber 3"), a month
// and day glued ("NOV28"), a day written as a word ("December second"),
// ranges (the last day within a month, "Oct 3-7", "11/28-30", "Dec
// 1st-2nd"; the first of two months or ordinals, "Jan-Feb", "3rd-5th Dec";
// two dates after a ventilator word, "BiPAP 11/29-11/30"). Places: a name
// that goes on over "and" or "&" between service words ("HEALTH AND
// REHAB"), a place in everyday words before a weak head ("RED ROOF INN"),
// a congregation by its denomination ("MT. OLIVET UNITED METHODIST").

// eventCues name the event whose date follows them; after one, a month and
// day joined by a full stop is a date, not a value of one decimal ("ON 12.4",
// "EXTUBATED 12.5 0820", "STARTED 11.30").
var eventCues = map[string]bool{
	"on": true, "since": true, "until": true, "till": true, "thru": true, "through": true, "dated": true,
	"dos": true, "admitted": true, "discharged": true, "intubated": true, "extubated": true,
	"transferred": true, "started": true, "stopped": true, "placed": true, "removed": true,
	"resumed": true, "held": true, "dc": true, "dced": true, "pulled": true, "changed": true,
}

// dotDate claims tokens i..j when they are a month and day joined by a full
// stop right after a word that introduces an event's date (eventCues, or
// "D/C'D", "DC'D"), with no unit after and no measure before ("HGB 12.4",
// "K 3.4", "on 2.5 L" stay). It returns j, or -1.
func (sc *scan) dotDate(i, j int) int {
	if j != i+2 || sc.toks[i].kind != kNum || sc.toks[j].kind != kNum || !sc.punct(i+1, '.') || !sc.joined(i+1) || !sc.joined(j) {
		return -1
	}
	if l := sc.numLen(i); l < 1 || l > 2 {
		return -1
	}
	if l := sc.numLen(j); l < 1 || l > 2 {
		return -1
	}
	if !validMD(sc.numVal(i), sc.numVal(j)) || !sc.eventCueBefore(i) || sc.unitAfter(j) || sc.measureBefore(i, 3) {
		return -1
	}
	if k := j + 1; k < len(sc.toks) && !sc.toks[k].nl && (sc.punct(k, '%') || sc.joined(k) && sc.toks[k].kind != kPunct ||
		sc.toks[k].kind == kWord && units[sc.lower(k)] || sc.frequencyAfter(j) || sc.is(k, "ett") || sc.is(k, "cuffed") || sc.is(k, "uncuffed")) {
		return -1 // "STARTED 12.5 BID": a dose; "Intubated 7.5 ETT", "INTUBATED 3.5 CUFFED": a tube's size (review15, dev74)
	}
	sc.addDate(i, j)
	return j
}

// eventCueBefore: the word right before token i (on its line, a space
// between) is one of eventCues, not after a value, or ends "d/c'd" or
// "dc'd".
func (sc *scan) eventCueBefore(i int) bool {
	p := i - 1
	if p < 0 || !sc.toks[i].sp || sc.toks[i].nl || sc.toks[p].kind != kWord {
		return false
	}
	if eventCues[sc.lower(p)] {
		// "wbc 14.2 since 11.8": a value before the cue makes a trend
		return p == 0 || sc.toks[p].nl || sc.toks[p-1].kind != kNum
	}
	// "D/C'D 12.3", "dc'd 12.3" (the tokenizer keeps "C'D" one word)
	switch {
	case sc.is(p, "dc'd"):
		return true
	case sc.is(p, "c'd"):
		return sc.punct(p-1, '/') && sc.joined(p-1) && sc.joined(p) && sc.is(p-2, "d")
	}
	return false
}

// planWords come right before a day that ends a plan or an arrival
// ("likely Mon.", "NEXT CHANGE MON", "d/c home sat", "will drive over sun").
var planWords = map[string]bool{
	"likely": true, "poss": true, "possible": true, "possibly": true, "probably": true, "prob": true,
	"maybe": true, "hopefully": true, "change": true, "dc": true, "discharge": true, "home": true,
	"arrive": true, "arrives": true, "arriving": true, "expected": true, "over": true, "again": true,
	"earliest": true, "latest": true, "tentatively": true, "tentative": true,
}

// planWeekday: the shortened weekday at token i that is also a word ("mon",
// "sat", "sun") ends its clause (a line break, or ".", "," or ";" then a
// space or a line break) right after a word of planWords, "d/c" or "?"
// ("? MON.") or a place found, so it names the day; "CARDIAC MON." or "PT
// SAT." stay.
func (sc *scan) planWeekday(i int) bool {
	if !sc.wordEndsClause(i) {
		return false
	}
	p := i - 1
	if p < 0 || sc.toks[i].nl || !sc.toks[i].sp {
		return false
	}
	if sc.punct(p, '?') {
		return true
	}
	if sc.toks[p].kind != kWord {
		return false
	}
	// after a place found ("flying in from Boston Sat.", "recheck at Quest on
	// Elm Ave Mon.")
	return planWords[sc.lower(p)] || sc.is(p, "c") && sc.punct(p-1, '/') && sc.is(p-2, "d") || sc.claim[p] && !sc.nameTok[p]
}

// monthDot: the month's abbreviation at token i is written with its full
// stop ("in Aug.", "SINCE ABOUT DEC."), which the drug or the word it
// shares its letters with ("aug" for Augmentin, "dec" for decreased) never
// is: it may then be a date after a word that introduces one.
func (sc *scan) monthDot(i int) bool {
	k := i + 1
	return sc.punct(k, '.') && sc.joined(k) && (k+1 >= len(sc.toks) || sc.toks[k+1].nl || sc.toks[k+1].sp ||
		sc.punct(k+1, ',') || sc.punct(k+1, ';') || sc.punct(k+1, ')'))
}

// dateRange: two month/day pieces a and b (first and last token) of a run
// glued by a dash are a range of dates even after a measure word ("BiPAP
// 11/29-11/30"): the second day comes after the first within 31 days and
// one day is past 12, which no pressure pair or setting range writes
// ("PS 10/5-12/5", "5/5-5/8").
func (sc *scan) dateRange(a, b [2]int) bool {
	if a[1] != a[0]+2 || b[1] != b[0]+2 {
		return false
	}
	m1, d1, m2, d2 := sc.numVal(a[0]), sc.numVal(a[0]+2), sc.numVal(b[0]), sc.numVal(b[0]+2)
	if !validMD(m1, d1) || !validMD(m2, d2) || d1 <= 12 && d2 <= 12 {
		return false
	}
	x, y := m1*31+d1, m2*31+d2
	if m2 < m1 { // "12/30-1/2": over the new year
		y += 12 * 31
	}
	return y > x && y-x <= 31
}

// scanDev6 runs after the other date and place rules: the second day of a
// range within one month ("Oct 3-7", "DEC 1-4"), after a date that ends in
// a month's name and a day, and the tail of a place's name joined by "and"
// or "&" ("HEALTH AND REHAB").
func (sc *scan) scanDev6() {
	text := sc.text
	// out: the spans found before this pass (addToks below may move sc.out;
	// a span's end is changed in sc.out)
	out := sc.out
	for o := range out {
		if t := out[o].t; t != TypeDate && t != TypeLocation {
			continue
		}
		b := bspan{s: out[o].s, e: out[o].e, t: out[o].t}
		// most spans are followed by a space and a word other than "and",
		// and not glued to a dash: the bytes around a span say first
		// whether any rule below can apply
		after, before := byte(0), byte(0)
		if b.e < len(text) {
			after = text[b.e]
		}
		if b.s > 0 {
			before = text[b.s-1]
		}
		switch b.t {
		case TypeLocation:
			// "QUINCE HILL HEALTH AND REHAB": the name goes on over "and"
			if after != ' ' || b.e+3 >= len(text) || text[b.e+1] != '&' && (text[b.e+1]|0x20 != 'a' || text[b.e+2]|0x20 != 'n') {
				continue
			}
			if k := sc.tokenEndingAt(b.e); k >= 0 {
				if e := sc.placeTail(k); e > k {
					sc.out[o].e = sc.toks[e].e
					for c := k + 1; c <= e; c++ {
						sc.claim[c] = true
					}
				}
			}
			continue
		case TypeDate:
		default:
			continue
		}
		if before == '-' {
			// "Jan-Feb 2026": the first month of a range of months; "3rd-5th
			// Dec": the first day of a range of ordinals
			f := sc.firstTokenFrom(b.s)
			if f >= 2 && f < len(sc.toks) && sc.toks[f].s == b.s && sc.punct(f-1, '-') && sc.joined(f-1) && sc.joined(f) &&
				(sc.toks[f].kw&setMonth != 0 && sc.toks[f-2].kind == kWord && sc.toks[f-2].kw&setMonth != 0 ||
					sc.toks[f].kind == kAlnum && sc.toks[f-2].kind == kAlnum && sc.ordinalDay(f) > 0 && sc.ordinalDay(f-2) > 0) {
				sc.addToks(f-2, f-2, TypeDate, "rules/date")
			}
		}
		last := text[b.e-1]
		switch {
		case after == '-':
		case after == ' ' && isASCIILetter(last) && b.e+1 < len(text) && strings.IndexByte("fstenFSTEN", text[b.e+1]) >= 0:
			// a month's name, then maybe "first", "second" ... "twenty-first"
		default:
			continue
		}
		k := sc.tokenEndingAt(b.e)
		if k < 1 {
			continue
		}
		// "December second", "Jan twenty-first": a day written as a word
		if after == ' ' && sc.toks[k].kind == kWord && sc.toks[k].kw&setMonth != 0 {
			if e := sc.spelledDayAfter(k); e > k {
				sc.out[o].e = sc.toks[e].e
			}
			continue
		}
		// "Oct 3-7", "Dec 1st-2nd": the last day of a range within a month
		if after != '-' || sc.toks[k].kind == kWord || sc.toks[k-1].kind != kWord || sc.toks[k-1].kw&setMonth == 0 || !sc.toks[k].sp {
			continue
		}
		d, e := sc.ordinalDay(k), k+2
		if d == 0 || !sc.punct(k+1, '-') || !sc.joined(k+1) || !sc.joined(e) || e >= len(sc.toks) || sc.toks[e].kind != sc.toks[k].kind {
			continue
		}
		if v := sc.ordinalDay(e); v <= d {
			continue
		}
		if e+1 < len(sc.toks) && sc.joined(e+1) && !sc.punct(e+1, '.') && !sc.punct(e+1, ',') && !sc.punct(e+1, ';') && !sc.punct(e+1, ')') {
			continue // "Oct 3-7/..." or a glued word
		}
		sc.addToks(e, e, TypeDate, "rules/date")
	}
}

// monthInitial: the first letters of longMonths, either case.
var monthInitial = [256]bool{'j': true, 'f': true, 'a': true, 's': true, 'o': true, 'n': true, 'd': true,
	'J': true, 'F': true, 'A': true, 'S': true, 'O': true, 'N': true, 'D': true}

// tokenEndingAt returns the token that ends at byte e, or -1.
func (sc *scan) tokenEndingAt(e int) int {
	if k := sc.searchTokens(e, true); k < len(sc.toks) && sc.toks[k].e == e {
		return k
	}
	return -1
}

// firstTokenFrom returns the first token that starts at byte s or later.
func (sc *scan) firstTokenFrom(s int) int { return sc.searchTokens(s, false) }

// searchTokens returns the first token whose end (byEnd) or start is at
// byte x or later: a binary search, tokens being in text order.
func (sc *scan) searchTokens(x int, byEnd bool) int {
	lo, hi := 0, len(sc.toks)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		v := sc.toks[m].s
		if byEnd {
			v = sc.toks[m].e
		}
		if v < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// longMonths are the month names of six letters or more, the ones a
// hurried hand misspells and no everyday word lies one letter from.
var longMonths = [...]string{"january", "february", "august", "september", "october", "november", "december"}

// misspeltMonthDate claims a month name written one letter wrong (one left
// out, one too many, one changed or two swapped: "Decmber 2", "Novmeber
// 28", "Ocotber 3") and the day of one or two digits after it (token i,
// alone in its run j == i), as a date; it returns i, or -1.
func (sc *scan) misspeltMonthDate(i, j int) int {
	p := i - 1
	if j != i || p < 0 || sc.toks[i].kind != kNum || sc.numLen(i) > 2 || !sc.toks[i].sp || sc.toks[i].nl || sc.toks[p].kind != kWord {
		return -1
	}
	if n := sc.toks[p].e - sc.toks[p].s; n < 5 || n > 10 || sc.toks[p].kw&setMonth != 0 || !monthInitial[sc.text[sc.toks[p].s]] {
		return -1
	}
	if d := sc.numVal(i); d < 1 || d > 31 {
		return -1
	}
	if k := i + 1; k < len(sc.toks) && sc.joined(k) && (sc.punct(k, '/') || sc.punct(k, '-') || sc.toks[k].kind != kPunct) {
		return -1
	}
	w := sc.lower(p)
	for _, m := range longMonths {
		if oneEdit(w, m) {
			sc.addToks(p, i, TypeDate, "rules/date")
			return i
		}
	}
	return -1
}

// oneEdit: a differs from b (b a month name, len(b) >= 5) by one letter
// left out, added or changed, or two neighbours swapped.
func oneEdit(a, b string) bool {
	la, lb := len(a), len(b)
	if a == b || la < lb-1 || la > lb+1 || a[0] != b[0] {
		return false
	}
	k := 0
	for k < la && k < lb && a[k] == b[k] {
		k++
	}
	switch {
	case la == lb:
		if a[k+1:] == b[k+1:] {
			return true
		}
		return k+1 < la && a[k] == b[k+1] && a[k+1] == b[k] && a[k+2:] == b[k+2:]
	case la < lb:
		return a[k:] == b[k+1:]
	default:
		return a[k+1:] == b[k:]
	}
}

// saintDot: token k is the full stop of "MT.", "ST." or "FT." inside a
// place's name ("AT MT. OLIVET UNITED METHODIST"), glued to its word.
func (sc *scan) saintDot(k int) bool {
	return k >= 1 && sc.punct(k, '.') && sc.joined(k) && (sc.is(k-1, "mt") || sc.is(k-1, "st") || sc.is(k-1, "ft")) &&
		k+1 < len(sc.toks) && sc.toks[k+1].sp && !sc.toks[k+1].nl && sc.toks[k+1].kind == kWord
}

// orgTails are the last words of a place's name joined to its head by
// "and" or "&" ("BRIARWOOD HEALTH AND REHAB", "Elm Nursing & Rehabilitation").
var orgTails = map[string]bool{
	"rehab": true, "rehabilitation": true, "nursing": true, "wellness": true, "recovery": true,
	"healthcare": true, "health": true, "convalescent": true,
}

// placeTail returns the last token of "and REHAB" or "& Rehabilitation
// Center" after a place that ends in a service word at token e ("HEALTH",
// "Nursing", "CARE"), or e.
func (sc *scan) placeTail(e int) int {
	k := e + 1
	if !orgTails[sc.lower(e)] && !sc.is(e, "care") && !sc.is(e, "living") {
		return e // "SINAI HOSPITAL AND REHAB CONSULTED": only a service word pairs with another
	}
	if k+1 >= len(sc.toks) || sc.toks[k].nl || sc.toks[k+1].nl || !sc.is(k, "and") && !sc.punct(k, '&') || sc.toks[k+1].kind != kWord ||
		!orgTails[sc.lower(k+1)] || sc.rawCap(k+1) != sc.rawCap(e) {
		return e
	}
	k++
	if n := k + 1; n < len(sc.toks) && !sc.toks[n].nl && sc.toks[n].kind == kWord && (sc.is(n, "center") || sc.is(n, "centre")) {
		k = n
	}
	return k
}

// monthDayToken: token i is a month's name and a day glued in one token
// ("NOV28", "dec3"), which no code of letters and one or two digits spells
// with a month's whole name or abbreviation.
func (sc *scan) monthDayToken(i int) bool {
	t := sc.toks[i]
	if t.kind != kAlnum || t.ndig < 1 || t.ndig > 2 {
		return false
	}
	s := sc.lower(i)
	m := 0
	for m < len(s) && isASCIILetter(s[m]) {
		m++
	}
	if m < 3 || m > 9 || len(s)-m != int(t.ndig) || !allDigits(s[m:]) {
		return false
	}
	if _, ok := months[s[:m]]; !ok {
		return false
	}
	d := 0
	for _, c := range s[m:] {
		d = d*10 + int(c-'0')
	}
	return d >= 1 && d <= 31
}

// spelledOrdinals are the days written as words ("December second", "on
// the fifteenth"); "first" and "second" only after a month, where no noun
// can take them.
var spelledOrdinals = map[string]bool{
	"first": true, "second": true, "third": true, "fourth": true, "fifth": true, "sixth": true,
	"seventh": true, "eighth": true, "ninth": true, "tenth": true, "eleventh": true, "twelfth": true,
	"thirteenth": true, "fourteenth": true, "fifteenth": true, "sixteenth": true, "seventeenth": true,
	"eighteenth": true, "nineteenth": true, "twentieth": true, "thirtieth": true,
}

// spelledDayAfter returns the last token of a day written as a word after
// token e ("second", "twenty-first", "thirty-first"), or e.
func (sc *scan) spelledDayAfter(e int) int {
	k := e + 1
	if k >= len(sc.toks) || sc.toks[k].nl || !sc.toks[k].sp || sc.toks[k].kind != kWord {
		return e
	}
	w := sc.lower(k)
	if (w == "twenty" || w == "thirty") && sc.punct(k+1, '-') && sc.joined(k+1) && sc.joined(k+2) && spelledOrdinals[sc.lower(k+2)] {
		return k + 2
	}
	if spelledOrdinals[w] {
		return k
	}
	return e
}

// dayRangeDate claims a month and day and the last day of a range within
// that month ("12/3-5", "11/28-30"), tokens i..i+4: the days run forward by
// at most a fortnight, nothing glued after, no measure before ("PS 10/5-8"
// stays) and no unit or count after. It returns the last token, or -1.
func (sc *scan) dayRangeDate(i, j int) int {
	if j != i+4 || sc.toks[i].kind != kNum || !sc.punct(i+1, '/') || !sc.punct(i+3, '-') || sc.toks[j].kind != kNum {
		return -1
	}
	for k := i + 1; k <= j; k++ {
		if !sc.joined(k) {
			return -1
		}
	}
	if sc.numLen(i) > 2 || sc.numLen(i+2) > 2 || sc.numLen(j) > 2 {
		return -1
	}
	m, d, e := sc.numVal(i), sc.numVal(i+2), sc.numVal(j)
	if !validMD(m, d) || e <= d || e > 31 || e-d > 14 || sc.measureBefore(i, 3) || sc.unitAfter(j) || sc.countAfter(i, j) || sc.scoreContext(i) {
		return -1
	}
	if p := sc.prevWord(i); p >= 0 && (scoreWords[sc.lower(p)] || sc.is(p, "bp")) {
		return -1
	}
	sc.addDate(i, i+2)
	sc.addToks(j, j, TypeDate, "rules/date")
	return j
}

// everydayPlace: the words s..k-1 before a weak head k ("OAK MEADOW SENIOR
// APARTMENTS", "Red Roof Inn") name a place in everyday words: two or more
// of them say which place (orgRunAt counts them), and none is a word of
// medicine, which names a service ("HIGH RISK OB CLINIC", "bone marrow
// transplant clinic" stay), nor a word that only says what kind of place
// ("our", "outside"); a lower-case head after a capitalised name in a
// mixed-case line stays outside (orgRunAt: headOfName).
func (sc *scan) everydayPlace(s, k int) bool {
	for c := s; c < k; c++ {
		if sc.toks[c].kind == kWord && (sc.toks[c].kw&setMeasure != 0 || clinicWords6[sc.lower(c)] || sc.inSet(c, orgRunGenericSet)) {
			return false
		}
	}
	return true
}

// clinicWords6 name what a clinic or centre treats, not which one it is.
var clinicWords6 = map[string]bool{
	"risk": true, "bone": true, "marrow": true, "transplant": true, "liver": true, "kidney": true,
	"renal": true, "lung": true, "breast": true, "spine": true, "joint": true, "hand": true, "foot": true,
	"vein": true, "memory": true, "stroke": true, "epilepsy": true, "headache": true, "failure": true,
	"disorders": true, "patient": true, "walk": true, "in": true, "express": true, "care": true,
	"infusion": true, "dialysis": true, "imaging": true, "lab": true, "specialty": true, "children's": true,
	"student": true, "treatment": true, "counseling": true, "addiction": true, "methadone": true,
	"suboxone": true, "fertility": true, "birth": true, "vascular": true, "heart": true, "cancer": true,
	"same": true, "day": true, "ambulatory": true, "outpatient": true, "wellness": true, "travel": true,
	"weight": true, "loss": true, "bariatric": true, "diabetes": true, "sleep": true, "pain": true,
	"allergy": true, "asthma": true, "eye": true, "ear": true, "skin": true, "women's": true,
}

// dev6Number runs the number rules of this file on the run of tokens i..j
// (token i a number; from scanNumbers, before the clinical-number grammar):
// a month and day joined by a full stop after an event, a month and day
// with the last day of its range, a misspelt month before its day. It
// returns the last token used, or -1.
func (sc *scan) dev6Number(i, j int) int {
	toks := sc.toks
	switch j - i {
	case 2:
		if toks[i+1].kind == kPunct && toks[i+1].aux == '.' {
			return sc.dotDate(i, j)
		}
	case 4:
		return sc.dayRangeDate(i, j)
	case 0:
		if p := i - 1; p >= 0 && toks[i].ndig <= 2 && toks[p].kind == kWord && toks[p].e-toks[p].s >= 5 &&
			toks[p].kw&setMonth == 0 && monthInitial[sc.text[toks[p].s]] {
			return sc.misspeltMonthDate(i, j)
		}
	}
	return -1
}
