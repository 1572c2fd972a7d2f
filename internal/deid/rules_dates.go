package deid

// More of the date grammar: the shapes nursing shorthand gives dates that the
// plain number shapes of number() miss. Runs of dates glued together
// ("3/2-3/5", "11/30-12/2", "3/2,3/4", "3/2->3/5"), a date glued to a time
// ("3/2@0800"), a date glued behind a cue word ("ON3/2"), a day glued to a
// month word ("3-NOV", "3NOV", "03NOV97"), and counts that look like dates
// ("2/2 blood cultures", "bcx 3/3 bottles") left alone.

// datePiece reads "m/d" or "m/d/yy(yy)" (either order of day and month) at
// token k and returns its last token, or -1.
func (sc *scan) datePiece(k int) int {
	if k+2 >= len(sc.toks) || !sc.punct(k+1, '/') || !sc.joined(k+1) || !sc.joined(k+2) {
		return -1
	}
	if l := sc.numLen(k); l < 1 || l > 2 {
		return -1
	}
	if l := sc.numLen(k + 2); l < 1 || l > 2 {
		return -1
	}
	a, b := sc.numVal(k), sc.numVal(k+2)
	if !validMD(a, b) && !validMD(b, a) {
		return -1
	}
	return sc.slashYear(k + 2)
}

// slashYear returns the last token of "/yy" or "/yyyy" glued after token e,
// or e when none follows.
func (sc *scan) slashYear(e int) int {
	if sc.punct(e+1, '/') && sc.joined(e+1) && sc.joined(e+2) {
		if l := sc.numLen(e + 2); l == 2 || l == 4 {
			return e + 2
		}
	}
	return e
}

// dateSeparator: the punctuation that joins two dates of a run ("-", "--",
// "->", ">", "~", ",", "&"); it returns the token after it, or -1.
func (sc *scan) dateSeparator(k, j int) int {
	n := 0
	for k <= j && n < 3 && sc.toks[k].kind == kPunct && sc.joined(k) {
		switch sc.text[sc.toks[k].s] {
		case '-', '>', '~', ',', '&':
			k++
			n++
			continue
		}
		break
	}
	if n == 0 || k > j || !sc.joined(k) {
		return -1
	}
	return k
}

// dateRun claims tokens i..j when they are two or more dates glued by
// separators ("3/2-3/5", "11/3/97-11/5/97", "3/2,3/4"), or one date glued to a
// clock time by "@" ("3/2@0800"); it returns j, or -1. A measured value
// ("PS 10/5-15/5") or a score is never a run of dates.
func (sc *scan) dateRun(i, j int) int {
	if sc.toks[i].kind != kNum || j-i < 4 || sc.datePiece(i) < 0 {
		return -1
	}
	var pieces [8][2]int
	n := 0
	k := i
	timed := false
	for {
		e := sc.datePiece(k)
		if e < 0 || n == len(pieces) {
			return -1
		}
		pieces[n] = [2]int{k, e}
		n++
		if e == j {
			break
		}
		// "3/2@0800", "3/2@14:30": a clock time ends the run
		if sc.punct(e+1, '@') && sc.joined(e+1) && e+2 <= j && sc.joined(e+2) && (sc.clock(e+2) || sc.numLen(e+2) <= 2) {
			if e+2 == j || e+4 == j && sc.punct(e+3, ':') && sc.numLen(j) == 2 {
				timed = true
				break
			}
			return -1
		}
		if k = sc.dateSeparator(e+1, j); k < 0 {
			return -1
		}
	}
	if n < 2 && !timed || sc.measureBefore(i, 3) || sc.unitAfter(j) || sc.strengthContext(i) || sc.scoreContext(i) {
		return -1
	}
	if p := sc.prevWord(i); p >= 0 && (scoreWords[sc.lower(p)] || sc.is(p, "bp")) {
		return -1
	}
	if k := j + 1; k < len(sc.toks) && sc.toks[k].kind == kWord && !sc.toks[k].nl && countNouns[sc.lower(k)] {
		return -1 // "2/2,3/3 bottles"
	}
	for _, p := range pieces[:n] {
		sc.addDate(p[0], p[1])
	}
	return j
}

