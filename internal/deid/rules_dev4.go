package deid

// Rules for the shapes the fourth batch of hand-written development notes
// (testdata/realstyle/dev4.txt) showed the other passes leaving: ages over 89
// stated after a verb or a relation ("Pt is 92, lives alone", "her mom is 97
// and", "TURNS 90 ON", "wife (94)") or spelt out ("PT IS NINETY-THREE",
// "ninety-two years old"), wards with a lettered floor or after a label
// ("TO WEINBERG 4C", "Bed: Bunting 8", "at Weinberg 5A"), a street's
// direction initial ("W. LOMBARD ST") and the "at" of "X Medical Center at
// Easton".

// statedAge: number token i (90 to 129, index) is an age stated of a person:
// after "is" or "was" whose subject is the patient, a pronoun, a relation or
// a name ("Pt is 92,", "Her mom is 97 and", "she is 93."), after "turns" or
// "turned" ("TURNS 90 ON 12/12"), or in parentheses after a relation ("wife
// (94)"); never a measure ("HR is 92", "pt is 94% on RA", "is 98.6", "is 95
// kg").
func (sc *scan) statedAge(i int) bool {
	toks := sc.toks
	if i < 1 || toks[i].kind != kNum {
		return false
	}
	if v := sc.numVal(i); v < 90 || v >= 130 {
		return false
	}
	if sc.punct(i-1, '(') && sc.punct(i+1, ')') {
		return i >= 2 && toks[i-2].kind == kWord && toks[i-2].kw&setRelation != 0
	}
	if sc.sexThenClause(i+1) && sc.ageLead(i) {
		return true
	}
	if (sc.is(i-1, "pt") || sc.is(i-1, "patient")) && sc.punct(i+1, ',') && i+2 < len(toks) && !toks[i+2].nl && ageClauseWords[sc.lower(i+2)] {
		return true // "PT 91, LIVES ALONE" (dev80); not "PT 91, INR 2.1", a prothrombin time
	}
	if sc.unitAfter(i) || !sc.ageVerb(i-1) {
		return false
	}
	// after "turns" any word but a unit may follow ("TURNS 100 NEXT WEEK")
	return sc.ageEnd(i+1) || i+1 < len(toks) && toks[i+1].kind == kWord && toks[i+1].sp && sc.toks[i-1].e-sc.toks[i-1].s > 3
}

// ageClauseWords follow "pt N," when N is the patient's age: how the
// patient lives ("PT 91, LIVES ALONE", "pt 93, widowed").
var ageClauseWords = map[string]bool{
	"lives": true, "living": true, "widowed": true, "widow": true, "widower": true, "independent": true,
	"married": true, "retired": true, "resides": true, "ambulates": true, "walks": true,
}

// ageVerb: word token p is a verb that states an age: "turns", "turned",
// "turning", or "is"/"was" after the patient, a pronoun, a relation or a
// name found.
func (sc *scan) ageVerb(p int) bool {
	if p < 0 || sc.toks[p].kind != kWord {
		return false
	}
	switch sc.lower(p) {
	case "turns", "turned", "turning":
		return true
	case "is", "was":
		s := p - 1
		if s < 0 || sc.toks[s].kind != kWord {
			return false
		}
		if sc.toks[s].kw&setRelation != 0 || sc.nameTok[s] {
			return true
		}
		switch sc.lower(s) {
		case "pt", "patient", "she", "he", "who":
			return true
		}
	}
	return false
}

// ageEnd: token k ends a stated age: the end of the line or text, a comma,
// semicolon, colon, bracket or a full stop not inside a number, or a word
// that goes on with the person ("and", "years", "yo", "today", "now").
func (sc *scan) ageEnd(k int) bool {
	toks := sc.toks
	if k >= len(toks) || toks[k].nl {
		return true
	}
	switch toks[k].kind {
	case kPunct:
		switch toks[k].aux {
		case ',', ';', ':', '(', ')':
			return true
		case '.':
			return k+1 >= len(toks) || toks[k+1].kind != kNum || toks[k+1].sp
		}
	case kWord:
		switch sc.lower(k) {
		case "and", "years", "year", "yrs", "yo", "today", "now", "but", "with", "on", "in", "when":
			return true
		}
	}
	return false
}

