package deid

// Rules of the eleventh development round (issue 13; dev11, notes set in
// Louisiana, Mississippi and Alabama): wards written as a floor number and a
// compass direction ("TRANSFERRED TO 5 WEST", "going to 4 north rm 12",
// "Med/Surg 3 South"), a weekday before "the" and an ordinal ("sat the 12th",
// where "sat" alone would be a saturation), and the heads of care and
// business names that are two words ("NURSING HOME", "HOME HEALTH", "FIRE
// RESCUE"; orgRunAt, rules_dev3.go).

// the kinds of the words scanDev11 acts on
const (
	k11None uint8 = iota
	k11Compass
	k11Weekday
	k11Ordinal
	k11Feast
	k11Head
	k11Season // (rules_dev15.go)
)

// dev11Kind are the words scanDev11 acts on, by kind (tokenize gives them
// the extra bit xDev11, index lists them): compass directions, shortened
// weekdays, the words that end or start a feast, days written as words, and
// the heads of business names that "by", "for" or "(" may open.
var dev11Kind = func() map[string]uint8 {
	m := map[string]uint8{
		"north": k11Compass, "south": k11Compass, "east": k11Compass, "west": k11Compass,
		"wednesday": k11Feast, "tuesday": k11Feast, "sunday": k11Feast, "saints": k11Feast,
		"co": k11Head, "company": k11Head, "inc": k11Head, "llc": k11Head, "towing": k11Head, "ambulance": k11Head,
		"snf": k11Head, "alf": k11Head, "irf": k11Head,
		"summer": k11Season, "winter": k11Season, "autumn": k11Season,
	}
	for _, w := range []string{"mon", "tue", "tues", "wed", "weds", "thu", "thur", "thurs", "fri", "sat", "sun"} {
		m[w] = k11Weekday
	}
	for w := range spelledOrdinals {
		m[w] = k11Ordinal
	}
	for _, set := range []map[string]bool{strongHeads, nameHeads} {
		for w := range set {
			m[w] = k11Head
		}
	}
	for w := range pairHeads {
		m[w] = k11Head
	}
	return m
}()

// dev11Words is dev11Kind as a set (extraSets).
var dev11Words = func() map[string]bool {
	m := map[string]bool{}
	for w := range dev11Kind {
		m[w] = true
	}
	return m
}()

// scanDev11 runs after every other pass of the rules, on the words of
// dev11Words only (index).
func (sc *scan) scanDev11() {
	toks := sc.toks
	sc.congregationNames()
	idx := sc.dev11Idx
	for ni, i := listNext(idx, 0, -1); ni < len(idx); ni, i = listNext(idx, ni, i) {
		t := &toks[i]
		w := sc.lower(i)
		switch dev11Kind[w] {
		case k11Compass:
			// "TO 5 WEST", "- 6 EAST", "Med/Surg 3 South": a floor of one or
			// two digits and a direction, after a cue of movement or a
			// header's dash, with no number or unit after it
			f := i - 1
			if f < 1 || t.nl || toks[f].kind != kNum || toks[f].e-toks[f].s > 2 || sc.claim[i] ||
				!sc.compassWardCue(f-1) || !sc.compassWardEnd(i+1) {
				continue
			}
			sc.addToks(f, i, TypeLocation, "rules/ward")
		case k11Weekday:
			// "sat the 12th", "SUN THE 3RD": a shortened weekday is a day
			// when "the" and an ordinal day follow it
			if i+2 >= len(toks) || !sc.is(i+1, "the") || toks[i+1].nl || toks[i+2].nl ||
				toks[i+2].kind != kAlnum || sc.ordinalDay(i+2) == 0 {
				continue
			}
			if k := i + 3; k < len(toks) && !toks[k].nl && toks[k].kind == kWord && ordinalNouns[sc.lower(k)] {
				continue // "sat the 3rd floor"? a place, not a day
			}
			sc.addToks(i, i, TypeDate, "rules/date")
			sc.addToks(i+2, i+2, TypeDate, "rules/date")
			i += 2
		case k11Ordinal:
			// "on the twenty-first", "THE THIRD OF NOVEMBER": a day written
			// as a word after "the"
			th := i - 1
			if sc.punct(th, '-') && sc.joined(th) && sc.joined(i) && (sc.is(th-1, "twenty") || sc.is(th-1, "thirty")) {
				th -= 2
			}
			if !sc.is(th, "the") {
				continue
			}
			if e := sc.spelledTheDay(th); e >= i {
				sc.addToks(th+1, e, TypeDate, "rules/date")
				i = e
			}
		case k11Season:
			if sc.seasonDate(i) { // "since summer" (rules_dev15.go)
				sc.addToks(i, i, TypeDate, "rules/date")
			}
		case k11Feast:
			sc.feastAt(i) // "Ash Wednesday", "FAT TUESDAY", "Palm Sunday", "All Saints Day"
		case k11Head:
			// "GIVEN PTA BY PRICHARD FIRE RESCUE", "deckhand for bayou
			// towing", "HH (ACADIA HOME HEALTH)": "by", "for" and a
			// parenthesis open a business's name when a strong or
			// two-word head ends it
			if !strongHeads[w] && !nameHeads[w] && !sc.pairHead(i, w) {
				continue
			}
			for c := i - 1; c >= 0 && i-c <= 6; c-- {
				if toks[c+1].nl {
					break
				}
				if sc.is(c, "by") || sc.is(c, "for") || sc.punct(c, '(') {
					if e := sc.orgRunAt(c); e > i-1 {
						i = e
					}
					break
				}
			}
		}
	}
}