// gluedCueDate claims "ON3/2", "SINCE3/2/97": a date glued behind a word that
// introduces one (dateCue), inside one letters-and-digits token, or a whole
// date with its year glued behind any word ("DOB06/03/2019"). Only the
// date is PHI. It returns the last token used, or -1.
func (sc *scan) gluedCueDate(i, j int) int {
	t := sc.toks[i]
	if t.kind != kAlnum || j < i+2 || !sc.punct(i+1, '/') || !sc.joined(i+1) {
		return -1
	}
	s := sc.lower(i)
	n := len(s)
	for n > 0 && isDigit(s[n-1]) {
		n--
	}
	if n < 2 || len(s)-n > 2 {
		return -1
	}
	// after another word only a whole date with its year: "DOB06/03/2019"
	if full := sc.slashYear(i+2) > i+2; !dateCue(s[:n]) && !full {
		return -1
	}
	for c := 0; c < n; c++ {
		if !isASCIILetter(s[c]) {
			return -1
		}
	}
	if sc.numLen(i+2) < 1 || sc.numLen(i+2) > 2 || !sc.joined(i+2) {
		return -1
	}
	a, b := 0, sc.numVal(i+2)
	for c := n; c < len(s); c++ {
		a = a*10 + int(s[c]-'0')
	}
	if !validMD(a, b) && !validMD(b, a) {
		return -1
	}
	e := sc.slashYear(i + 2)
	sc.add(t.s+n, sc.toks[e].e, TypeDate, "rules/date")
	return e
}

// dayMonthToken: one letters-and-digits token that is a day glued to a month
// word, with or without a year: "3NOV", "03NOV97", "21jan2019".
func (sc *scan) dayMonthToken(i int) bool {
	t := sc.toks[i]
	if t.kind != kAlnum {
		return false
	}
	s := sc.lower(i)
	d := 0
	for d < len(s) && isDigit(s[d]) {
		d++
	}
	if d < 1 || d > 2 {
		return false
	}
	m := d
	for m < len(s) && isASCIILetter(s[m]) {
		m++
	}
	if _, ok := months[s[d:m]]; !ok || m-d < 3 {
		return false
	}
	if rest := s[m:]; rest != "" && (!allDigits(rest) || len(rest) != 2 && len(rest) != 4) {
		return false
	}
	day := 0
	for c := 0; c < d; c++ {
		day = day*10 + int(s[c]-'0')
	}
	return day >= 1 && day <= 31
}

// countNouns follow "n/m" when it counts things ("2/2 blood cultures",
// "3/3 bottles", "1/2 sets"): a count, not a date.
var countNouns = map[string]bool{
	"bottle": true, "bottles": true, "set": true, "sets": true, "culture": true, "cultures": true,
	"bcx": true, "bcxs": true, "cx": true, "cxs": true, "blood": true, "specimen": true, "specimens": true,
	"sample": true, "samples": true, "site": true, "sites": true, "view": true, "views": true,
	"lumen": true, "lumens": true, "port": true, "ports": true, "episode": true, "episodes": true,
	"node": true, "nodes": true, "vessel": true, "vessels": true, "cores": true, "core": true,
	"bags": true, "bag": true, "attempts": true, "attempt": true,
}

// countAfter: "n/m" at tokens i..j counts things (n ≤ m, a count noun next)
// or follows "ratio".
func (sc *scan) countAfter(i, j int) bool {
	if sc.numVal(i) <= sc.numVal(j) && j+1 < len(sc.toks) && sc.toks[j+1].kind == kWord && !sc.toks[j+1].nl && countNouns[sc.lower(j+1)] {
		return true
	}
	p := sc.prevWord(i)
	return p >= 0 && (sc.is(p, "ratio") || sc.is(p, "apgars") || sc.is(p, "apgar"))
}

