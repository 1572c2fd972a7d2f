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
	timed := next < len(sc.toks) && sc.toks[next].sp && !sc.toks[next].nl && sc.clock(next) ||
		// "started 12-1 @ 1800" (rules_dev6.go)
		next+1 < len(sc.toks) && sc.punct(next, '@') && !sc.toks[next].nl && !sc.toks[next+1].nl && sc.clock(next+1)
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

// placeHeads are the kinds of business or institution that complete a place
// name written before them ("PERKINS IR CLINIC", "forest hill lanes",
// "WOODSPRING SUITES"); placeHeadMods the words that may come between the
// name and its head ("dumbarton middle school", "CHESTNUT BROOK ASSISTED
// LIVING"). "living" only completes a name after its modifier ("in columbia
// living with her son" stays).
var (
	placeHeads = map[string]bool{
		"school": true, "academy": true, "clinic": true, "center": true, "centre": true, "lanes": true,
		"suites": true, "transport": true, "factory": true, "distillery": true, "brewery": true,
		"market": true, "hardware": true, "tavern": true, "hospice": true, "pharmacy": true, "living": true,
		"dme": true, "plant": true, "elementary": true, "care": true, "community": true, // (rules_dev6.go)
	}
	placeHeadMods = map[string]bool{
		"middle": true, "high": true, "elementary": true, "charter": true, "ir": true, "urgent": true,
		"assisted": true, "independent": true, "senior": true, "medical": true, "care": true, "bowling": true,
		"dental": true, "health": true, "family": true, "surgery": true, "surgical": true, "cancer": true,
		"foods": true, "retirement": true, // (rules_dev6.go)
	}
)

// placeHeadAfter returns the end (byte) of the head word that completes the
// place text[s:e] found already ("[PERKINS] IR CLINIC", "[Liberty Heights]
// Ave"), or e when none does.
// In a mixed-case place a lower-case head is a description and stays outside
// ("Chase Brexton clinic"), as the evaluation sets mark it.
func (sc *scan) placeHeadAfter(s, e int) int {
	text, low := sc.text, sc.low
	word := func(at int) (int, bool) { // the end of the word of letters at byte at
		k := at
		for k < len(text) && isASCIILetter(text[k]) {
			k++
		}
		return k, k > at && (k == len(text) || !isASCIILetter(text[k]) && !isDigit(text[k]) && text[k] != '\'' && text[k] != '-')
	}
	if e+2 >= len(text) || text[e] != ' ' || !isASCIILetter(text[e+1]) {
		return e
	}
	a := e + 1
	b, ok := word(a)
	if !ok {
		return e
	}
	end := -1
	w := low[a:b]
	switch {
	case lowerStreetSuffixes[w] && streetSuffixes[lastWord(low[s:e])]:
		end = b // "[Liberty Heights] Ave": a street named after a place
	case placeHeadMods[w] && b+1 < len(text) && text[b] == ' ':
		if c, ok := word(b + 1); ok {
			// "[WILSON] ELEMENTARY SCHOOL", "[Ashby] URGENT CARE" ("urgent care"
			// in small letters is the kind of visit as often as the name)
			if h := low[b+1 : c]; placeHeads[h] && headAfterMod(h, w) && (h != "care" || text[b+1] >= 'A' && text[b+1] <= 'Z') {
				end = c
			}
		}
		if end < 0 && placeHeads[w] && headAfterMod(w, "") {
			end = b // "[WILSON] ELEMENTARY" (a head that is a modifier too)
		}
	case placeHeads[w] && headAfterMod(w, ""):
		end = b
	}
	if end < 0 {
		return e
	}
	// mixed case: the place has capitals and small letters, the head none
	hasUp, hasLow := false, false
	for k := s; k < e; k++ {
		hasUp = hasUp || text[k] >= 'A' && text[k] <= 'Z'
		hasLow = hasLow || text[k] >= 'a' && text[k] <= 'z'
	}
	if hasUp && hasLow && text[a] >= 'a' && text[a] <= 'z' {
		return e
	}
	return end
}

// headAfterMod: head h completes a place's name after modifier w ("" when
// none): "living", "care" and "community" only after the modifier that
// makes them a kind of place ("assisted living", "urgent care",
// "retirement community": "in columbia living with her son" stays).
func headAfterMod(h, w string) bool {
	switch h {
	case "living":
		return livingMod(w)
	case "care":
		return w == "urgent"
	case "community":
		return w == "retirement"
	}
	return true
}

// livingMod: w makes "living" after it a kind of residence ("assisted
// living"), so a name before them is a place's.
func livingMod(w string) bool { return w == "assisted" || w == "independent" || w == "senior" }
