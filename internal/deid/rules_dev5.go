package deid

// Shapes found missing by the fifth development batch (dev5, issue 13): a
// month and day joined by a dash where nothing but a date writes them so
// ("PULLED 12-04", "MTG 12-6 1400"), and shortened weekdays that only a
// neighbouring weekday or a dialysis day shows to be dates ("MON OR TUES",
// "next HD Mon").

// dashDate: tokens i..i+2 are a month and day joined by a dash that only a
// date writes that way: a part padded with a zero ("12-04", "03-15"), or the
// pair followed by a clock time on its line ("12-6 1400"). A measured value
// ("PEEP 05-08", "RR 12-16 0400") never is.
func (sc *scan) dashDate(i, j int) bool {
	if j != i+2 || !sc.punct(i+1, '-') || sc.measureBefore(i, 3) {
		return false
	}
	padded := sc.numLen(i) == 2 && sc.text[sc.toks[i].s] == '0' || sc.numLen(j) == 2 && sc.text[sc.toks[j].s] == '0'
	next := j + 1
	timed := next < len(sc.toks) && sc.toks[next].sp && !sc.toks[next].nl && sc.clock(next)
	return padded || timed
}

// weekdayPair: the shortened weekday at token i stands beside another
// weekday in an either-or or a list ("MON OR TUES", "sat and sun"), so both
// are days; or right after "HD" (a dialysis day: "next HD Mon").
func (sc *scan) weekdayPair(i int) bool {
	if p := sc.prevWord(i); p >= 0 && p == i-1 && sc.is(p, "hd") {
		return true
	}
	if c := i + 1; c+1 < len(sc.toks) && !sc.toks[c].nl && !sc.toks[c+1].nl && (sc.is(c, "or") || sc.is(c, "and")) &&
		sc.toks[c+1].kind == kWord && weekdayWord(sc.lower(c+1)) {
		return true
	}
	if c := i - 1; c >= 1 && !sc.toks[i].nl && !sc.toks[c].nl && (sc.is(c, "or") || sc.is(c, "and")) &&
		sc.toks[c-1].kind == kWord && weekdayWord(sc.lower(c-1)) {
		return true
	}
	return false
}
