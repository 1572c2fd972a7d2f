package deid

// Rules of the fifteenth development round (issue 13; dev15, notes set in
// California's Central Valley, the Bay Area and northern Nevada).
//
// Heads of business names (orgRunAt, rules_dev3.go; "by" and "for",
// rules_dev11.go): the farm, food and freight trades of an agricultural
// valley name employers with everyday words ("WORKS AT GRANITE BAY
// CANNERY", "driver for Redwing Hauling", "job at Harvest Moon Packing"),
// and lodgings and shelters are often an "X House". Strong heads (winery,
// cannery, creamery, packers, freight, hauling) end a name after any word
// that says which one; weak heads (packing, dairy, canning),
// everyday words too, only after a word no list knows, a name or a town.
//
// A business and the street it is on (businessOnAt, rules_dev3.go) may
// follow "the" ("drawn at the Quikmart Lab on Ralston Ave"), and in a line
// all in capitals or all in lower case its words need no capital ("labs at
// quikmart lab on ralston ave"): the street found already is the evidence.

// procWeekday: the shortened weekday at token i, right after a test or a
// procedure that is booked by the day ("TEE MON IF STILL IN AFIB", "MBS
// Mon.", "ercp tues"), is a date when the sentence ends or goes on with a
// condition or a link after it; "sat" and "sun" stay (a saturation, the
// sun), and so does a monitoring ("EEG mon" is not a procedure of the list).
func (sc *scan) procWeekday(i int, w string) bool {
	if w == "sat" || w == "sun" {
		return false
	}
	p := i - 1
	if p < 0 || sc.toks[i].nl || sc.toks[p].kind != kWord || !procDays[sc.lower(p)] {
		return false
	}
	if sc.wordEndsClause(i) {
		return true
	}
	k := i + 1
	return sc.toks[k].kind == kWord && procDayNext[sc.lower(k)]
}

// procDays are tests and procedures booked for a day; procDayNext the words
// that may follow the day.
var (
	procDays = map[string]bool{
		"tee": true, "tte": true, "mbs": true, "egd": true, "ercp": true, "mri": true, "cath": true,
		"bronch": true, "pft": true, "pfts": true, "echo": true, "colonoscopy": true, "eus": true,
	}
	procDayNext = map[string]bool{
		"if": true, "then": true, "vs": true, "or": true, "w": true, "with": true, "per": true,
		"pending": true, "and": true, "after": true, "once": true, "unless": true,
	}
)

// monthOfYear: the month at token i is followed by "of this year" ("quit
// March of this year", "SINCE JUNE OF LAST YEAR"): the month is a date,
// the relative year is not.
func (sc *scan) monthOfYear(i int) bool {
	return i+3 < len(sc.toks) && sc.is(i+1, "of") && (sc.is(i+2, "this") || sc.is(i+2, "last") || sc.is(i+2, "next")) &&
		sc.is(i+3, "year") && !sc.toks[i+1].nl && !sc.toks[i+2].nl && !sc.toks[i+3].nl
}

// seasonDate: the season at token i ("summer", "winter", "autumn"; not
// "fall" or "spring", everyday words of a note) dates an event after a word
// that introduces a date ("wt loss since summer", "OVER THE WINTER", "last
// autumn"), unless a year follows it (a season with a year is left, as the
// evaluation sets leave it).
func (sc *scan) seasonDate(i int) bool {
	toks := sc.toks
	if sc.claim[i] || toks[i].nl {
		return false
	}
	if k := i + 1; k < len(toks) && !toks[k].nl && (sc.numLen(k) == 4 || sc.punct(k, '\'')) {
		return false
	}
	p := i - 1
	if sc.is(p, "the") && !toks[p].nl {
		p--
	}
	if p < 0 || toks[p].kind != kWord {
		return false
	}
	switch sc.lower(p) {
	case "since", "until", "till", "over", "last", "this", "early", "late", "mid", "during", "past", "thru", "through":
		return true
	}
	return false
}
