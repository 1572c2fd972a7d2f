package deid

import "github.com/trustgate/trustgate/internal/deid/lexicon"

// Rules for the shapes the third batch of hand-written development notes
// (testdata/realstyle/dev3.txt) showed the other passes leaving, in notes
// of any letter case: written dates (dateWordAt, rules_dates.go),
// organisations named by a run of words and a head word after a place cue
// ("FROM KESTREL VALLEY HOSPITAL", "at cambridge regional", "EMPLOYER
// DUNMORE ROOFING"), names after a staff role ("RN CORNELIA FROM", "cm
// lolly fontenot paged"), roads ("ON RT 140"), and values at the end of a
// trend ("130s -> 90s": no age; trendValue, which dateRun calls before the
// age rules see the number).

// scanDev3 runs these rules in one pass over the words that can start one
// (index lists them; a switch per listed word decides which rule applies); run
// calls it once the other passes are done.
func (sc *scan) scanDev3() {
	toks := sc.toks
	// the words of two bytes or more that are a weekday, a month, a holiday
	// or a word of dev3Words (index): the others start no rule below
	idx := sc.dev3Idx
	for ni, i := listNext(idx, 0, -1); ni < len(idx); ni, i = listNext(idx, ni, i) {
		t := &toks[i]
		n := t.e - t.s
		trig := trigNone
		if n <= 8 && t.xbits()&xDev3 != 0 { // (only the words of dev3Words have the bit)
			trig = dev3Trigger(sc.lower(i))
		}
		day := t.kw&setDay != 0
		switch {
		case day || trig == trigWeekday || trig == trigHoliday || t.kw&(setMonth|setHoliday) != 0:
			i = sc.dateWordAt(i, sc.lower(i), day, trig == trigWeekday)
		case trig == trigAge:
			i = sc.spelledAge(i)
		case trig == trigLabel:
			i = sc.wardLabelAt(i)
		case trig == trigStreet:
			sc.lowerStreetBefore(i)
		case trig == trigPlaceCue:
			if n == 5 && !sc.possessive(i+2) && sc.is(i, "above") {
				break // "as above", "above baseline": only "above Kettering's Tavern" (rules_dev6.go)
			}
			// "at Weinberg 5A": a word, then a floor (wardLabelAt)
			if n == 2 && i+2 < len(toks) && (toks[i+2].kind == kNum || toks[i+2].kind == kAlnum) && sc.is(i, "at") {
				sc.wardLabelAt(i)
			}
			sc.cueCityAt(i)
			sc.businessOnAt(i)
			i = sc.orgRunAt(i)
		case trig == trigIn:
			i = max(i, sc.cueCityAt(i))
		case trig == trigRole:
			sc.roleNameAt(i)
		case trig == trigRoad:
			i = sc.routeAt(i)
		}
	}
}

// the words that start a rule of scanDev3
const (
	trigNone uint8 = iota
	trigWeekday
	trigHoliday
	trigPlaceCue
	trigRole
	trigRoad
	trigIn
	trigAge    // "ninety" (rules_dev4.go)
	trigLabel  // "bed", "location", "unit" before a colon and a ward (rules_dev4.go)
	trigStreet // a street word after "on", "off", "at", "near" in a lower-case line (rules_dev4.go)
)