// ordinalNouns follow an ordinal that is not a date ("on the 3rd floor").
var ordinalNouns = map[string]bool{
	"floor": true, "time": true, "times": true, "attempt": true, "day": true, "dose": true, "try": true,
	"trimester": true, "degree": true, "grade": true, "ics": true, "intercostal": true, "rib": true,
	"ribs": true, "toe": true, "toes": true, "finger": true, "fingers": true, "digit": true, "digits": true,
	"nerve": true, "ventricle": true, "cranial": true, "party": true, "shift": true, "year": true,
	"week": true, "month": true, "hour": true, "line": true, "level": true, "place": true, "round": true,
	"cycle": true, "generation": true, "space": true, "person": true, "heart": true, "sound": true,
	"order": true, "stage": true, "step": true, "view": true, "one": true, "of": true, "bag": true,
	"unit": true, "units": true, "lumbar": true, "thoracic": true, "cervical": true, "metatarsal": true,
	"metacarpal": true, "vertebra": true, "branch": true, "division": true, "week's": true, "pod": true,
	"postop": true, "post": true, "bolus": true, "liter": true, "episode": true, "run": true, "set": true,
	"st": true, "ave": true, "avenue": true, "street": true, "wing": true, "bed": true, "room": true,
}

// ordinalCue: "on the 3rd", "since the 21st", "until the 2nd": the word before
// "the" at token i-1 introduces a date, and no noun of ordinalNouns follows.
func (sc *scan) ordinalCue(i int) bool {
	switch {
	case sc.is(i-2, "on"), sc.is(i-2, "since"), sc.is(i-2, "until"), sc.is(i-2, "till"),
		sc.is(i-2, "by"), sc.is(i-2, "from"), sc.is(i-2, "before"), sc.is(i-2, "after"):
	default:
		return false
	}
	k := i + 1
	return k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind != kWord || !ordinalNouns[sc.lower(k)]
}

// weekdayAfter: the words after an abbreviated weekday that make it a day
// ("wed am", "FRI PM", "thurs night").
func (sc *scan) weekdayAfter(i int) bool {
	k := i + 1
	if k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind != kWord {
		return false
	}
	switch sc.lower(k) {
	case "am", "pm", "night", "morning", "evening", "afternoon", "eve", "noc", "nite":
		return true
	}
	return false
}

// lowerDateCue: the word before token i introduces a date ("on", "since",
// "in", "early" ...), or a part of the day follows it ("friday am").
func (sc *scan) lowerDateCue(i int) bool {
	if sc.weekdayAfter(i) {
		return true
	}
	p := i - 1
	if sc.punct(p, '-') && sc.joined(p) && sc.joined(i) {
		p-- // "mid-june"
	}
	if p < 0 || sc.toks[p].kind != kWord || sc.toks[i].nl {
		return false
	}
	switch sc.lower(p) {
	case "on", "by", "next", "last", "this", "until", "till", "since", "from", "in", "early", "mid", "late",
		"before", "after", "of":
		return true
	}
	return false
}

// smallParts: tokens i..j are numbers of one or two digits joined by
// punctuation ("1/2-3/4", "4/5-5/5", "2/2,3/3"): fractions, grades and
// counts, never an identifier without a cue.
func (sc *scan) smallParts(i, j int) bool {
	for k := i; k <= j; k++ {
		switch sc.toks[k].kind {
		case kNum:
			if sc.numLen(k) > 2 {
				return false
			}
		case kPunct:
		default:
			return false
		}
	}
	return true
}

// valueNext: a number or a value follows token i on its line ("sat 94%",
// "sat 88-92"): "sat" is then a saturation, not Saturday.
func (sc *scan) valueNext(i int) bool {
	k := i + 1
	if k >= len(sc.toks) || sc.toks[k].nl {
		return false
	}
	if sc.punct(k, ':') || sc.punct(k, '=') || sc.punct(k, '~') || sc.punct(k, '>') || sc.punct(k, '<') {
		k++
	}
	return k < len(sc.toks) && (sc.toks[k].kind == kNum || sc.toks[k].kind == kAlnum && sc.toks[k].ndig > 0)
}

// measureOnLine: one of the n words before token i on its line is a measure
// word ("BIPAP AT NIGHT 14/6").
func (sc *scan) measureOnLine(i, n int) bool {
	for k := i - 1; k >= 0 && n > 0; k-- {
		if sc.toks[k].kind == kWord {
			if measureWords[sc.lower(k)] {
				return true
			}
			n--
		}
		if sc.toks[k].nl {
			break
		}
	}
	return false
}