// compassWardCue: token k, before a floor number, introduces a ward: a word
// of movement or place ("to", "from", "on", "at", "back"), the second word of
// "Med/Surg", or a dash or colon in a header ("NURSING NOTE - 6 EAST",
// "Unit: 5 West").
func (sc *scan) compassWardCue(k int) bool {
	t := &sc.toks[k]
	switch t.kind {
	case kPunct:
		// "- 6 EAST", "Unit: 5 West", "TRANSFER TO FLOOR (4 SOUTH)" (dev73)
		return sc.punct(k, '-') && t.sp || sc.punct(k, ':') || sc.punct(k, '(') && (sc.is(k-1, "floor") || sc.is(k-1, "unit"))
	case kWord:
		switch sc.lower(k) {
		case "to", "from", "on", "at", "surg", "unit", "floor":
			return true
		}
	}
	return false
}

// compassWardEnd: token k, after the direction, leaves it a ward: the end of
// a line or clause, or a word (not a number, a unit or "of": "5 west of the
// river", "2 east 14").
func (sc *scan) compassWardEnd(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].nl {
		return true
	}
	t := &sc.toks[k]
	switch t.kind {
	case kPunct:
		return !sc.punct(k, '/') && !sc.punct(k, '-')
	case kWord:
		return !sc.is(k, "of") && !sc.is(k, "on") && !sc.is(k, "bound") && !sc.is(k, "side")
	}
	return false
}

// pairHeads: heads of a care or business name that are two words, by their
// second word and the first words that make them one ("NURSING HOME",
// "FUNERAL HOME", "HOME HEALTH", "FIRE RESCUE", "MEDICAL SUPPLY", "ROAD
// DEPT", "SCHOOL DISTRICT"): either word alone is an everyday word.
var pairHeads = map[string][]string{
	"home":       {"nursing", "funeral", "group", "rest", "boarding"},
	"health":     {"home"},
	"rescue":     {"fire"},
	"supply":     {"medical", "oxygen"},
	"dept":       {"road", "fire", "police", "highway"},
	"department": {"road", "fire", "police", "highway"},
	"district":   {"school"},
}

// pairHead: word w at token k ends the name of a place or business in
// orgRunAt: the second word of a pairHeads head, or a company's suffix
// ("DELTA GIN CO", "Sunbelt Paper Co.", "bayou towing co") with no number
// after it ("CO 4.2" is a cardiac output).
func (sc *scan) pairHead(k int, w string) bool {
	switch w {
	case "co", "company", "inc", "llc":
		n := k + 1
		if sc.punct(n, '.') {
			n++
		}
		return n >= len(sc.toks) || sc.toks[n].nl || sc.toks[n].kind != kNum && sc.toks[n].kind != kAlnum
	case "towing", "ambulance":
		return true
	case "snf", "alf", "irf": // "D/C TO SOUTHERN PINES SNF"
		return sc.toks[k].upper || sc.caseAt(k) != caseMixed
	}
	firsts, ok := pairHeads[w]
	if !ok || k < 1 || sc.toks[k-1].kind != kWord || sc.toks[k].nl {
		return false
	}
	p := sc.lower(k - 1)
	for _, f := range firsts {
		if p == f {
			return true
		}
	}
	return false
}