// dev3Words are the words dev3Trigger answers for, with their answers
// (TestDev3Words): tokenize gives them the extra bit xDev3, so that
// scanDev3 calls dev3Trigger on those words only.
var dev3Words = map[string]uint8{
	"mon": trigWeekday, "tue": trigWeekday, "tues": trigWeekday, "wed": trigWeekday, "weds": trigWeekday,
	"thu": trigWeekday, "thur": trigWeekday, "thurs": trigWeekday, "fri": trigWeekday, "sat": trigWeekday,
	"sun": trigWeekday, "xmas": trigHoliday,
	// the first words of "mother's day" and "father's day", which the
	// tokenizer splits from their "'s" (rules_dev6.go)
	"mother": trigHoliday, "father": trigHoliday,
	"at": trigPlaceCue, "from": trigPlaceCue, "to": trigPlaceCue, "via": trigPlaceCue, "outside": trigPlaceCue,
	// "above": "a room above Kettering's Tavern"; "attends" a school (rules_dev6.go)
	"through": trigPlaceCue, "thru": trigPlaceCue, "near": trigPlaceCue, "employer": trigPlaceCue, "above": trigPlaceCue,
	"attends": trigPlaceCue, "attended": trigPlaceCue,
	"rn": trigRole, "np": trigRole, "sw": trigRole, "cm": trigRole, "rrt": trigRole, "lpn": trigRole,
	"cna": trigRole, "slp": trigRole, "rt": trigRoad, "rte": trigRoad, "route": trigRoad, "in": trigIn,
	"hwy": trigRoad, "highway": trigRoad, // in capitals or lower case (rules_dev11.go)
	"ninety": trigAge, "nineties": trigAge, "bed": trigLabel, "location": trigLabel, "unit": trigLabel,
	"ave": trigStreet, "avenue": trigStreet, "rd": trigStreet, "road": trigStreet, "blvd": trigStreet,
	"ln": trigStreet, "lane": trigStreet, "street": trigStreet, "parkway": trigStreet, "pkwy": trigStreet,
	"pike": trigStreet, "terrace": trigStreet,
}

// dev3Trigger: which rule of scanDev3 word w (lower case) starts: a
// shortened weekday, "xmas", a place cue ("at", "from", "EMPLOYER"), a
// staff role ("RN", "cm") or a road ("RT").
func dev3Trigger(w string) uint8 {
	switch w {
	case "mon", "tue", "tues", "wed", "weds", "thu", "thur", "thurs", "fri", "sat", "sun":
		return trigWeekday
	case "xmas", "mother", "father":
		return trigHoliday
	case "at", "from", "to", "via", "outside", "through", "thru", "near", "employer", "above", "attends", "attended":
		return trigPlaceCue
	case "rn", "np", "sw", "cm", "rrt", "lpn", "cna", "slp":
		return trigRole
	case "rt", "rte", "route", "hwy", "highway": // "route" (rules_dev5.go), "hwy" (rules_dev11.go)
		return trigRoad
	case "in":
		return trigIn
	case "ninety", "nineties":
		return trigAge
	case "bed", "location", "unit":
		return trigLabel
	case "ave", "avenue", "rd", "road", "blvd", "ln", "lane", "street", "parkway", "pkwy", "pike", "terrace":
		return trigStreet
	}
	return trigNone
}

// trendValue: tokens i..j are a decade after an arrow ("afib 130s -> 90s",
// "SBP 80S -> 100S", "HR 110s-->90s"): the value a measure came to, never an
// age of 90 or over.
func (sc *scan) trendValue(i, j int) bool {
	if j != i || !sc.decade(i) || sc.toks[i].nl {
		return false
	}
	return sc.punct(i-1, '>') && (sc.punct(i-2, '-') || sc.punct(i-2, '=')) && sc.joined(i-1)
}

// routeAt marks a road written "RT"/"RTE"/"ROUTE" (token i) and its number
// after a word that places something on it ("CAR ON RT 140", "off rte 40
// west", "MOTEL ON ROUTE 1": the other highway rules miss a route of one
// digit or in capitals). It returns the last token used (i when none).
func (sc *scan) routeAt(i int) int {
	toks := sc.toks
	if i < 1 || i+1 >= len(toks) || toks[i+1].nl || sc.claim[i] {
		return i
	}
	k := i + 1
	if sc.punct(k, '.') && sc.joined(k) {
		k++
	}
	if l := sc.numLen(k); l == 0 || l > 3 || !toks[k].sp && k == i+1 || sc.unitAfter(k) || sc.joined(k+1) && k+1 < len(toks) && toks[k+1].kind != kPunct {
		return i
	}
	switch sc.lower(i - 1) {
	case "on", "off", "along", "via", "onto", "near", "down", "up", "crossing":
		sc.addToks(i, k, TypeLocation, "rules/highway")
		return k
	}
	return i
}

