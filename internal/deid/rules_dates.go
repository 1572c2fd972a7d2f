package deid

// More of the date grammar: the shapes nursing shorthand gives dates that the
// plain number shapes of number() miss. Runs of dates glued together
// ("3/2-3/5", "11/30-12/2", "3/2,3/4", "3/2->3/5"), a date glued to a time
// ("3/2@0800"), a date glued behind a cue word ("ON3/2"), a day glued to a
// month word ("3-NOV", "3NOV", "03NOV97"), and counts that look like dates
// ("2/2 blood cultures", "bcx 3/3 bottles") left alone.

import "github.com/trustgate/trustgate/internal/deid/lexicon"

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
		case '-', '>', '~', ',', '&', '+': // "12/3+12/4" (rules_dev11.go)
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

// dateRun settles the run of touching tokens i..j (from scanNumbers, before
// the clinical-number grammar) when the date grammar knows its shape: a
// fraction, grade or count that only looks like a date is marked clinical
// (notDate), and a date is claimed (gluedRun, numberDate); it returns the
// last token used, or -1 when the run is left to the other number rules.
func (sc *scan) dateRun(i, j int) int {
	if e := sc.notDate(i, j); e >= 0 || sc.trendValue(i, j) {
		e = max(e, j)
		sc.markClinical(i, e)
		return e
	}
	// "(4/9-4/12, D/C'D)", "(3/1-3/3)": a run of dates in parentheses
	if sc.punct(i, '(') && i < j && sc.joined(i+1) {
		e := j
		if sc.punct(e, ')') {
			e--
		}
		if r := sc.gluedRun(i+1, e); r >= 0 {
			return r
		}
	}
	if e := sc.gluedRun(i, j); e >= 0 {
		return e
	}
	return sc.numberDate(i, j)
}

// gluedRun claims tokens i..j when they are two or more dates glued by
// separators ("3/2-3/5", "11/3/97-11/5/97", "3/2,3/4"), or one date glued to a
// clock time by "@" ("3/2@0800"); it returns j, or -1. A measured value
// ("PS 10/5-15/5") or a score is never a run of dates.
func (sc *scan) gluedRun(i, j int) int {
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
	if n < 2 && !timed || sc.measureBefore(i, 3) && !(n == 2 && sc.dateRange(pieces[0], pieces[1])) || sc.unitAfter(j) || sc.strengthContext(i) || sc.scoreContext(i) {
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
	"bags": true, "bag": true, "attempts": true, "attempt": true, "beds": true, "rooms": true,
	"objects": true, "items": true,
	"signs": true, "words": true, "commands": true, // "ABLE TO STATE 4/5 SIGNS" (dev113)
}

// feedCount: "n/m" at token i, before feeds, counts the feeds taken by
// mouth ("po 4/4 feeds", "PO'd 3/8 feeds fully", "bottled 5/8 feeds":
// dev81); "on 3/8 feeds restarted" stays a date (review21).
func (sc *scan) feedCount(i, j int) bool {
	k := j + 1
	if k >= len(sc.toks) || sc.toks[k].nl || !(sc.is(k, "feeds") || sc.is(k, "feed") || sc.is(k, "feedings")) {
		return false
	}
	p := sc.prevWord(i)
	if p < 0 || sc.toks[i].nl {
		return false
	}
	switch sc.lower(p) {
	case "po", "po'd", "took", "completed", "finished", "bottled", "nippled", "breastfed":
		return true
	}
	return false
}

// organisms grew in the bottles counted before them ("blood cx 1/2 mssa").
var organisms = map[string]bool{
	"mssa": true, "mrsa": true, "gpc": true, "gpcs": true, "gnr": true, "gnrs": true, "gpr": true, "staph": true,
	"strep": true, "vre": true, "ecoli": true, "klebsiella": true, "pseudomonas": true, "enterococcus": true,
	"candida": true, "cons": true, "micrococcus": true,
}

// liquorWords follow "a 1/5" (a fifth of a gallon): "1/5 vodka daily",
// "a 1/5 of whiskey".
var liquorWords = map[string]bool{
	"vodka": true, "whiskey": true, "whisky": true, "gin": true, "rum": true, "tequila": true, "bourbon": true,
	"brandy": true, "liquor": true, "scotch": true, "wine": true, "booze": true,
}

// leakChamber: the fraction at token i grades a chest drain's air leak by
// its chambers ("air leak 2/7 on cough", "AIRLEAK 3/7", "small air leak w/
// cough (1/7 on pleur-evac chamber)", "+AIRLEAK 1/5"): "leak" within three
// words before, in the sentence; farther back in it only after "now" or "to"
// ("leak 2/7 on water seal, now 1/7"); never after a word that dates ("air
// leak 3/7, seen 4/7"), nor with the leak in an earlier sentence ("No air
// leak. 3/7 CXR clear").
func (sc *scan) leakChamber(i int) bool {
	near := false
	if sc.afterDateCue(i) {
		return false
	}
	if q := sc.prevWord(i); q >= 0 && (sc.is(q, "now") || sc.is(q, "to")) {
		near = true
	}
	for p, words := i-1, 0; p >= 0 && p >= i-16 && !sc.toks[p+1].nl && !sc.punct(p, '.') && !sc.punct(p, ';'); p-- {
		if sc.toks[p].kind == kWord {
			words++
		}
		if sc.is(p, "leak") || sc.is(p, "leaks") || sc.is(p, "airleak") || sc.is(p, "airleaks") {
			return words <= 3 || near
		}
	}
	return false
}

// afterDateCue: the word before token i (over punctuation that does not end
// a clause) introduces a date ("seen 4/7", "admitted 1/5").
func (sc *scan) afterDateCue(i int) bool {
	p := sc.prevWord(i)
	return p >= 0 && dateCue(sc.lower(p))
}

// fifthOfLiquor: "1/5" at token i, next the word after it, is a fifth of a
// gallon of liquor: "a 1/5 of vodka", or "1/5 VODKA" with how often after
// it ("DAILY", "a day", "per day"); never after a word that dates.
func (sc *scan) fifthOfLiquor(i, next int) bool {
	if sc.afterDateCue(i) {
		return false
	}
	if sc.is(next, "of") {
		next++
	}
	if next >= len(sc.toks) || !liquorWords[sc.lower(next)] {
		return false
	}
	if sc.is(i-1, "a") || sc.is(next-1, "of") {
		return true
	}
	n := next + 1
	if sc.is(n, "per") || sc.is(n, "a") || sc.is(n, "every") || sc.is(n, "each") {
		n++ // "per day", "a night", "every day"
		return sc.is(n, "day") || sc.is(n, "night") || sc.is(n, "week") || sc.is(n, "weekend")
	}
	return sc.is(n, "daily") || sc.is(n, "nightly") || sc.is(n, "weekly") || sc.is(n, "qd") || sc.is(n, "x") || sc.punct(n, '/')
}

// cultureWords come before the bottles a culture grew in ("gpc in
// clusters 2/2", "GNR 1/2").
var cultureWords = map[string]bool{
	"clusters": true, "chains": true, "pairs": true, "gpc": true, "gpcs": true, "gnr": true, "gnrs": true,
	"gpr": true, "gnc": true, "gnb": true,
}

// countAfter: "n/m" at tokens i..j counts things (n ≤ m, a count noun next)
// or follows "ratio".
func (sc *scan) countAfter(i, j int) bool {
	if sc.numVal(i) <= sc.numVal(j) && (j+1 < len(sc.toks) && sc.toks[j+1].kind == kWord && !sc.toks[j+1].nl && countNouns[sc.lower(j+1)] || sc.feedCount(i, j)) {
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
		sc.is(i-2, "by"), sc.is(i-2, "from"), sc.is(i-2, "before"), sc.is(i-2, "after"),
		i >= 2 && sc.toks[i-2].kind == kWord && weekdayWord(sc.lower(i-2)): // "Tues the 8th" (rules_dev6.go)
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
	if sc.punct(k, '.') && sc.joined(k) {
		k++ // "Sun. AM", "sat. night" (rules_dev11.go)
	}
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
				return !sc.papSmearDate(k, i)
			}
			n--
		}
		if sc.toks[k].nl {
			break
		}
	}
	return false
}