// ageLead: what comes before number token i can open an age and sex
// ("HPI: 94 F", "Pt is a 94 M", a line's start), unlike a measure's name
// ("TMAX 101 F WITH CHILLS").
func (sc *scan) ageLead(i int) bool {
	t := sc.toks
	if t[i].nl {
		return true
	}
	switch t[i-1].kind {
	case kPunct:
		c := t[i-1].aux
		return c == ':' || c == ',' || c == '('
	case kWord:
		switch sc.lower(i - 1) {
		case "a", "an", "pt", "patient", "is", "hpi", "cc":
			return true
		}
	}
	return false
}

// sexThenClause: token k is a sex letter in capitals after an age and
// before the words of a history ("HPI: 94 F with SOB", "92 M presents with"),
// not a temperature ("TMAX 101 F", "98 F NOW": no such word follows).
func (sc *scan) sexThenClause(k int) bool {
	toks := sc.toks
	if k+1 >= len(toks) || toks[k].nl || !toks[k].sp || toks[k].kind != kWord || toks[k].e-toks[k].s != 1 || toks[k+1].nl {
		return false
	}
	if c := sc.text[toks[k].s]; c != 'F' && c != 'M' {
		return false
	}
	switch sc.lower(k + 1) {
	case "with", "w", "who", "presents", "presenting", "admitted", "brought", "transferred", "s", "hx", "pmh", "from":
		return true
	}
	return false
}

// spelledAge marks an age over 89 written in words at token i ("ninety"):
// "ninety", "ninety-one" … "ninety-nine", after "is", "was", "turns", "pt",
// "patient", "age" or "aged", or before "yo" or "years" ("PT IS
// NINETY-THREE,", "NINETY-FOUR YO WOMAN", "pt ninety and sharp"); never
// "ninety minutes" or "ninety percent". It returns the last token used.
func (sc *scan) spelledAge(i int) int {
	toks := sc.toks
	if sc.is(i, "nineties") {
		// "in her nineties", "in his late nineties"
		if i > 0 && toks[i-1].kind == kWord {
			switch sc.lower(i - 1) {
			case "her", "his", "their", "late", "mid", "early":
				sc.addToks(i, i, TypeAge, "rules/age")
			}
		}
		return i
	}
	e := i
	// "ninety-three", "ninety three"
	if k := i + 2; sc.punct(i+1, '-') && sc.joined(i+1) && sc.joined(k) && k < len(toks) && toks[k].kind == kWord && unitWords9[sc.lower(k)] {
		e = k
	} else if k := i + 1; k < len(toks) && toks[k].sp && !toks[k].nl && toks[k].kind == kWord && unitWords9[sc.lower(k)] {
		e = k
	}
	after := ""
	if k := e + 1; k < len(toks) && toks[k].kind == kWord && !toks[k].nl {
		after = sc.lower(k)
	}
	ok := false
	switch after {
	case "yo", "y", "year", "years", "yr", "yrs":
		ok = true
	}
	if !ok && i > 0 && toks[i-1].kind == kWord && sc.ageEnd(e+1) {
		switch sc.lower(i - 1) {
		case "is", "was", "turns", "turned", "turning", "pt", "patient", "age", "aged":
			ok = true
		}
	}
	if !ok {
		return i
	}
	sc.addToks(i, e, TypeAge, "rules/age")
	return e
}

// unitWords9 are the units after "ninety".
var unitWords9 = map[string]bool{
	"one": true, "two": true, "three": true, "four": true, "five": true, "six": true, "seven": true, "eight": true, "nine": true,
}

// wardFloor: token n is the floor or unit of a ward: a number of one or two
// digits up to 20, or such a number and one letter ("4C", "5A").
func (sc *scan) wardFloor(n int) bool {
	if n >= len(sc.toks) || sc.toks[n].nl {
		return false
	}
	t := &sc.toks[n]
	switch t.kind {
	case kNum:
		l := t.e - t.s
		return l >= 1 && l <= 2 && sc.numVal(n) <= 20
	case kAlnum:
		l := t.e - t.s
		if l < 2 || l > 3 || !isDigit(sc.text[t.s]) {
			return false
		}
		c := sc.text[t.e-1] | 0x20
		if c < 'a' || c > 'h' {
			return false
		}
		for k := t.s; k < t.e-1; k++ {
			if !isDigit(sc.text[k]) {
				return false
			}
		}
		return true
	}
	return false
}