// cueCityAt marks a known town of two words or more (the zipcodes list)
// right after a place cue or "in", in a line written in capitals or in lower
// case, where truecasing leaves its everyday words in lower case and the
// capitalised-run rules do not see it ("FROM MIDDLE RIVER", "son from front
// royal", "HOME IN GLEN ARM"); in a mixed-case line only when written with a
// capital (scanPlaces finds most of those already). One-word towns that are
// everyday words ("from Liberty", "in Normal") are left to the other rules.
// It returns the last token marked (i when none).
func (sc *scan) cueCityAt(i int) int {
	toks := sc.toks
	s := i + 1
	if s >= len(toks) || toks[s].nl || toks[s].kind != kWord || !toks[s].sp {
		return i
	}
	e := sc.city(s)
	if e == s && sc.residenceTown(i, s) {
		sc.addToks(s, s, TypeLocation, "rules/city")
		return s
	}
	if e <= s || sc.caseAt(s) == caseMixed && !sc.rawCap(s) {
		return i
	}
	claimed := true // a town whose first word alone was found ("FROM PERRY HALL") is taken whole
	for k := s; k <= e; k++ {
		if toks[k].kw&(setMonth|setDay|setTitle) != 0 {
			return i
		}
		claimed = claimed && sc.claim[k]
	}
	if claimed {
		return e
	}
	sc.addToks(s, e, TypeLocation, "rules/city")
	return e
}

// residenceTown: token s, a one-word known town that is also an everyday
// word, follows a verb of residence, a relative or a place of work and
// "in", "from" or "near" (token i), or "from" with a relative earlier in
// its clause, and ends its clause: "pt lives in bend w wife", "resides in
// sisters.", "living in burns, alone", "son in bend will visit", "SISTER
// FROM BURNS CALLED" (dev131), "college in weed,", "SISTER ALCIDIE FROM
// KINDER AT BS". A clinical "from" or "in" ("daughter in
// room") has no town after it; words that follow such a cue as often as a
// town does ("mobile home", "van", "park", "winter") are left to the other
// rules, as is a state ("lives in florida").
func (sc *scan) residenceTown(i, s int) bool {
	toks := sc.toks
	if i < 1 || toks[i].nl || !(sc.is(i, "in") || sc.is(i, "from") || sc.is(i, "near")) || sc.claim[s] || everydayTowns[sc.lower(s)] || sc.stateAlone(s, s) ||
		toks[s].kw&(setMonth|setDay|setTitle|setHeader|setMeasure|setRelation|setCue1|setCue2) != 0 {
		return false
	}
	switch w := sc.lower(i - 1); {
	case sc.is(i, "from") && sc.travelBefore(i):
		// someone who came or called from the town: "SISTER PHILOMENE FROM
		// SULPHUR PLANS TO VISIT", "brother drove down from Battleground
		// today", "Grandson arrived from Canadian at 0340" (dev7-dev131)
	case w == "lives" || w == "living" || w == "lived" || w == "live" || w == "resides" || w == "residing" || w == "reside":
		if sc.is(i, "from") {
			return false
		}
	case placeOfWork[w]:
		// a place of business or work: "picking up from the pharmacy in
		// cotter.", "A HEARING AID SHOP IN PEEL LAST YEAR" (dev159); not an
		// activity ("after working in brush near millwood lake", dev151)
	default:
		if toks[i-1].kw&setRelation == 0 {
			return false
		}
	}
	k := s + 1
	if k >= len(toks) || toks[k].nl {
		return true
	}
	switch {
	case toks[k].kind == kPunct:
		return sc.punct(k, ',') || sc.punct(k, '.') || sc.punct(k, ';') || sc.punct(k, '(') || sc.punct(k, ')') || sc.punct(k, '-') && toks[k].sp
	case toks[k].kind == kWord:
		return residenceEnds[sc.lower(k)]
	}
	return false
}

// everydayTowns are towns of the gazetteer that follow "lives in" or "came
// from" as other words more often than as a town.
var everydayTowns = map[string]bool{
	"home": true, "house": true, "mobile": true, "van": true, "lodge": true, "village": true,
	"park": true, "central": true, "hope": true, "comfort": true, "harmony": true, "north": true,
	"west": true, "south": true, "east": true, "shock": true, "winter": true, "spring": true,
	"summer": true, "fall": true, "hall": true, "nursery": true,
	"church": true, "camp": true, "college": true, "mass": true, "town": true, "chapel": true,
	"mine": true, "plant": true, "mill": true, "school": true, "work": true, "fort": true,
}