// papSmearDate: measure word k is "pap" and tokens from i are a month and
// day: the Pap smear's date ("pap from 11/3: nilm", "PAP 10/2 ASCUS"), for a
// pulmonary artery pressure's systolic is never as low as a month (PAP
// 35/18).
func (sc *scan) papSmearDate(k, i int) bool {
	return (sc.is(k, "pap") || sc.is(k, "paps")) && sc.monthDayAt(i) && sc.numVal(i) <= 12
}

// fractionNouns follow "n/m" (or are glued to it) when it is a fraction of
// a dose, a fluid or a strength ("1/2 NS", "D5 1/2NS", "1/2 maintenance",
// "3/4 strength", "1/2 ppd") or a count of findings ("0/18 lymph nodes",
// "2/2 gpc"): never a date.
var fractionNouns = map[string]bool{
	"ns": true, "nss": true, "maintenance": true, "mivf": true, "ppd": true, "pack": true, "packs": true,
	"pk": true, "lymph": true, "ln": true, "lns": true, "gpc": true, "gpcs": true, "gnr": true, "gnrs": true,
	"gpr": true, "gprs": true, "gnc": true, "gpb": true, "gnb": true, "yeast": true, "strength": true,
	"str": true, "tsp": true, "tbsp": true, "cup": true, "cups": true, "can": true, "cans": true,
	"chip": true, "chips": true, "supp": true, // "GLYCERIN 1/4 CHIP GIVEN" (dev51)
	"lpm":   true,               // "LFNC 1/8 LPM" (dev34)
	"maint": true, "size": true, // "FLUID RESTRICTION 2/3 MAINT", "1/2 size smaller" (dev57)
	"amp": true, "amps": true, "replacement": true, // "1/2 amp d50", "switched to 1/2 replacement" (dev60)
	"miv": true, "goal": true, "bottles": true, // "ivf 1/2 miv", "start 1/2 goal", "1/2 bottles" (dev122-dev161)
}

// examWords come right before a grade or a pair of findings written "n/m"
// ("PUPILS 4/3 BRISK", "DTR 0/4", "TOF 1/4", "mae 4/5", "HEMIPARESIS 2/5").
var examWords = map[string]bool{
	"pupils": true, "pupil": true, "perrl": true, "perrla": true, "perla": true, "dtr": true, "dtrs": true,
	"reflex": true, "reflexes": true, "tof": true, "twitches": true, "mae": true, "hemiparesis": true,
	"hemiplegia": true, "paresis": true, "murmur": true, "sem": true, "hsm": true, "grade": true,
	"apgar": true, "apgars": true, "strength": true, "motor": true, "grips": true, "grip": true,
	// a pacer's sensitivity, threshold and output ("sensitivity 2/2")
	"sensitivity": true, "threshold": true, "output": true,
	"sens":  true, // a pacer's sensitivity ("SENS 2/2")
	"ma":    true, // a pacer's output ("DDD 90 MA 10/10")
	"drift": true, // a stroke scale item ("L ARM DRIFT 2/4")
	"four":  true, // "train of four 4/4" (dev57)
	"bpp":   true, // a biophysical profile out of 8 ("BPP 8/8": dev78)
}

// murmurWords follow a murmur's grade out of six ("2/6 SEM", "3/6 holosystolic").
var murmurWords = map[string]bool{
	"sem": true, "sm": true, "hsm": true, "murmur": true, "systolic": true, "diastolic": true,
	"holosystolic": true, "ejection": true, "dm": true, "mr": true, "usb": true, "lsb": true, "rusb": true, "lusb": true,
}

// comparedValue: number token i is glued to a comparison before it (">2/38",
// "<=0.5/9.5", ">=4/76"), not to an arrow ("12/1->12/3", "=>12/3": a range
// of dates).
func (sc *scan) comparedValue(i int) bool {
	p := i - 1
	if p < 0 || !sc.joined(i) {
		return false
	}
	if sc.punct(p, '=') && sc.joined(p) && (sc.punct(p-1, '<') || sc.punct(p-1, '>')) {
		return true
	}
	return sc.punct(p, '<') || sc.punct(p, '>') && !(sc.joined(p) && (sc.punct(p-1, '-') || sc.punct(p-1, '=')))
}