// wardLabelAt marks a ward after "at" or a label ("Bed:", "Location:",
// "Unit:") at token i, the label or "at": "Bed: Bunting 8, bed 14",
// "Location: Zayed 7 bedside", "called to Britta RN at Weinberg 5A".
func (sc *scan) wardLabelAt(i int) int {
	k := i + 1
	if !sc.is(i, "at") {
		if !sc.punct(k, ':') {
			return i
		}
		k++
	}
	// a ward's word may have been found as a name or place already
	// ("Location: Pelletier 4" with "Pelletier" a surname)
	if k >= len(sc.toks) || sc.toks[k].kind != kWord || sc.toks[k].nl && k == i+1 {
		return i
	}
	if e := sc.wardAt(k, true); e > 0 {
		return e
	}
	return i
}

// streetDirections are the direction initials before a street ("W. LOMBARD
// ST", "n. patterson park ave").
var streetDirections = map[string]bool{"n": true, "s": true, "e": true, "w": true, "ne": true, "nw": true, "se": true, "sw": true}

// joinPlaces grows the places and names found, as the evaluation sets mark
// them: over a direction initial before a street ("W. LOMBARD ST"), over
// "Greater" before a place ("GREATER BALTIMORE MEDICAL CENTER"), over a
// store number ("CVS #4471") or a house number after a German street
// ("Lindenstraße 42"), over the "at" between a facility and the place it is
// in when both were found ("Shore Medical Center at Easton") and the "and"
// between two streets ("NORTH AVE AND CHARLES ST"), and over the rest of a
// hyphenated surname ("PRICE-MOBLEY"); and it marks an acronym defined in
// parentheses after a place ("Union Memorial Hospital (UMH)").
func (sc *scan) joinPlaces() {
	text, low := sc.text, sc.low
	// sc.out, not a copy of the slice: acronymAfter appends to it
	n, dropped := len(sc.out), false
	// starts indexes the spans by their start, built at the first join
	// over "at", "and" or "&" (a scan of every span for each would be
	// quadratic in a long line of streets); an entry is checked against
	// the span's current start when read, and a span whose start moves is
	// indexed again (index)
	var starts map[int][]int
	index := func(b int) {
		if starts != nil {
			starts[sc.out[b].s] = append(starts[sc.out[b].s], b)
		}
	}
	for a := 0; a < n; a++ {
		out := sc.out
		t, s, e := out[a].t, out[a].s, out[a].e
		if t != TypeName && t != TypeLocation || e <= s {
			continue // (or joined to a place before it)
		}
		if t == TypeName {
			// most names have no hyphen at either edge and no number after
			if (s == 0 || text[s-1] != '-') && (e+1 >= len(text) || text[e] != '-' && (text[e] != ' ' || !isDigit(text[e+1]))) {
				continue
			}
			sc.hyphenTail(&out[a])
			s, e = out[a].s, out[a].e
			if e+1 >= len(text) || text[e] != ' ' || !isDigit(text[e+1]) || !germanStreet(low[s:e]) {
				continue
			}
			// a German street read as a name: "Lindenstraße" before its number
		}
		// before the place: a direction initial ("W. LOMBARD ST"), "Greater",
		// a flat or suite ("apt 4b, 1200 park ave")
		if t == TypeLocation && s >= 3 && text[s-1] == ' ' {
			switch c := text[s-2]; {
			case c == ',':
				if u := sc.unitBefore(s); u >= 0 {
					out[a].s = u
				}
			case c == '.' || isASCIILetter(c):
				b := s - 1
				if c == '.' {
					b--
				}
				d := b
				for d > 0 && b-d < 3 && isASCIILetter(text[d-1]) {
					d--
				}
				if n := b - d; n >= 1 && n <= 2 && (d == 0 || !isASCIILetter(text[d-1]) && text[d-1] != '.') &&
					streetDirections[low[d:b]] && streetSpan(low[s:e]) {
					out[a].s = d
				} else if (c == 'r' || c == 'R') && s >= 8 && low[s-8:s] == "greater " && text[s-8] == 'G' && (s == 8 || !isASCIILetter(text[s-9])) {
					out[a].s = s - 8
				}
			}
		}
		index(a) // (its start may have moved)
		if t == TypeLocation {
			// a head after the place: "[PERKINS] IR CLINIC" (rules_dev5.go)
			if h := sc.placeHeadAfter(out[a].s, e); h > e {
				out[a].e, e = h, h
			}
		}
		if e+1 >= len(text) || text[e] != ' ' {
			continue
		}
		switch c := text[e+1]; {
		case c == '#' || isDigit(c):
			// a store or house number after the place: "CVS #4471", "Lindenstraße 42"
			m := e + 1
			if c == '#' {
				m++
			}
			d := m
			for d < len(text) && d-m < 5 && isDigit(text[d]) {
				d++
			}
			if d > m && (d == len(text) || !isASCIILetter(text[d]) && !isDigit(text[d])) && (m > e+1 || germanStreet(low[out[a].s:e])) {
				out[a].e = d
				out[a].t = TypeLocation
			}
		case t != TypeLocation:
		case c == '(':
			m := len(sc.out)
			sc.acronymAfter(out[a].s, e) // (it may move sc.out: out is not used after)
			for b := m; b < len(sc.out); b++ {
				index(b)
			}
		case c == 'a' || c == 'A' || c == '&':
			// " at ", " and ", " & " after the place
			gap := 0
			switch p := low[out[a].s:e]; {
			case facilityEnd(p) && e+4 <= len(text) && low[e:e+4] == " at ":
				gap = 4
			case streetSpan(p) && e+5 <= len(text) && low[e:e+5] == " and ":
				gap = 5
			case streetSpan(p) && e+3 <= len(text) && low[e:e+3] == " & ":
				gap = 3
			}
			if gap == 0 {
				continue
			}
			if starts == nil {
				starts = make(map[int][]int, len(out))
				for b := range out {
					index(b)
				}
			}
			join := -1 // the first place that starts right after the gap
			for _, b := range starts[e+gap] {
				if b != a && (join < 0 || b < join) && out[b].t == TypeLocation && out[b].s == e+gap && (gap == 4 || streetSpan(low[out[b].s:out[b].e])) {
					join = b
				}
			}
			if join >= 0 {
				out[a].e = out[join].e
				out[join].e = out[join].s // dropped below
				dropped = true
			}
		}
	}
	if dropped {
		k := 0
		for _, b := range sc.out {
			if b.e > b.s {
				sc.out[k] = b
				k++
			}
		}
		sc.out = sc.out[:k]
	}
	sc.covLen = -1
}