// placeOfWork are the places of business, work, study and care that a
// town follows after "in" ("the pharmacy in cotter.", "outside ed in
// belmont with sats 84%", "a warehouse in lebanon,", "college in weed,").
var placeOfWork = map[string]bool{
	"pharmacy": true, "clinic": true, "office": true, "shop": true, "store": true, "church": true,
	"school": true, "job": true, "works": true, "farm": true, "ranch": true, "plant": true, "mill": true,
	"hospital": true, "ed": true, "er": true, "facility": true, "center": true, "ltach": true, "snf": true,
	"rehab": true, "college": true, "university": true, "warehouse": true, "factory": true, "company": true,
}

// travelBefore: in token i's clause, up to six words before it, a relative
// stands ("SISTER PHILOMENE FROM", "wife comes on weekends from",
// "brother drove down from"); a verb of coming or calling alone is not
// enough ("Tele called from monitor", review18).
func (sc *scan) travelBefore(i int) bool {
	for p, n := sc.prevWord(i), 0; p >= 0 && n < 6; p, n = sc.prevWord(p), n+1 {
		if sc.toks[p].kw&setRelation != 0 {
			return true
		}
	}
	return false
}

// residenceEnds are words that end the clause "lives in <town>".
var residenceEnds = map[string]bool{
	"with": true, "w": true, "and": true, "alone": true, "by": true, "since": true, "but": true,
	"area": true, "now": true, "currently": true, "x": true, "for": true, "where": true, "near": true,
	"called": true, "calls": true, "calling": true, "is": true, "will": true, "visiting": true,
	"visited": true, "here": true, "aware": true, "updated": true, "coming": true, "arrived": true,
	"arrives": true, "staying": true, "has": true, "prior": true, "after": true, "last": true,
	"at": true, "plans": true, "today": true, "tonight": true, "on": true, "in": true, "to": true,
	"during": true, "until": true, "over": true,
}

// businessOnAt marks a business named after a place cue (token i) and
// before "on" and a street found already as one place, as the evaluation
// sets mark it ("sent to Giant Pharmacy on Reisterstown Rd", "at Rite Aid on
// Harford Rd"): one to four capitalised words, no keyword among them unless
// found already, no unit or test ("to ICU on ..." stays), and a street that ends in a street
// word ("Rd", "Ave", "Blvd", "Hwy").
func (sc *scan) businessOnAt(i int) {
	toks := sc.toks
	k := i + 1
	if sc.is(k, "the") && !toks[k].nl {
		k++ // "at the Labcorp on Shaw Ave" (rules_dev15.go)
	}
	s := k
	// in a line all in capitals or all in lower case every word counts
	// ("HD AT FRESENIUS ON PLAZA DR", "sent to walgreens on olive ave";
	// rules_dev15.go)
	for ; k < len(toks) && k-s < 4 && !toks[k].nl && (sc.capWord(k) || toks[k].kind == kWord && sc.caseAt(k) != caseMixed) && (toks[k].kw == 0 || sc.claim[k]) && !functionWord(sc.lower(k)) && !clinicalAcronyms[sc.lower(k)]; k++ {
	}
	if k == s || !sc.is(k, "on") || toks[k].nl {
		return
	}
	e := -1
	for m := k + 1; m < len(toks) && m-k <= 5 && !toks[m].nl && sc.claim[m] && (toks[m].kind == kWord || sc.punct(m, '.')); m++ {
		if toks[m].kw&setStreet != 0 {
			e = m
		}
	}
	if e > k+1 {
		sc.addToks(s, e, TypeLocation, "rules/org")
	}
}

// orgRunCue: w comes right before the name of a place or a business.
func orgRunCue(w string) bool { return dev3Trigger(w) == trigPlaceCue }