// notDate: tokens i..j are a fraction, a grade, a count or a list of
// values that reads like a date but is none ("1/2 NS", "D5 1/2NS", "5/5
// strength", "2/2 gpc", "PUPILS 3/3", "(2/5 LUE)", "weaker 2/5", "2/6 SEM",
// "80/60/40 CC/HR", "1/4\" packing", "relief to 4/10" on a line about pain,
// "failure 2/2 ALS" for "secondary to"), or a time of day after a word that
// introduces one ("ETA 1730"); it returns j, or -1.
func (sc *scan) notDate(i, j int) int {
	if j == i && sc.clockAfterCue(i) {
		return i // "ETA 1730", "RENEWED 0800": a time of day
	}
	if sc.shiftHours(i, j) {
		return j // "NPN 07-19": the hours of a shift
	}
	if sc.punct(i, '(') && i < j && sc.joined(i+1) {
		i++ // "(3/5 LUE)"
	}
	if sc.toks[i].kind != kNum || !sc.punct(i+1, '/') || !sc.joined(i+1) || !sc.joined(i+2) || sc.numLen(i) > 3 {
		return -1
	}
	if j == i+2 && sc.comparedValue(i) && (sc.numVal(i) > 12 || sc.numVal(j) > 31) {
		// "Trimeth/sulfa >2/38 R": a susceptibility's MIC (dev62), a pair
		// that no month and day can be; not "DOB>1/2/1950" nor
		// "admitted <12/3" (review14)
		return j
	}
	next := j + 1
	word := next < len(sc.toks) && !sc.toks[next].nl && sc.toks[next].kind == kWord
	// "D5 1/2NS": a fraction glued to its fluid
	if j == i+2 && sc.toks[j].kind == kAlnum {
		s := sc.lower(j)
		d := 0
		for d < len(s) && isDigit(s[d]) {
			d++
		}
		if d >= 1 && d <= 2 && fractionNouns[s[d:]] {
			return j
		}
		return -1
	}
	// "bc 12/4 ng": a culture's date and "no growth", not nanograms
	if sc.cultureNG(i, j) {
		return -1
	}
	// "80/60/40 CC/HR", "3/4 tab", "1/2 NS": values or a fraction before a unit
	if (j == i+2 || j == i+4 && sc.punct(i+3, '/') && sc.numLen(j) > 0 && sc.numLen(j) <= 3) && sc.numLen(i+2) > 0 && sc.numLen(i+2) <= 3 &&
		(sc.unitAfter(j) || word && (units[sc.lower(next)] || fractionNouns[sc.lower(next)]) || sc.punct(next, '"') && sc.joined(next)) { // (1/4" packing: inches)
		return j
	}
	if j != i+2 || sc.numLen(j) == 0 || sc.numLen(j) > 2 {
		return -1
	}
	a, b := sc.numVal(i), sc.numVal(j)
	// "Suboxone 8/2 BID", "12/3 BID": buprenorphine and naloxone, four to
	// one, before how often they are given ("started abx 11/28 BID" stays a
	// date; "daily" and "prn" also follow dates: review12)
	if a == 4*b && sc.frequencyAfter(j) && sc.toks[j+1].sp && !sc.is(j+1, "daily") && !sc.is(j+1, "prn") && !sc.afterDateCue(i) {
		return j
	}
	if p := sc.prevWord(i); p >= 2 && p == i-1 && sc.is(p, "h") && sc.punct(p-1, '/') && sc.is(p-2, "h") {
		return j // "H/H 11/33": haemoglobin over haematocrit
	}
	if a == 24 && b == 7 && sc.numLen(j) == 1 {
		if !sc.afterDateCue(i) {
			return j // "at bedside 24/7": always, not the 24th of July
		}
	}
	if a > 10 || b > 10 {
		return -1
	}
	// "D5 1/2 NS": a fraction after the dextrose it is mixed with
	if p := i - 1; p >= 0 && sc.toks[i].sp && !sc.toks[i].nl && sc.toks[p].kind == kAlnum && (sc.is(p, "d5") || sc.is(p, "d10") || sc.is(p, "d5w")) {
		return j
	}
	if p := sc.prevWord(i); p >= 0 && examWords[sc.lower(p)] {
		return j // "PUPILS 4/3" (two sizes), "DTR 0/4", "TOF 1/4"
	}
	if a > b {
		return -1 // a grade or a count is out of its maximum
	}
	if p := sc.prevWord(i); p >= 0 && (p == i-1 || p == i-2 && sc.punct(i-1, '~') && sc.joined(i)) && eatVerbs[sc.lower(p)] && a < b {
		return j // "ate 1/2 sandwich", "took 3/4 of tray", "took ~2/3 of each dose" (dev67): a part of a meal
	}
	if p := sc.prevWord(i); p >= 0 && p == i-1 && partWords[sc.lower(p)] && a < b && b <= 4 && word && sc.is(next, "of") {
		return j // "LOWER 1/3 OF STERNAL INCISION": a part of it
	}
	switch b {
	case 5: // "2/5 LUE", "4/5 x4", "R side weaker 2/5": strength of a limb
		if word && strengthWords[sc.lower(next)] || next < len(sc.toks) && !sc.toks[next].nl && sc.toks[next].kind == kAlnum && sc.lower(next)[0] == 'x' {
			return j
		}
		// "MAE 5/5 upper, 4/5 lower.": the limbs, ending the clause (not
		// "Seen in clinic 4/5 lower back pain")
		if word && (sc.is(next, "upper") || sc.is(next, "lower")) && sc.clauseEndWord(next+1) {
			return j
		}
		if p := sc.prevWord(i); p >= 0 && (strengthWords[sc.lower(p)] || sc.is(p, "weaker") || sc.is(p, "stronger") || sc.is(p, "side") && p == i-1) { // "R SIDE 4/5"
			return j
		}
		if sc.leakChamber(i) {
			return j // "+AIRLEAK 1/5": a drain of five chambers
		}
		// "(2/5 from 4/5)", "3/5 to 4/5": a grade after the grade it
		// changed from or to (dev66), both out of five and at most five
		// (not "changed 9/5 to 10/5", nor a date found before it)
		if p := sc.prevWord(i); a <= 5 && p >= 3 && p == i-1 && (sc.is(p, "from") || sc.is(p, "to")) && sc.toks[p-1].kind == kNum && sc.numVal(p-1) == 5 &&
			sc.punct(p-2, '/') && sc.joined(p-1) && sc.toks[p-3].kind == kNum && sc.numVal(p-3) <= 5 && !sc.dateEndsAt(p-1) {
			return j
		}
		// "1/5 VODKA DAILY", "a 1/5 of whiskey": a fifth of a gallon, drunk
		// as a habit (not "Last drink 1/5 vodka per wife", "Admitted 1/5
		// etoh withdrawal": a date)
		if a == 1 && word && sc.fifthOfLiquor(i, next) {
			return j
		}
	case 7:
		if sc.leakChamber(i) {
			return j
		}
	case 4: // "TOF goal 2/4", "TOF 2/4 at 0100, 2/4 at 0500": twitches of four
		if sc.tofCount(i) {
			return j
		}
	case 6: // "2/6 SEM at RUSB"
		if word && murmurWords[sc.lower(next)] {
			return j
		}
	case 10: // "relief to 4/10", "5/10 at 0400" on a line about pain
		if sc.scoreOnLine(i) && (!sc.afterDateCue(i) || sc.tenthBefore(i)) {
			return j // "Pain: 5/10 before, 7/10 after" (dev115)
		}
	}
	if word && countNouns[sc.lower(next)] || a <= b && sc.feedCount(i, j) {
		return j // "2/2 bottles", "po 4/4 feeds"
	}
	if p := sc.prevWord(i); b <= 4 && p >= 0 && p >= i-2 && (cultureWords[sc.lower(p)] || (b == 2 || b == 4) && a == b && (sc.is(p, "bcx") || sc.is(p, "bcxs"))) {
		return j // "gpc in clusters 2/2": bottles grown; "BCx 4/4 MSSA", "bcx 2/2 from admission" (dev91; "bcx 1/2, 1/3" and "cultures 1/3" stay dates: dev3)
	}
	if b <= 4 && word && (organisms[sc.lower(next)] || sc.is(next, "e") && sc.is(next+1, "coli")) {
		if p := sc.prevWord(i); p >= 0 && (sc.is(p, "cx") || sc.is(p, "bcx") || sc.is(p, "culture") || sc.is(p, "cultures") || sc.is(p, "bc")) {
			return j // "blood cx 1/2 mssa": one bottle of two grew it
		}
	}
	// "resp failure 2/2 ALS", "AMS 2/2 hypoglycemia": "secondary to"
	// between a finding and its cause, not a date after a word that dates
	// (or before a quoted cause opening with an article: "poor sleep 2/2
	// \"the beeping.\""; not "Pt called 2/2 \"wants refill\"")
	if a == 2 && b == 2 && (word && !functionWord(sc.lower(next)) || sc.punct(next, '"') && sc.joined(next+1) && (sc.is(next+1, "the") || sc.is(next+1, "a"))) {
		if p := sc.prevWord(i); p >= 0 && p == i-1 && !dateCue(sc.lower(p)) && sc.toks[p].kw&(setMonth|setDay) == 0 {
			return j
		}
		// before a clinical cause, after a quantity or a verb that may
		// date ("PPH 3600ML 2/2 ATONY", "INTUBATED 2/2 APNEA": dev57,
		// dev78); not after a preposition that dates ("on 2/2 sepsis")
		if p := i - 1; word && p >= 0 && !sc.toks[i].nl && sc.toks[next].flags&lexicon.Clinical != 0 && sc.toks[next].kw == 0 &&
			(sc.toks[p].kind == kAlnum || sc.toks[p].kind == kWord && datingVerbs[sc.lower(p)]) {
			return j
		}
	}
	return -1
}