// unitBefore: the start of a flat or suite written before the street
// address at byte s ("apt 4b, 1200 park ave", "Flat 2, 14 Mill Lane"), or -1.
func (sc *scan) unitBefore(s int) int {
	if s < 6 || !isDigit(sc.text[s]) || sc.text[s-1] != ' ' || sc.text[s-2] != ',' {
		return -1
	}
	d := s - 2
	for d > 0 && s-2-d < 5 && (isDigit(sc.text[d-1]) || isASCIILetter(sc.text[d-1])) {
		d--
	}
	if d == s-2 || d < 2 || sc.text[d-1] != ' ' || !isDigit(sc.text[d]) && !isDigit(sc.text[s-3]) {
		return -1
	}
	u := d - 1
	for u > 0 && isASCIILetter(sc.text[u-1]) {
		u--
	}
	if u > 0 && sc.text[u-1] != ' ' && sc.text[u-1] != '\n' && sc.text[u-1] != ',' {
		return -1
	}
	switch sc.low[u : d-1] {
	case "apt", "apartment", "unit", "flat", "suite", "ste":
		return u
	}
	return -1
}

// hyphenTail grows name span b over the rest of a hyphenated surname glued
// after it ("LASHAWNDA PRICE-MOBLEY" where "PRICE" ended the name found), or
// over its first part before it, capitalised ("DESIREE CASH-WINFIELD" where
// "WINFIELD" was found).
func (sc *scan) hyphenTail(b *bspan) {
	if s := b.s; s >= 3 && sc.text[s-1] == '-' && isUpperASCII(sc.text[s]) {
		d := s - 1
		for d > 0 && isASCIILetter(sc.text[d-1]) {
			d--
		}
		if s-1-d >= 2 && isUpperASCII(sc.text[d]) && (d == 0 || sc.text[d-1] == ' ') {
			b.s = d
		}
	}
	e := b.e
	if e+2 > len(sc.text) || sc.text[e] != '-' || !isASCIILetter(sc.text[e-1]) || !isASCIILetter(sc.text[e+1]) {
		return
	}
	d := e + 1
	for d < len(sc.text) && (isASCIILetter(sc.text[d]) || sc.text[d] == '\'') {
		d++
	}
	if d-e-1 >= 2 && (d == len(sc.text) || sc.text[d] < 0x80) {
		b.e = d
	}
}