// strongHeads end the name of a place or a business whatever the words
// before them (when they are not generic: "the hospital", "OSH", "community
// hospital" name no one); nameHeads end a hospital's name ("Ashcombe
// General") after a word no word list knows, a name or a city, or a name
// or place found already; weakHeads are everyday words too ("express",
// "living", "pharmacy") and need a word no word list knows before them, and
// stay outside a name found already ("Kroger's pharmacy").
var (
	strongHeads = map[string]bool{
		"hospital": true, "hospice": true, "ltach": true, "infirmary": true, "sanatorium": true,
		"tavern": true, "roofing": true, "trucking": true, "marina": true, "grocers": true,
		"plumbing": true, "motors": true,
		"factory": true, "distillery": true, "brewery": true, // (rules_dev5.go)
		"winery": true, "cannery": true, "creamery": true, "packers": true, "freight": true, "hauling": true, // (rules_dev15.go)
		// a congregation named by its denomination (rules_dev6.go)
		"methodist": true, "baptist": true, "presbyterian": true, "lutheran": true, "episcopal": true,
		"pentecostal": true, "mennonite": true, "brethren": true, "ame": true,
	}
	nameHeads = map[string]bool{"regional": true, "general": true, "memorial": true}
	weakHeads = map[string]bool{
		"living": true, "manor": true, "lodge": true,
		"inn": true, "express": true, "infusion": true, "grocery": true,
		"market": true, "construction": true, "logistics": true, "farms": true, "mill": true, "steel": true,
		"motel": true, "hotel": true, "shelter": true, "apts": true, "mission": true, "parish": true, "academy": true,
		"clinic": true, "center": true, "centre": true, "rehab": true, "village": true, "commons": true,
		"dialysis": true, "pharmacy": true, "apartments": true, // (rules_dev6.go)
		"packing": true, "dairy": true, "canning": true, // (rules_dev15.go)
		// schools, churches, stations (sixth round, rules_dev4.go)
		"elementary": true, "school": true, "university": true, "college": true, "church": true,
		"synagogue": true, "mosque": true, "temple": true, "library": true, "airport": true, "station": true,
	}
	// orgRunGeneric: words that say what kind of place, not which one.
	orgRunGeneric = map[string]bool{
		"the": true, "a": true, "an": true, "his": true, "her": true, "their": true, "our": true, "this": true,
		"that": true, "same": true, "other": true, "another": true, "outside": true, "osh": true, "local": true,
		"nearby": true, "area": true, "state": true, "teaching": true, "acute": true, "subacute": true,
		"sub": true, "long": true, "term": true, "ltc": true, "skilled": true, "assisted": true, "snf": true,
		"psych": true, "private": true, "new": true, "old": true, "previous": true, "prior": true,
		"current": true, "upper": true, "lower": true, "main": true, "adult": true, "pt's": true, "day": true,
		"home": true, "its": true,
		"critical": true, // "VIA CRITICAL CARE AMBULANCE" (dev49)
		// "pt left via ground ambulance" (dev67), "VIA AIR AMBULANCE" (dev30)
		"ground": true, "air": true,
		// "FROM A RURAL HOSPITAL", "to the referring hospital": which kind, not which one
		"rural": true, "small": true, "smaller": true, "larger": true, "bigger": true, "outlying": true,
		"tertiary": true, "referring": true, "receiving": true, "sending": true, "accepting": true,
		"closest": true, "nearest": true, "different": true,
		// "at contracted hospital", "continued hospital post", "sent to program's pharmacy",
		// "the usual pharmacy" (dev135)
		"contracted": true, "contract": true, "continued": true, "program": true, "designated": true,
		"usual": true, "preferred": true, "regular": true, "affiliated": true,
	}
)

// serviceVerbs are verbs done to a service after "to" ("ready to discuss
// hospice", "agreed to contact home care"), never the first word of its name.
var serviceVerbs = map[string]bool{
	"discuss": true, "consider": true, "start": true, "begin": true, "involve": true, "contact": true,
	"call": true, "refer": true, "enroll": true, "pursue": true, "notify": true, "arrange": true,
	"elect": true, "choose": true, "revisit": true, "explore": true, "accept": true, "decline": true,
	"help": true, "find": true, "establish": true, "schedule": true, // "SW TO HELP FIND CLINIC" (dev53)
}