// shiftHeaders head a nursing note before the hours of its shift.
var shiftHeaders = map[string]bool{"npn": true, "note": true, "shift": true, "nsg": true, "nursing": true}

// shiftStarts are the hours that nursing shifts start at.
var shiftStarts = map[int]bool{7: true, 19: true, 23: true, 15: true, 11: true, 3: true}

// shiftHours: tokens i..j are "a-b" right after a note's header ("NPN
// 07-19", "nsg note 19-07", "NPN 7-3": dev52) or at a line's start right
// before it ("3-11 NPN:": dev63), a and b the hours a shift
// starts (shiftStarts) and ends, eight or twelve hours apart (eight on a
// 12-hour clock when both are 12 or less), not a month and day.
func (sc *scan) shiftHours(i, j int) bool {
	if j != i+2 || !sc.punct(i+1, '-') || !sc.joined(i+1) || !sc.joined(j) || sc.numLen(i) > 2 || sc.numLen(j) > 2 || sc.numLen(j) == 0 {
		return false
	}
	header := func(k int) bool { return k < len(sc.toks) && sc.toks[k].kind == kWord && shiftHeaders[sc.lower(k)] }
	if p := sc.prevWord(i); p < 0 || p != i-1 || sc.toks[i].nl || !header(p) {
		// or the hours open the line before the header ("3-11 NPN:": dev63)
		if !(sc.toks[i].nl || i == 0) || !header(j+1) || sc.toks[j+1].nl || !sc.toks[j+1].sp {
			return false
		}
	}
	a, b := sc.numVal(i), sc.numVal(j)
	if !shiftStarts[a] || b > 23 {
		return false
	}
	if a <= 12 && b <= 12 {
		return (b-a+12)%12 == 8 // "7-3", "3-11", "11-7"
	}
	d := (b - a + 24) % 24
	return d == 8 || d == 12
}

// datingVerbs are the verbs among dateCue's words after which "2/2"
// before a clinical word is "secondary to" ("INTUBATED 2/2 APNEA"); not
// "admitted" or "transferred", which go on to a place ("Transferred 2/2
// ICU": review20).
var datingVerbs = map[string]bool{
	"intubated": true, "extubated": true,
}

// partWords name the part of a thing that a fraction before "of" measures
// ("lower 1/3 of incision").
var partWords = map[string]bool{
	"lower": true, "upper": true, "distal": true, "proximal": true, "mid": true, "middle": true, "outer": true,
	"inner": true, "medial": true, "lateral": true, "bottom": true, "top": true,
}

// eatVerbs come right before the part of a meal or a drink taken ("ate 1/2
// sandwich"): a fraction, not a date.
var eatVerbs = map[string]bool{
	"ate": true, "eaten": true, "eating": true, "eats": true, "drank": true, "consumed": true,
}

// tofCount: the pair "n/4" at token i counts twitches of a train of four:
// "TOF" is one of the two words right before it in its clause ("TOF 2/4",
// "TOF goal 2/4"), or it follows a count and its time ("TOF 2/4 at 0100,
// 2/4 at 0500"). A date later in the sentence stays ("TOF 4/4 this AM.
// Follow up clinic 3/4").
func (sc *scan) tofCount(i int) bool {
	for depth := 0; depth < 8; depth++ {
		for k, words := i-1, 0; k >= 0 && words < 2 && !sc.toks[k+1].nl && sc.toks[k].kind == kWord; k-- {
			if sc.is(k, "tof") {
				return true
			}
			words++
		}
		// "tof 0/4 x2 then 1/4" (dev68): the chain's previous count, how
		// often it was counted, then "then"
		if c := i - 1; sc.is(c, "then") && !sc.toks[i].nl {
			c--
			if c >= 0 && sc.toks[c].kind == kAlnum && sc.lower(c)[0] == 'x' {
				c--
			}
			if c < 2 || sc.toks[c].kind != kNum || sc.numVal(c) != 4 || !sc.punct(c-1, '/') || sc.toks[c-2].kind != kNum {
				return false
			}
			i = c - 2
			continue
		}
		// ", " after "n/4 at HHMM" before i: the chain's previous count
		c := i - 1
		if !sc.punct(c, ',') || c < 6 || !sc.clock(c-1) || !sc.is(c-2, "at") ||
			sc.toks[c-3].kind != kNum || !sc.punct(c-4, '/') || sc.toks[c-5].kind != kNum || sc.numVal(c-3) != 4 {
			return false
		}
		i = c - 5
	}
	return false
}

// timeCues come right before a time of day ("at 0800", "ETA 1730",
// "since 1220", "RENEWED 0800", "first case, 0730").
var timeCues = map[string]bool{
	"at": true, "eta": true, "since": true, "until": true, "till": true, "by": true, "from": true,
	"around": true, "approx": true, "approximately": true, "before": true, "after": true, "renewed": true,
	"due": true, "starting": true, "started": true, "case": true, "called": true, "paged": true,
}

// clockAfterCue: token i is a four-digit time of day alone (no digit or
// letter glued on) after a word of timeCues or "@", on the same line.
func (sc *scan) clockAfterCue(i int) bool {
	if !sc.clock(i) || sc.toks[i].nl || i+1 < len(sc.toks) && sc.joined(i+1) && sc.toks[i+1].kind != kPunct {
		return false
	}
	if sc.punct(i-1, '@') {
		return true
	}
	p := sc.prevWord(i)
	return p >= 0 && timeCues[sc.lower(p)]
}

// scoreOnLine: a word that names what is scored out of ten ("pain", "CP")
// stands earlier on token i's line.
func (sc *scan) scoreOnLine(i int) bool {
	for k := i - 1; k >= 0; k-- {
		if sc.toks[k].kind == kWord && (scoreWordsBefore[sc.lower(k)] || sc.headacheAbbrev(k)) {
			return true
		}
		if sc.toks[k].nl {
			return false
		}
	}
	return false
}