// nameBeforePair: a word that says which place it is comes before the
// two-word head ending at token k, among tokens s..k-2 ("seen by fire
// rescue", "from his nursing home" name no one); a company's suffix and
// the one-word heads need none besides the word before them.
func (sc *scan) nameBeforePair(s, k int, w string) bool {
	if _, ok := pairHeads[w]; !ok {
		return true
	}
	for m := s; m <= k-2; m++ {
		if sc.toks[m].kind != kWord {
			continue
		}
		if v := sc.lower(m); sc.claim[m] || !orgRunGeneric[v] && !genericOrgWords[v] && !orgWords[v] {
			return true
		}
	}
	return false
}

// fullYearDate: tokens i..j are a month, day and four-digit year joined by
// the same "/" or "-" ("11/03/2026", "4-9-1951"), which no measure is
// written as, whatever word comes before it ("T:" of a transcription
// footer, "HR" of a heading).
func (sc *scan) fullYearDate(i, j int) bool {
	if j != i+4 || sc.numLen(i) == 0 || sc.numLen(i) > 2 || sc.numLen(i+2) == 0 || sc.numLen(i+2) > 2 || sc.numLen(j) != 4 {
		return false
	}
	c := sc.text[sc.toks[i+1].s]
	if c != '/' && c != '-' || !sc.punct(i+3, c) || !sc.joined(i+1) || !sc.joined(i+2) || !sc.joined(i+3) || !sc.joined(j) {
		return false
	}
	y := sc.numVal(j)
	return y >= 1900 && y <= 2099 && validMD(sc.numVal(i), sc.numVal(i+2))
}

// streetDr finds a street whose suffix is "Dr" after the house number at
// token i ("271 PLANTATION DR, MINDEN", "4411 Lakeland Dr, Apt 12B"), which
// street leaves out because "Dr" is a title as often: after a number and one
// to three capitalised words, and before the end of a clause, "Dr" ends a
// street, not a name's title. An apartment or suite after it is inside the
// span. It returns the last token, or -1.
func (sc *scan) streetDr(i int) int {
	toks := sc.toks
	// most numbers have no "dr" among the four tokens after them
	d := i + 2
	for ; d < len(toks) && d <= i+4 && (toks[d].e-toks[d].s != 2 || !sc.is(d, "dr")); d++ {
	}
	if d >= len(toks) || d > i+4 {
		return -1
	}
	if !toks[i].nl && !sc.addressCue(i-1) {
		return -1 // "LASIX 40 IV GIVEN PER DR."
	}
	k := i + 1
	for ; k < len(toks) && k <= i+3 && toks[k].kind == kWord && sc.rawCap(k) && !toks[k].nl && !functionWord(sc.lower(k)); k++ {
		if sc.is(k, "dr") {
			break
		}
		if toks[k].kw&(setHeader|setMeasure|setUnitWord|setMonth|setDay|setTitle) != 0 {
			return -1
		}
	}
	if k == i+1 || k >= len(toks) || toks[k].nl || !sc.is(k, "dr") {
		return -1
	}
	e := k
	if sc.punct(e+1, '.') && sc.joined(e+1) {
		e++
	}
	m := e + 1
	if m < len(toks) && !toks[m].nl && !sc.punct(m, ',') && !sc.punct(m, '.') && !sc.punct(m, ';') && !sc.punct(m, ')') {
		return -1 // "4 South Dr Patel": a name follows
	}
	// ", Apt 12B", ", Suite 4"
	if sc.punct(m, ',') && m+1 < len(toks) && !toks[m+1].nl && toks[m+1].kw&setUnitWord != 0 {
		n := m + 2
		if sc.punct(n, '.') || sc.punct(n, '#') {
			n++
		}
		if n < len(toks) && !toks[n].nl && (toks[n].kind == kNum || toks[n].kind == kAlnum) {
			e = n
		}
	}
	return e
}

// addressCue: token k, before a house number, introduces an address ("at",
// "to", "lives", "address", "home", a colon or a comma).
func (sc *scan) addressCue(k int) bool {
	if k < 0 {
		return true
	}
	if sc.punct(k, ':') || sc.punct(k, ',') {
		return true
	}
	switch sc.lower(k) {
	case "at", "to", "on", "from", "in", "lives", "live", "living", "address", "addr", "home", "moved", "staying", "resides":
		return true
	}
	return false
}