// orgRunAt marks a run of one to three words after a place cue that
// ends in a head word ("FROM KESTREL VALLEY HOSPITAL"; "VIA LIFELINE
// EXPRESS" is left: everyday words), in any case, as a LOCATION, when at
// least one word before the head says which place it is; a name or place
// found earlier in the run counts as one before a strong head or a
// hospital's ("EMPLOYER DUNMORE ROOFING"), but a weak head stays outside it
// ("Kroger's pharmacy", "PATAPSCO CROSSING ASSISTED LIVING").
func (sc *scan) orgRunAt(i int) int {
	toks := sc.toks
	if i+2 >= len(toks) || toks[i+1].nl {
		return i
	}
	s := i + 1
	if sc.is(s, "the") && s+1 < len(toks) && !toks[s+1].nl {
		s++
	}
	if sc.is(s, "pt") || sc.is(s, "patient") {
		return i // "rx sent to pt's pharmacy": the patient's own
	}
	if sc.inSet(s, serviceVerbSet) {
		return i // "not ready to discuss hospice" (dev47): what is done with a service
	}
	e, specific, candidate, found, poss, gap, nspec := -1, false, false, false, false, false, 0
	for k, n := s, 0; k < len(toks) && n < 5; k++ { // five words: "NEW PILGRIM REST MISSIONARY BAPTIST CHURCH" (rules_dev11.go)
		t := toks[k]
		if k > s && t.nl || t.kind != kWord && !(sc.punct(k, '-') && sc.joined(k) && sc.joined(k+1)) && !sc.possessive(k) && !sc.saintDot(k) &&
			!(sc.punct(k, '&') && k > s && k+1 < len(toks) && toks[k+1].kind == kWord && !toks[k+1].nl) { // "HEALTH & REHAB" (rules_dev6.go)
			break
		}
		if t.kind != kWord {
			poss = poss || sc.possessive(k)
			continue
		}
		w := sc.lower(k)
		if sc.claim[k] { // a name or place found already ("DUNMORE" of "DUNMORE ROOFING")
			specific, found, gap = true, true, false
			n++
			continue
		}
		if n > 0 && specific && (sc.inSet(k, strongHeadSet) || w == "office" && sc.is(k-1, "post") && k-1 > s || sc.inSet(k, nameHeadSet) && (candidate || found || sc.nameHeadEnds(k)) ||
			sc.inSet(k, weakHeadSet) && (candidate || found && !gap && sc.headOfName(k, poss) || nspec >= 2 && sc.headOfName(k, poss) && sc.everydayPlace(s, k)) ||
			w == "living" && livingMod(sc.lower(k-1)) && sc.headOfName(k, poss) || // "CHESTNUT BROOK ASSISTED LIVING" (rules_dev5.go)
			t.xbits()&xDev11 != 0 && sc.pairHead(k, w) && sc.headOfName(k, poss) && sc.nameBeforePair(s, k, w)) { // "BAYOU HOME HEALTH", "DELTA GIN CO" (rules_dev11.go)
			e = k
			for e+1 < len(toks) && !toks[e+1].nl && toks[e+1].kind == kWord && (sc.inSet(e+1, strongHeadSet) || sc.inSet(e+1, nameHeadSet) || sc.inSet(e+1, weakHeadSet)) {
				e++ // "regional medical center"
			}
			break
		}
		if w == "and" && k > s && k+1 < len(toks) && !toks[k+1].nl && orgTails[sc.lower(k-1)] && orgTails[sc.lower(k+1)] {
			continue // "heritage hills health and rehab" (rules_dev6.go)
		}
		if t.kw&(setMonth|setDay|setTitle) != 0 || functionWord(w) && !sc.inSet(k, orgRunGenericSet) || orgRunCue(w) || w == "vs" || w == "versus" {
			break
		}
		// a word of the clinical list says what kind of place too ("VENT
		// WEANING LTACH", "DME CO"; dev49; clinicalKind)
		if !sc.inSet(k, orgRunGenericSet) && !genericOrgWords[w] && !orgWords[w] && !sc.clinicalKind(k) {
			specific, gap = true, found // a word between a name found and a head ("sparrows point after rehab")
			nspec++
			candidate = candidate || sc.candidate(k) || t.flags&(lexicon.Name|lexicon.City) != 0 && t.flags&lexicon.SafeCore == 0
		}
		n++
	}
	if e > s && !candidate && !found && sc.plainOrgRun(s) {
		return e // "to a grain co", "need LTACH": a kind of place, no name
	}
	if e > s {
		sc.addToks(s, e, TypeLocation, "rules/org")
		return e
	}
	return i
}