// tenthBefore: a comma before token i, and a score out of ten ("5/10")
// ending at most three tokens before it in the same sentence: the word
// that would date the next one joins two scores ("5/10 before, 7/10
// after"); "Pain 5/10. Seen on 7/10" and "pain 5/10 since 7/10" keep
// their dates.
func (sc *scan) tenthBefore(i int) bool {
	if !sc.punct(i-1, ',') {
		return false
	}
	for k := i - 2; k >= 2 && k >= i-4; k-- {
		if sc.toks[k+1].nl || sc.punct(k, '.') || sc.punct(k, ';') {
			return false
		}
		if sc.toks[k].kind == kNum && sc.numVal(k) == 10 && sc.punct(k-1, '/') && sc.toks[k-2].kind == kNum && sc.numVal(k-2) <= 10 {
			return true
		}
	}
	return false
}

// dayCountWords are counted in days ("HD 5", "POD 2"), so a month and day
// after one is the date of the event they name ("LAST HD 12/21", "first HD
// 12/4": hemodialysis), never a count.
var dayCountWords = map[string]bool{"hd": true, "pod": true, "hod": true}

// numberDate claims the dates of tokens i..j that the other number rules
// leave or would read as a value: a whole date before a clock time ("ABG
// 4/3/19 0800"), a month and day after "HD" or "POD" ("LAST HD 12/21"), a
// date alone in parentheses after a value ("lactate 1.8 (1/4)"), the next
// date of a list ("cultures 1/3, 1/4:"), a date after a weekday ("Sat 1/6",
// where "sat" would be a saturation), an approximate date ("~5/17") and a
// dash date after a procedure done ("S/P AVR 9-7"). It returns the last
// token used, or -1.
func (sc *scan) numberDate(i, j int) int {
	// "(1/4)" after a value
	if sc.punct(i, '(') && sc.punct(j, ')') && j >= i+4 && sc.datePiece(i+1) == j-1 {
		if p := i - 1; p >= 0 && sc.toks[i].sp && !sc.toks[i].nl && sc.toks[p].kind == kNum && !sc.unitAfter(j) {
			sc.addDate(i+1, j-1)
			return j
		}
		return -1
	}
	// "S/P AVR 9-7", "s/p ex lap 3-2": a month and day joined by "-" after
	// a procedure done
	if j == i+2 && sc.punct(i+1, '-') && sc.joined(i+1) && sc.joined(j) && sc.numLen(i) <= 2 && sc.numLen(j) <= 2 && sc.numLen(j) > 0 &&
		validMD(sc.numVal(i), sc.numVal(j)) && (sc.statusPost(i) || sc.dashDateCue(i)) && !sc.unitAfter(j) && !sc.measureBefore(i, 3) {
		sc.addDate(i, j)
		return j
	}
	if sc.toks[i].kind != kNum || sc.datePiece(i) != j {
		return -1
	}
	a, b := sc.numVal(i), sc.numVal(i+2)
	next := j + 1
	if sc.unitAfter(j) || sc.countAfter(i, j) || next < len(sc.toks) && !sc.toks[next].nl && (sc.punct(next, '%') || sc.toks[next].kind == kWord && units[sc.lower(next)]) {
		return -1
	}
	// "ABG 4/3/19 0800": a date with its year before a clock time
	if j == i+4 && next < len(sc.toks) && sc.toks[next].sp && !sc.toks[next].nl && sc.clock(next) && validMD(a, b) {
		sc.addDate(i, j)
		return j
	}
	p := sc.prevWord(i)
	// "LAST HD 12/21", "first HD 12/4"
	if p >= 0 && p == i-1 && dayCountWords[sc.lower(p)] && validMD(a, b) {
		sc.addDate(i, j)
		return j
	}
	// "Sat 1/6", "FRI 8/9": a date after its weekday
	if p >= 0 && p == i-1 && !sc.toks[i].nl && (shortWeekday(sc.lower(p)) || sc.in(p, setDay)) && validMD(a, b) {
		sc.addToks(p, j, TypeDate, "rules/date")
		return j
	}
	// "1/3, 1/4:", "3/2 and 3/4": the next date of a list
	if k := i - 1; k >= 1 && sc.toks[i].sp && !sc.toks[i].nl && (sc.punct(k, ',') || sc.punct(k, ';') || sc.punct(k, '&') || sc.is(k, "and")) && sc.dateEndsAt(k-1) && validMD(a, b) {
		sc.addDate(i, j)
		return j
	}
	// "~5/17": about a day (not "~1/2", about a half, nor "took ~2/3 of
	// each dose": dev67)
	if sc.punct(i-1, '~') && sc.joined(i) && validMD(a, b) && !(a == 1 && b <= 4) && !(a < b && b <= 4 && sc.is(next, "of")) && !sc.measureBefore(i-1, 3) && !sc.scoreContext(i) {
		sc.addDate(i, j)
		return j
	}
	return -1
}

// statusPost: "s/p" and at most three words (the procedure) come before
// token i on its line ("S/P AVR 9-7", "s/p ex lap 3-2").
func (sc *scan) statusPost(i int) bool {
	words := 0
	for k := i - 1; k >= 2 && words <= 3; k-- {
		if sc.toks[k+1].nl {
			return false
		}
		switch {
		case sc.is(k, "p") && sc.punct(k-1, '/') && sc.is(k-2, "s") && sc.joined(k) && sc.joined(k-1):
			return words > 0
		case sc.toks[k].kind == kWord:
			words++
		case sc.toks[k].kind == kPunct && sc.text[sc.toks[k].s] != '/':
			return false
		}
	}
	return false
}

// dashDateCue: the month and day at token i, joined by "-" follow a word that
// books or dates an event ("d/c home 12-9", "f/u w/ pcp 12-14", "appt
// 12-3", "EGD 12-4", "CANNULATED 12-3").
func (sc *scan) dashDateCue(i int) bool {
	if p := sc.prevWord(i); p >= 0 && p == i-1 {
		if procDays[sc.lower(p)] {
			return true
		}
		switch sc.lower(p) {
		case "home", "pcp", "appt", "appointment", "due", "until", "scheduled", "sched", "clinic", "visit", "dc", "discharge",
			// an event dated ("EGD 12-4 W/ BANDING", "CANNULATED 12-3")
			"cannulated", "placed", "adm", "admitted", "extubated", "intubated", "transferred", "trached", "decannulated":
			return true
		case "u": // "f/u 12-14"
			return sc.punct(p-1, '/') && sc.is(p-2, "f") && sc.joined(p) && sc.joined(p-1)
		case "for", "on", "was", "is":
			// "SCHEDULED FOR 11-30", "(eval visit was 10-14)": a booked
			// event, then a preposition or a verb
			if q := sc.prevWord(p); q >= 0 && q == p-1 {
				switch sc.lower(q) {
				case "scheduled", "sched", "planned", "booked", "rescheduled", "visit", "appt", "appointment", "surgery":
					return true
				}
			}
		}
	}
	return false
}