// spelledTheDay: a day written as a word follows "the" at token i, after a
// word that introduces a date ("on the twenty-first", "since the third") and
// before the end of a clause, or before "of" and a month ("THE THIRD OF
// NOVEMBER"). It returns the last token of the day (of the month after
// "of"), or -1.
func (sc *scan) spelledTheDay(i int) int {
	e := sc.spelledDayAfter(i)
	if e == i {
		return -1
	}
	toks := sc.toks
	k := e + 1
	if sc.is(k, "of") && k+1 < len(toks) && !toks[k+1].nl && toks[k+1].kind == kWord && toks[k+1].kw&setMonth != 0 {
		return k + 1
	}
	p := i - 1
	if p < 0 || toks[i].nl || toks[p].kind != kWord {
		return -1
	}
	switch sc.lower(p) {
	case "on", "since", "until", "till", "by", "from", "before", "after":
	default:
		if !weekdayWord(sc.lower(p)) {
			return -1
		}
	}
	if k < len(toks) && !toks[k].nl && toks[k].kind == kWord && !sc.is(k, "at") && !sc.is(k, "and") && !sc.is(k, "or") {
		return -1 // "on the second attempt", "by the third day"
	}
	if k < len(toks) && !toks[k].nl && toks[k].kind == kNum {
		return -1
	}
	return e
}

// nameHeadEnds: the hospital's head word at token k ("REGIONAL", "General")
// ends its clause: nothing, a mark or a number follows it, or a word that
// starts another phrase ("W/", "in", "for"), not a word that makes it a
// service ("GENERAL SURGERY", "general medicine").
func (sc *scan) nameHeadEnds(k int) bool {
	n := k + 1
	if n >= len(sc.toks) || sc.toks[n].nl || sc.toks[n].kind != kWord {
		return true
	}
	switch sc.lower(n) {
	case "w", "with", "in", "for", "on", "at", "to", "via", "and", "by", "after", "where", "until", "since", "x", "s":
		return true
	}
	return false
}

// denominations start the part of a congregation's name that other rules
// find ("BAPTIST CHURCH", "Methodist Church") before the words that say
// which one ("PILGRIM REST MISSIONARY").
var denominations = map[string]bool{
	"baptist": true, "methodist": true, "presbyterian": true, "lutheran": true, "episcopal": true,
	"pentecostal": true, "mennonite": true, "catholic": true, "ame": true, "missionary": true,
}

// congregationNames widens a place found from a denomination on ("AT PILGRIM
// REST MISSIONARY [BAPTIST CHURCH]") to the words before it on its line that
// name the congregation: up to five words no word list marks as a cue,
// title or function word, capitalised in a mixed-case line, or a place
// found already ("NEW" of "NEW PILGRIM REST").
func (sc *scan) congregationNames() {
	toks := sc.toks
	for o := range sc.out {
		if sc.out[o].t != TypeLocation {
			continue
		}
		f := sc.firstTokenFrom(sc.out[o].s)
		if f < 1 || f >= len(toks) || toks[f].s != sc.out[o].s || toks[f].nl || !sc.inSet(f, denominationSet) {
			continue
		}
		b := f
		for k := f - 1; k >= 0 && f-k <= 5 && !toks[k+1].nl; k-- {
			t := &toks[k]
			if t.kind != kWord || sc.nameTok[k] {
				break
			}
			w := sc.lower(k)
			if !sc.claim[k] && (functionWord(w) || orgRunGeneric[w] || orgRunCue(w) || t.kw&(setMonth|setDay|setTitle) != 0 ||
				sc.caseAt(k) == caseMixed && !sc.rawCap(k)) {
				break
			}
			b = k
		}
		if b == f {
			continue
		}
		sc.out[o].s = toks[b].s
		for k := b; k < f; k++ {
			sc.claim[k] = true
		}
	}
}

// feastFirst: the words that make a weekday after them a feast.
var feastFirst = map[string]string{"ash": "wednesday", "fat": "tuesday", "palm": "sunday"}

// feastAt marks the feast of token i ("Ash Wednesday", "All Saints Day":
// the weekday, or "saints") and reports whether it did. Their first words
// are everyday words and names ("all", "Ash"), which the keyword sets must
// not hold (a keyword bit takes a word out of many rules), so they are
// matched here from a later word.
func (sc *scan) feastAt(i int) bool {
	toks := sc.toks
	w := sc.lower(i)
	if w == "saints" {
		k := i + 1
		if sc.punct(k, '\'') && sc.joined(k) {
			k++ // "saints' day"
		}
		if !sc.is(i-1, "all") || toks[i].nl || !sc.is(k, "day") || toks[k].nl {
			return false
		}
		sc.addToks(i-1, k, TypeDate, "rules/date")
		return true
	}
	if i < 1 || toks[i].nl || toks[i-1].kind != kWord || feastFirst[sc.lower(i-1)] != w {
		return false
	}
	sc.addToks(i-1, i, TypeDate, "rules/date")
	return true
}