// acronymAfter marks an acronym in parentheses right after the place at
// bytes s..e when its letters start with the initials of the place's words
// ("Greater Baltimore Medical Center (GBMC)", "Peninsula Regional (PRMC)"):
// two to six capitals, the place's first two initials at least.
func (sc *scan) acronymAfter(s, e int) {
	if e+4 > len(sc.text) || sc.text[e] != ' ' || sc.text[e+1] != '(' {
		return
	}
	d := e + 2
	for d < len(sc.text) && d-e-2 < 7 && isUpperASCII(sc.text[d]) {
		d++
	}
	l := d - e - 2
	if l < 2 || l > 6 || d >= len(sc.text) || sc.text[d] != ')' {
		return
	}
	acr := sc.low[e+2 : d]
	n := 0 // initials of the place's words matched
	for k := s; k < e && n < l; k++ {
		if k > s && sc.text[k-1] != ' ' || !isASCIILetter(sc.text[k]) {
			continue
		}
		if w := lastWord(sc.low[s:wordEnd(sc.low, k)]); w == "of" || w == "the" || w == "at" || w == "and" {
			continue
		}
		if sc.low[k] != acr[n] {
			return
		}
		n++
	}
	if n >= 2 {
		sc.add(e+2, d, TypeLocation, "rules/acronym")
	}
}

// wordEnd: the end of the word of p starting at byte k.
func wordEnd(p string, k int) int {
	for k < len(p) && p[k] != ' ' {
		k++
	}
	return k
}

// germanStreet: place p (lower case) ends with a German street word
// ("Lindenstraße", "Am Schlossweg", "Goethestr."), before a house number.
func germanStreet(p string) bool {
	w := lastWord(p)
	for _, suf := range [...]string{"straße", "strasse", "str.", "weg", "gasse", "platz", "allee", "ring", "damm"} {
		if len(w) > len(suf) && w[len(w)-len(suf):] == suf {
			return true
		}
	}
	return false
}

// streetSpan: place p (lower case) ends with a street type.
func streetSpan(p string) bool {
	w := lastWord(p)
	switch w {
	case "st", "st.", "street", "ave", "ave.", "avenue", "rd", "rd.", "road", "blvd", "ln", "lane", "dr", "drive", "way", "pl", "ct", "pkwy", "hwy", "terrace", "ter":
		return true
	}
	return false
}

// facilityEnd: place p (lower case) ends with the head of a facility that
// can be followed by "at" and its town ("Medical Center at Easton").
func facilityEnd(p string) bool {
	switch lastWord(p) {
	case "center", "centre", "clinic", "hospital", "campus", "institute", "pavilion":
		return true
	}
	return false
}

func lastWord(p string) string {
	k := len(p)
	for k > 0 && p[k-1] != ' ' {
		k--
	}
	return p[k:]
}

// lowerStreetSuffixes end a street named without a number in a lower-case
// line ("on druid hill ave"); the short ones that are clinical words too
// ("st", "dr", "ct", "pl") are left out.
var lowerStreetSuffixes = map[string]bool{
	"ave": true, "avenue": true, "rd": true, "road": true, "blvd": true, "boulevard": true, "ln": true,
	"lane": true, "street": true, "parkway": true, "pkwy": true, "pike": true, "terrace": true,
}