// dateEndsAt: the last span found so far is a date that ends with token k.
func (sc *scan) dateEndsAt(k int) bool {
	n := len(sc.out)
	return k >= 0 && n > 0 && sc.out[n-1].t == TypeDate && sc.out[n-1].e == sc.toks[k].e
}

// fullWeekday: a weekday's whole name, lower case.
func fullWeekday(w string) bool {
	switch w {
	case "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday":
		return true
	}
	return false
}

// weekdayWord: w (lower case) names a weekday, whole or shortened ("weds").
func weekdayWord(w string) bool { return shortWeekday(w) || fullWeekday(w) }

// weekdayCues introduce a day ("since SUN", "CALL MON", "RECHECK WT MON",
// "planned for tues").
var weekdayCues = map[string]bool{
	"on": true, "since": true, "until": true, "till": true, "by": true, "next": true, "last": true, "this": true,
	"for": true, "from": true, "thru": true, "through": true, "before": true, "after": true, "call": true,
	"recheck": true, "return": true, "planned": true, "scheduled": true, "due": true, "visit": true,
	"starting": true, "begin": true, "begins": true, "start": true, "til": true, "wt": true, "labs": true,
	"past": true, // "this past sat" (rules_dev11.go)
}

// schedule: the weekday at token i is one of a set of days written as a
// schedule ("Mon/Thu", "Tue/Thu/Sat", "mon-fri"), a day's opening hours
// ("SAT 0700-1000", "Sat 7:00-11:30") or a methadone take-home ("Sunday
// bottle"; dev136), not a date.
func (sc *scan) schedule(i int) bool {
	for _, d := range [2]int{-1, 1} {
		p, w := i+d, i+2*d
		if (sc.punct(p, '/') || sc.punct(p, '-')) && sc.joined(min(p, i)+1) && sc.joined(max(p, i)) &&
			w >= 0 && w < len(sc.toks) && sc.toks[w].kind == kWord && weekdayWord(sc.lower(w)) {
			return true
		}
	}
	n := i + 1
	if n >= len(sc.toks) || sc.toks[n].nl {
		return false
	}
	if sc.is(n, "bottle") || sc.is(n, "bottles") {
		return true
	}
	// (not a window on a day a cue introduces: "call Tues 0900-1000")
	p := sc.prevWord(i)
	return sc.hoursAt(n) && !(p >= 0 && weekdayCues[sc.lower(p)])
}

// hoursAt: the tokens from n are a range of clock times, "0700-1000" or
// "7:00-11:30" (clockRange).
func (sc *scan) hoursAt(n int) bool {
	toks := sc.toks
	if n >= len(toks) || toks[n].kind != kNum {
		return false
	}
	if n+2 < len(toks) && sc.punct(n+1, '-') && sc.joined(n+1) && sc.joined(n+2) && sc.clock(n) && sc.clock(n+2) {
		return true // (clock: four digits each)
	}
	for j := n + 2; j < len(toks) && j <= n+8 && sc.joined(j); j++ {
		if sc.clockRange(n, j) {
			return true
		}
	}
	return false
}

// dateWordAt finds the written dates the other word rules leave, in any
// letter case, at word token i (w, lower case; day: a whole weekday or a
// one-word holiday; short: a shortened weekday): shortened weekdays
// ("planned for tues", "FRI 1400", "mri wed", "since SUN", not "cont to
// mon" or a schedule "Mon/Thu"), months after a word that introduces a date
// ("IN MAY", "in feb", "SINCE SEPT") or with a year ("Jan '19", "march of
// 2011"), and holidays ("XMAS", "memorial day"). It drops a date or name
// found by an earlier rule on a weekday of a schedule, and returns the last
// token used (i when none).
func (sc *scan) dateWordAt(i int, w string, day, short bool) int {
	weekday := short || day && fullWeekday(w)
	if weekday && sc.schedule(i) {
		sc.dropSpan(i)
		return i
	}
	if weekday && sc.nameTok[i] && !fullWeekday(w) && w != "mon" && w != "sat" && w != "sun" && w != "wed" {
		// "CT Thurs (12/3)", "on thurs.": a shortening no name shares,
		// taken for a name by an earlier rule (rules_dev6.go)
		sc.dropSpan(i)
		sc.claim[i], sc.nameTok[i] = false, false
	}
	if sc.claim[i] {
		return i
	}
	t := sc.toks[i]
	switch {
	case weekday:
		if sc.weekdayDate(i, w) {
			sc.addToks(i, i, TypeDate, "rules/date")
		}
	case t.kw&setMonth != 0:
		if e := sc.monthDate(i, w); e >= i {
			sc.addToks(i, e, TypeDate, "rules/date")
			return e
		}
	case day || w == "xmas": // "christmas", "thanksgiving", "easter"
		sc.addToks(i, i, TypeDate, "rules/date")
	case t.kw&setHoliday != 0 || (w == "mother" || w == "father") && sc.punct(i+1, '\''): // "mother's day" (rules_dev6.go)
		for _, h := range holidays {
			if e := sc.wordsAt(i, h); e > i {
				sc.addToks(i, e, TypeDate, "rules/date")
				return e
			}
		}
	}
	return i
}

// shortWeekday: w (lower case) is a shortened weekday ("tues", "weds").
func shortWeekday(w string) bool {
	switch w {
	case "mon", "tue", "tues", "wed", "weds", "thu", "thur", "thurs", "fri", "sat", "sun":
		return true
	}
	return false
}