// plainOrgRun: the run of orgRunAt from token s, of everyday words only,
// says what kind of place, not which: after an indefinite article or a
// possessive ("drives for a concrete company", "their chosen hospice"), or
// opened by a word of wanting, doing or likelihood ("possible SNF", "need
// LTACH").
func (sc *scan) plainOrgRun(s int) bool {
	// the article opens the run, or stands before it where a caller starts
	// the run after it (scanDev11's "WORKS FOR THE …"); not "the": "at the
	// Cheesecake Factory" (dev5)
	return plainOrgOpeners[sc.lower(s)] || plainOrgArticles[sc.lower(s)] || s > 0 && plainOrgArticles[sc.lower(s-1)]
}

// plainOrgArticles open a run of orgRunAt's that names a kind of place, or
// stand before it (plainOrgRun): an indefinite article or a possessive ("a
// grain co", "his chosen hospice").
var plainOrgArticles = map[string]bool{
	"a": true, "an": true, "any": true, "another": true, "some": true, "their": true, "his": true, "her": true,
	"its": true, "our": true, "your": true, "my": true,
}

// plainOrgOpeners open a run of everyday words before a place's head word
// that is no name (plainOrgRun).
var plainOrgOpeners = map[string]bool{
	"possible": true, "likely": true, "probable": true, "eventual": true, "potential": true, "future": true,
	"need": true, "needs": true, "use": true, "bring": true, "provide": true, "buy": true, "pays": true,
	"pay": true, "cancel": true, "refuse": true, "refuses": true, "prefer": true, "prefers": true,
	"consider": true, "continued": true, "continue": true, "drive": true, "hold": true,
	"yesterday's": true, "tomorrow's": true, "today's": true,
}

// headOfName: weak head word k completes the name of the business found
// before it ("WILLOWMERE ASSISTED LIVING", "Pinecrest Assisted Living"), as
// the evaluation sets mark it, unless the name is a possessive ("Kroger's
// pharmacy") or the head is a lower-case description after a capitalised
// name in a mixed-case line ("Chase Brexton clinic").
func (sc *scan) headOfName(k int, poss bool) bool {
	return !poss && (sc.caseAt(k) != caseMixed || sc.rawCap(k))
}

// possessive: token k is the "'" of "KRAMER'S", glued on both sides.
func (sc *scan) possessive(k int) bool {
	return sc.punct(k, '\'') && sc.joined(k) && sc.joined(k+1) && sc.is(k+1, "s")
}

// roleNameAt marks the name after a staff role: a known name that is no
// everyday word ("RN CORNELIA"), or any word right before a name already
// found ("cm lolly fontenot", where "fontenot" was found).
func (sc *scan) roleNameAt(i int) {
	toks := sc.toks
	if i+1 >= len(toks) || toks[i+1].nl || toks[i+1].kind != kWord || sc.claim[i+1] {
		return
	}
	k := i + 1
	f := toks[k].flags
	w := sc.lower(k)
	if toks[k].kw != 0 || functionWord(w) || len(w) < 3 {
		return
	}
	switch {
	case k+1 < len(toks) && !toks[k+1].nl && sc.nameTok[k+1]:
		sc.addToks(k, k, TypeName, "rules/name")
	case f&lexicon.Name != 0 && f&(lexicon.SafeCore|lexicon.Common) == 0:
		e := k
		if e+1 < len(toks) && !toks[e+1].nl && sc.candidate(e+1) {
			e++
		}
		sc.addToks(k, e, TypeName, "rules/name")
		sc.addName(w)
	}
}