// lowerStreetBefore looks, from street word k in a lower-case or capitals
// line (lowerStreetSuffixes), back for the "on", "off", "at" or "near" that
// places something on it, and calls lowerStreetAt there.
func (sc *scan) lowerStreetBefore(k int) {
	if c := sc.caseAt(k); c != caseLower && c != caseUpper { // capitals too (rules_dev5.go)
		return
	}
	for p := k - 2; p >= 0 && p >= k-6; p-- {
		if sc.toks[p+1].nl {
			return
		}
		switch sc.lower(p) {
		case "on", "off", "at", "near":
			sc.lowerStreetAt(p)
			return
		}
	}
}

// lowerStreetAt marks a street named without a number after "on", "off",
// "at" or "near" (token i) in a lower-case line, or in capitals where
// namedStreet misses everyday words ("LIVES ON QUARRY HOLLOW RD", since
// the dev5 round): one to three words with no keyword or function word
// among them, then a street word ("found on druid hill ave", "lives off
// harford rd"). Mixed-case lines have namedStreet. It returns the last
// token used (i when none).
func (sc *scan) lowerStreetAt(i int) int {
	toks := sc.toks
	if c := sc.caseAt(i); c != caseLower && c != caseUpper {
		return i
	}
	s := i + 1 // a direction initial first: "on n. patterson park ave"
	if s+2 < len(toks) && toks[s].kind == kWord && streetDirections[sc.lower(s)] && sc.punct(s+1, '.') && sc.joined(s+1) && toks[s+2].sp {
		i = s + 1
	}
	for k := i + 1; k < len(toks) && k <= i+4 && !toks[k].nl && toks[k].kind == kWord; k++ {
		w := sc.lower(k)
		if k > i+1 && lowerStreetSuffixes[w] {
			e := k
			if sc.punct(k+1, '.') && sc.joined(k+1) && (k+2 >= len(toks) || toks[k+2].nl || toks[k+2].kind != kWord || !toks[k+2].sp) {
				e = k + 1
			}
			sc.addToks(s, e, TypeLocation, "rules/street")
			return e
		}
		if toks[k].kw&^setStreet != 0 && !sc.claim[k] || functionWord(w) || k > i+3 {
			return s - 1
		}
	}
	return s - 1
}

// ukPostcodeAt marks a British postcode at token i after a capitalised
// word, the town, and a comma or not ("Leeds LS6 1BN", "Aberdeen AB10 1RN"): in capitals, an
// outward code of one or two letters, a digit and a letter or digit at
// most, a space, then a digit and two letters (ukInwardLetter). It returns the last token
// used, or -1.
func (sc *scan) ukPostcodeAt(i int) int {
	toks := sc.toks
	k := i + 1
	if i < 1 || k >= len(toks) || !toks[k].sp || toks[k].nl || toks[k].kind != kAlnum || !toks[i].sp {
		return -1
	}
	p := i - 1
	if sc.punct(p, ',') {
		p--
	}
	// the town before it: capitalised, no keyword (the rules that find
	// towns and names run after the numbers)
	if p < 0 || toks[p].kind != kWord || toks[p].kw != 0 || !sc.rawCap(p) {
		return -1
	}
	out, in := sc.str(i), sc.str(k)
	if !ukOutward(out) || len(in) != 3 || !isDigit(in[0]) || !ukInwardLetter(in[1]) || !ukInwardLetter(in[2]) {
		return -1
	}
	sc.addToks(i, k, TypeLocation, "rules/postcode")
	return k
}

// ukOutward: s is the outward half of a British postcode ("LS6", "AB10",
// "SW1A", "M1").
func ukOutward(s string) bool {
	n := 0
	for n < len(s) && n < 2 && isUpperASCII(s[n]) {
		n++
	}
	if n == 0 || n >= len(s) || !isDigit(s[n]) || len(s)-n > 2 {
		return false
	}
	return len(s) == n+1 || isDigit(s[n+1]) || isUpperASCII(s[n+1])
}

func isUpperASCII(c byte) bool { return 'A' <= c && c <= 'Z' }