// weekdayDate: the weekday w at token i is a date. Whole names and the
// shortenings no other word shares ("tues", "weds", "thurs", "fri") always
// are, "wed" unless a verb's auxiliary comes before it; "mon", "sat", "sun"
// (monitor, saturation, the sun) only after a word that introduces a day
// or before a part of the day or a clock time.
func (sc *scan) weekdayDate(i int, w string) bool {
	switch w {
	case "tue", "tues", "weds", "thu", "thur", "thurs", "fri":
		return true
	case "wed": // "mri wed", not "will wed", "newly wed"
		p := sc.prevWord(i)
		return p < 0 || !(sc.is(p, "will") || sc.is(p, "to") || sc.is(p, "be") || sc.is(p, "newly") || sc.is(p, "was") || sc.is(p, "were") || sc.is(p, "got") || sc.is(p, "get"))
	}
	if fullWeekday(w) {
		return true
	}
	if (w == "sat" || w == "sun") && sc.valueNext(i) && !sc.clock(i+1) {
		return false // "sat 94%", "SAT 88-92"
	}
	if w == "sat" && sc.satVerb(i) {
		return false // "this RN sat with him", "wife sat with pt": a verb after its subject
	}
	if w == "sat" && sc.is(i-1, "fat") {
		return false // "T2 with and without fat sat": an MRI's fat saturation (dev152)
	}
	if w == "sat" && (sc.sbtNear(i) || sc.trialVerbBefore(i) && !sc.clock(i+1) && !sc.weekdayAfter(i)) {
		return false // "after sat/sbt", "SBT/SAT", "SAT 0700, SBT CPAP 5/5", "OFF SEDATION PER SAT": the awakening trial
	}
	if n := i + 1; n < len(sc.toks) && !sc.toks[n].nl && (sc.is(n, "run") || sc.is(n, "runs")) {
		return true // "MISSED SAT RUN AT HOME UNIT": a day's dialysis (dev52)
	}
	if sc.punct(i-1, '(') && sc.punct(i+1, ')') && sc.joined(i) && sc.joined(i+1) && !sc.measureBefore(i-1, 2) {
		return true // "OVER THE WEEKEND (SAT)" (rules_dev11.go)
	}
	if sc.weekdayAfter(i) || sc.clock(i+1) && sc.toks[i+1].sp && !sc.toks[i+1].nl || sc.weekdayPair(i) || sc.planWeekday(i) || sc.procWeekday(i, w) || sc.clauseWeekday(i) {
		return true // "wed am", "FRI 1400", "MON OR TUES", "HD Mon" (rules_dev5.go), "likely Mon." (rules_dev6.go)
	}
	p := sc.prevWord(i)
	if p < 0 || !weekdayCues[sc.lower(p)] {
		return false
	}
	// "since SUN", not "on room air, sat 90" or "off sedation for SAT"
	// (a spontaneous awakening trial)
	return !(w == "sat" || w == "sun") || p == i-1 && !sc.is(p, "for")
}

// sbtNear: "sbt" (the breathing trial that follows an awakening trial)
// stands two tokens from token i ("sat/sbt", "SBT/SAT"), or within four
// after it on its line unless a word that dates a day or dialysis comes
// right before it ("SAT 0700, SBT CPAP 5/5": dev63; not "HD Sat then SBT",
// "on Sat, SBT", "Plan SBT, HD Sat": review15).
func (sc *scan) sbtNear(i int) bool {
	if sc.is(i+2, "sbt") || sc.is(i-2, "sbt") {
		return true
	}
	if p := i - 1; p >= 0 && !sc.toks[i].nl && sc.toks[p].kind == kWord {
		if w := sc.lower(p); weekdayCues[w] && w != "for" || w == "hd" || w == "dialysis" {
			return false
		}
	}
	for k := i + 1; k < len(sc.toks) && k <= i+4 && !sc.toks[k].nl; k++ {
		if sc.is(k, "sbt") {
			return true
		}
	}
	return false
}

// satVerb: "sat" at token i is the verb, right after its subject (a
// person: a pronoun, a relation, a credential, the patient) and before
// "with", "up", "down", "by", "beside" or "quietly".
func (sc *scan) satVerb(i int) bool {
	p := i - 1
	if p < 0 || i+1 >= len(sc.toks) || sc.toks[i].nl || sc.toks[p].kind != kWord || sc.toks[i+1].kind != kWord || sc.toks[i+1].nl {
		return false
	}
	if !satAfter[sc.lower(i+1)] && !(sc.is(i+1, "w") && sc.punct(i+2, '/')) { // "RN SAT W/ PT"
		return false
	}
	lp := sc.lower(p)
	switch lp {
	case "patient", "family", "chaplain", "nurse", "writer", "rt", "staff", "sitter", "volunteer", "aide", "student", "friend", "visitor", "pastor", "priest":
		return true // "Staff sat with pt" (dev160)
	}
	// a person by name: "Granddaughter Yarrow sat with him" (dev128)
	return pronouns[lp] || sc.toks[p].kw&(setRelation|setCred) != 0 ||
		sc.caseAt(p) == caseMixed && sc.rawCap(p) && !sc.rawUpper(p) && sc.toks[p].kw == 0 && !sc.sentenceStart(p) && (sc.toks[p].flags&lexicon.Name != 0 || sc.candidate(p))
}

// satAfter are the words after "sat" that make it the verb.
var satAfter = map[string]bool{
	"with": true, "up": true, "down": true, "by": true, "beside": true, "quietly": true, "outside": true,
}

// satVerbOpens: "Sat" at token i opens a sentence, its subject left out, and
// a word of satAfter follows ("Asked \"am I dying?\" Sat with pt"; the
// tagger's spans, dev50).
func (sc *scan) satVerbOpens(i int) bool {
	if !sc.is(i, "sat") || i+1 >= len(sc.toks) || sc.toks[i+1].nl || !satAfter[sc.lower(i+1)] {
		return false
	}
	if i == 0 || sc.toks[i].nl {
		return true
	}
	p := &sc.toks[i-1]
	c := sc.text[p.s]
	return p.kind == kPunct && (c == '.' || c == '!' || c == '?' || c == '"')
}

// trialVerbBefore: the word right before token i reads a protocol or a
// trial's result ("per SAT", "failed SAT", "passed sat", "DURING SAT"), or
// is "on" after a word of sedation in its clause and not right after an
// event's word; not a day (the caller still takes "per Sat 1400" and "per
// sat am" for dates).
func (sc *scan) trialVerbBefore(i int) bool {
	p := sc.prevWord(i)
	if p < 0 || p != i-1 {
		return false // a note that opens with the word
	}
	switch sc.lower(p) {
	case "per", "failed", "passed", "tolerated", "passing", "failing", "passes", "fails":
		return true
	}
	// "during" and "on" only before the trial's acronym, not a capitalised
	// day in a mixed note ("Wife visited during Sat": review18)
	if t := &sc.toks[i]; t.cap && !t.upper && sc.caseAt(i) == caseMixed {
		return false
	}
	switch sc.lower(p) {
	case "during":
		return true
	case "on": // "FOLLOWS COMMANDS ON SAT.", "RSBI 110 ON SAT, FAILED": sedation held, not "EXTUBATED ON SAT"
		if q := p - 1; q >= 0 && sc.toks[q].kind == kWord && eventCues[sc.lower(q)] {
			return false // "PROPOFOL WEANED, EXTUBATED ON SAT." (review18)
		}
		for k := p - 1; k >= 0 && k >= p-8 && !sc.toks[k+1].nl && !sc.punct(k, '.') && !sc.punct(k, ';') && !sc.punct(k, ','); k-- {
			if sc.toks[k].kind == kWord && sedationWords[sc.lower(k)] {
				return true // (in its clause: "RASS 0, on SAT pt was transferred" is a day)
			}
		}
	}
	return false
}

// sedationWords earlier in the clause of "on SAT" make it the awakening
// trial.
var sedationWords = map[string]bool{
	"rass": true, "propofol": true, "precedex": true, "sedation": true, "sedated": true, "commands": true,
	"rsbi": true, "fentanyl": true, "versed": true, "midazolam": true, "dexmedetomidine": true, "ketamine": true,
}