// ukInwardLetter: c can end a British postcode: a capital but C, I, K, M, O
// or V, which the Royal Mail leaves out there (so "B12 1MG", "K4 5ML" are
// doses, not postcodes).
func ukInwardLetter(c byte) bool {
	return isUpperASCII(c) && c != 'C' && c != 'I' && c != 'K' && c != 'M' && c != 'O' && c != 'V'
}

// interstateAt marks "I-695" at number token i ("ON I-695 NEAR EXIT 27",
// "on i-83 south"): a number of one to three digits glued to "I-" after a
// word that places something on a road; scanExtras finds it in mixed case
// only. It reports whether it marked one.
func (sc *scan) interstateAt(i int) bool {
	if i < 3 || !sc.punct(i-1, '-') || !sc.joined(i-1) || !sc.joined(i) || !sc.is(i-2, "i") || !sc.toks[i-2].sp || sc.numLen(i) > 3 {
		return false
	}
	switch sc.lower(i - 3) {
	case "on", "off", "onto", "near", "via", "along", "from", "to", "down", "up", "crossing", "took":
	case "of", "at": // "ON SHOULDER OF I-5" (dev40); not iodine ("dose of I-131")
		if iodine(sc.numVal(i)) {
			return false
		}
	default:
		return false
	}
	sc.addToks(i-2, i, TypeLocation, "rules/street")
	return true
}

// iodine: "I-v" is an isotope of iodine ("I-131 ablation", "I-125 seeds"),
// which no interstate is numbered.
func iodine(v int) bool { return v == 123 || v == 125 || v == 131 }

// nationalZero marks a phone written the national way of most countries
// outside North America at number token i, after a phone cue: a trunk "0"
// and groups of digits split by spaces, nine to twelve digits in all
// ("mobile 07700 900123", "cell 0412 345 678", "tel. 030 1234 5678"). It
// returns the last token, or -1.
func (sc *scan) nationalZero(i int) int {
	t := sc.toks
	l := sc.numLen(i)
	if l < 2 || l > 5 || i+1 >= len(t) || !t[i+1].sp || t[i+1].nl || sc.numLen(i+1) < 2 || (i > 0 && !t[i].sp) {
		return -1
	}
	digits, e := l, i
	for k := i + 1; k < len(t) && !t[k].nl && t[k].sp && sc.numLen(k) >= 2 && sc.numLen(k) <= 6 && digits < 12; k++ {
		digits += sc.numLen(k)
		e = k
	}
	if digits < 9 || digits > 12 || e+1 < len(t) && sc.joined(e+1) && t[e+1].kind != kPunct || sc.unitAfter(e) || !sc.hasCueBits(i, 4, setPhoneCue, nil) {
		return -1
	}
	return e
}

// extensionAlone marks an extension written alone at number token i after
// "ext" or "extension" ("at extension 4417", "ext:4417", "EXT. 22"): two to
// five digits, or a digit, a dash and four ("ext 4-6618" is found as a
// number already). It returns the last token, or -1.
func (sc *scan) extensionAlone(i int) int {
	p := i - 1
	if sc.punct(p, ':') || sc.punct(p, '.') || sc.punct(p, '#') {
		p--
	}
	if p < 0 || sc.toks[p].kind != kWord || sc.low[sc.toks[p].s] != 'e' {
		return -1
	}
	if l := sc.numLen(i); l < 2 || l > 5 || sc.joined(i+1) && i+1 < len(sc.toks) && sc.toks[i+1].kind != kPunct {
		return -1
	}
	if q := sc.prevWord(p); q >= 0 && romJoints[sc.lower(q)] {
		return -1 // "NECK EXT 30", "wrist ext 50, flex 40": a range of motion in degrees (dev72)
	}
	switch sc.lower(p) {
	case "ext", "extension", "extn":
		return i
	}
	return -1
}

// romJoints come before "ext" or "extension" measured in degrees.
var romJoints = map[string]bool{
	"neck": true, "wrist": true, "wrists": true, "elbow": true, "elbows": true, "knee": true, "knees": true,
	"hip": true, "hips": true, "shoulder": true, "shoulders": true, "finger": true, "fingers": true,
	"thumb": true, "ankle": true, "ankles": true, "trunk": true, "spine": true, "cervical": true,
	"lumbar": true, "mcp": true, "pip": true, "dip": true, "toe": true, "toes": true,
}