// monthDate: the month word w at token i is a date; it returns its last
// token (the year of "Jan '19" or "march of 2011"), or -1.
func (sc *scan) monthDate(i int, w string) int {
	// "Dec the 4th", "MARCH THE 3RD": a month before "the" and an ordinal
	// day (the ordinal is a date of its own, "the" stays outside; rules_dev11.go)
	if sc.is(i+1, "the") && i+2 < len(sc.toks) && sc.toks[i+2].kind == kAlnum && !sc.toks[i+1].nl && !sc.toks[i+2].nl && sc.ordinalDay(i+2) > 0 &&
		(w != "may" || sc.rawCap(i)) && !(i+3 < len(sc.toks) && sc.toks[i+3].kind == kWord && !sc.toks[i+3].nl && ordinalNouns[sc.lower(i+3)]) {
		return i
	}
	// "Jan '19", "AUG '21": a month and a two-digit year
	if sc.punct(i+1, '\'') && sc.toks[i+1].sp && sc.joined(i+2) && sc.numLen(i+2) == 2 && !sc.toks[i+1].nl {
		return i + 2
	}
	if sc.monthOfYear(i) {
		return i // "quit March of this year" (rules_dev15.go)
	}
	// "march of 2011"
	if sc.is(i+1, "of") && sc.yearTok(i+2) && !sc.toks[i+2].nl {
		return i + 2
	}
	p := i - 1
	if sc.punct(p, '-') && sc.joined(p) && sc.joined(i) {
		p-- // "MID-MAY"
	}
	if p < 0 || sc.toks[i].nl || sc.toks[p].kind != kWord {
		return -1
	}
	switch w {
	case "mar", "aug", "dec", "sep":
		if !sc.monthDot(i) || sc.recordMonth(i) {
			return -1 // "mar", "aug" (Augmentin), "dec" (decreased), "sep": only with a day, a year or its full stop ("in Aug.", rules_dev6.go); not the record ("documented in MAR.")
		}
	}
	switch sc.lower(p) {
	case "in", "since", "until", "till", "early", "late", "mid", "during":
		return i // "IN MAY", "in feb", "since sept", "MID-MAY"
	case "about", "around": // "SINCE ABOUT OCT" (rules_dev6.go)
		if w != "may" && w != "march" {
			return i
		}
	case "of": // "beginning of Jan", "END OF SEPT" (rules_dev6.go)
		if q := p - 1; q >= 0 && (sc.is(q, "beginning") || sc.is(q, "end") || sc.is(q, "middle") || sc.is(q, "start")) && w != "may" {
			return i
		}
	case "last", "next", "from", "before", "after", "by":
		if w != "may" && w != "march" && w != "sept" {
			return i
		}
	}
	return -1
}

// dropSpan removes a date or name span that is exactly token i (a weekday
// of a schedule: "Mon/Thu" is neither).
func (sc *scan) dropSpan(i int) {
	s, e := sc.toks[i].s, sc.toks[i].e
	out := sc.out[:0]
	for _, b := range sc.out {
		if !((b.t == TypeDate || b.t == TypeName) && b.s == s && b.e == e) {
			out = append(out, b)
		}
	}
	sc.out = out
	sc.covLen = -1 // covered's memo is keyed by len(sc.out): it shrank
}

// yearTok: token k is a year of four digits, 1900 to 2099 ("March 2019",
// "march of 2011"; not the clock time of "dec 3 2215").
func (sc *scan) yearTok(k int) bool {
	if sc.numLen(k) != 4 {
		return false
	}
	y := sc.numVal(k)
	return y >= 1900 && y <= 2099
}

// clauseWeekday: the shortened weekday at token i that is also a word
// ("sat", "sun", "mon") ends its clause after a word ("SHE WILL COME IN
// SAT.", "SYMPTOMS STARTED SAT, 2 WKS AFTER CABG", "stress test mon.") or
// goes on with a condition, a link or a direction ("anticipate d/c home sat
// w/ wife", "TRANSFER TO STEPDOWN SAT IF STABLE", "RETURN TO OR SUN FOR
// CLOSURE" aside). The awakening trial, the sitting and the monitor come
// after a word of weekdayNotAfter ("HELD FOR SAT.", "SBT/SAT.", "pt
// tolerated SAT.", "CAME IN AND SAT WITH PT", "cont to mon.", "tele mon."),
// a time ("since 0800 SAT.") or a value, and are left.
func (sc *scan) clauseWeekday(i int) bool {
	p := i - 1
	if p < 0 || sc.toks[i].nl || sc.toks[p].kind != kWord || weekdayNotAfter[sc.lower(p)] {
		return false
	}
	if sc.wordEndsClause(i) {
		return true
	}
	k := i + 1
	return sc.toks[k].kind == kWord && (procDayNext[sc.lower(k)] || sc.is(k, "from") || sc.is(k, "to"))
}

// wordEndsClause: the word at token i ends its clause: a line break or the
// text's end follows it, or ".", "," or ";" glued to it and then a space or
// a line break (clauseEnd, by contrast, asks whether token i is what comes
// after a clause).
func (sc *scan) wordEndsClause(i int) bool {
	k := i + 1
	if k >= len(sc.toks) || sc.toks[k].nl {
		return true
	}
	return (sc.punct(k, '.') || sc.punct(k, ',') || sc.punct(k, ';')) && sc.joined(k) &&
		(k+1 >= len(sc.toks) || sc.toks[k+1].nl || sc.toks[k+1].sp)
}

// weekdayNotAfter are the words before a shortened weekday at the end of
// its clause that make it the awakening trial, a sitting or a monitor.
var weekdayNotAfter = map[string]bool{
	"for": true, "w": true, "with": true, "daily": true, "and": true, "the": true, "a": true, "pt": true,
	"who": true, "he": true, "she": true, "they": true, "i": true, "cardiac": true, "tele": true,
	"holter": true, "to": true, "after": true, "before": true, "held": true, "passed": true,
	"failed": true, "arctic": true, "o2": true, "pulse": true, "tolerated": true, "tolerating": true,
	"tolerate": true, "had": true, "has": true, "did": true, "do": true, "done": true, "performed": true,
	"completed": true, "underwent": true, "trial": true, "will": true, "cont": true, "continue": true,
	"of": true, "eeg": true, "ceeg": true, "veeg": true, "remains": true, "remain": true, "stays": true,
}

// cultureNG: the date i..j of a culture comes before "ng", no growth, not
// nanograms ("bc 12/4 ng", "CULTURES FROM 12/4 NG TO DATE" (dev69)).
func (sc *scan) cultureNG(i, j int) bool {
	if next := j + 1; next >= len(sc.toks) || sc.toks[next].nl || !sc.is(next, "ng") {
		return false
	}
	p := sc.prevWord(i)
	if p >= 0 && (sc.is(p, "from") || sc.is(p, "on") || sc.is(p, "of")) {
		p = sc.prevWord(p)
	}
	return p >= 0 && (countNouns[sc.lower(p)] || sc.is(p, "bc") || sc.is(p, "uc") || sc.is(p, "ucx") ||
		sc.is(p, "cultures") || sc.is(p, "culture") || sc.is(p, "cx") || sc.is(p, "cxs"))
}
