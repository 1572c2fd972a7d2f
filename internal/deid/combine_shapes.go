package deid

import (
	"strings"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Shapes a number-typed span of another detector must have. The tagger
// reads numbers by their shape and neighbours, not their values, so on
// ordinary clinical text it types ranges and gas results as phones and
// dates ("HR 100-120", "ABG 7.32/46/71/23", "0700/1900") and clinical
// words as identifiers ("ST"). The rules know what a phone number, a
// numeric date and an identifier are made of; a tagger span of that type
// that cannot be one is dropped (wrongShape). A date's numbers must read as
// one; its words, if any, must include one that dates ("Febuary 3", "xmas
// eve"; not "Restoril 15").

// wrongShape: tokens first..last cannot hold a PHI value of type typ.
func (sc *scan) wrongShape(first, last int, typ Type) bool {
	if (typ == TypePhone || typ == TypeDate) && first > 0 && sc.punct(first-1, '#') && sc.joined(first) && sc.toks[first].kind == kNum && sc.numLen(first) <= 2 {
		return true // "BMZ #1 2000", "#1 1700": a dose's count and its hour (dev78)
	}
	if typ == TypeDate && first > 0 && sc.toks[first].kind == kNum && sc.toks[first-1].kind == kWord && (sc.is(first-1, "bed") || unitWords[sc.lower(first-1)]) &&
		(first == last || first+1 == last && sc.toks[last].kind == kWord && sc.toks[last].kw&setMonth == 0) {
		return true // "5 North bed 12 at 1545": a bed's number (dev82); not "to room 14 Feb" (review21)
	}
	switch typ {
	case TypePhone:
		return sc.notPhone(first, last)
	case TypeID:
		if first == last && sc.toks[first].kind == kNum && sc.clock(first) {
			return true // "0100---pt complaining", "0600 labs": a time of day
		}
		for m := first; m <= last; m++ {
			if t := &sc.toks[m]; t.kind != kPunct && qEvery(sc.lower(m)) {
				return true // "FW 150 Q6", "TOOTHBRUSHING Q12": a dose's frequency
			}
		}
		for m := first; m <= last; m++ {
			if t := &sc.toks[m]; t.ndig > 0 || sc.punct(m, '.') || sc.punct(m, '@') ||
				t.kind == kWord && t.kw == 0 && sc.plausibleTok(m, TypeName) {
				return false // a name, an address or a URL typed an identifier is still PHI
			}
		}
		return true // an identifier has a digit ("fb59", "MRN 4433221")
	case TypeDate:
		return sc.notNumericDate(first, last) || sc.noDateWord(first, last)
	}
	return false
}

// clockBefore: the token before k is an hour of four digits ("1800 10,
// 1900 9, 2000 8"), on k's line.
func (sc *scan) clockBefore(k int) bool {
	return k > 0 && !sc.toks[k].nl && sc.toks[k-1].kind == kNum && sc.clock(k-1)
}

// noDateWord: tokens first..last hold words, none of which belongs to a
// date: a month (or a long month one letter wrong, "Febuary"), a weekday,
// a holiday, a season or a word of a holiday ("xmas", "eve"), a word
// around a date ("the 14th", "mid", "early"). A drug and its dose, a value
// and a verb are no date ("Restoril 15", "ATORVA 80 STARTED"); a word the
// rules would take for a name keeps the span (recall first: "Zuberi" typed
// a date is still hidden).
func (sc *scan) noDateWord(first, last int) bool {
	words := false
	for m := first; m <= last; m++ {
		t := &sc.toks[m]
		if t.kind != kWord {
			continue
		}
		w := sc.lower(m)
		if t.kw&(setMonth|setDay|setHoliday) != 0 || weekdayWord(w) || dateWords[w] || misspeltLongMonth(w) {
			return false
		}
		if dateFillers[w] {
			continue
		}
		if (t.flags&lexicon.SafeCore == 0 || sc.nameEvidence(m)) && sc.plausibleTok(m, TypeName) {
			// a name typed a date is still PHI ("infant Zuberi, 30 4/7",
			// "per Morse 65"); an everyday word is one only with a cue
			// ("air 29", "high 30" are no names)
			return false
		}
		words = true
	}
	return words
}

// dateWords date a day without a month or weekday name.
var dateWords = map[string]bool{
	"xmas": true, "christmas": true, "easter": true, "thanksgiving": true, "hanukkah": true,
	"chanukah": true, "kwanzaa": true, "passover": true, "ramadan": true, "eid": true, "diwali": true,
	"halloween": true, "eve": true, "summer": true, "spring": true, "fall": true, "winter": true,
	"autumn": true, "bday": true, "birthday": true,
	// months and weekdays of the notes' other languages ("martes 14 de marzo", "le 3 mars")
	"enero": true, "febrero": true, "marzo": true, "abril": true, "mayo": true, "junio": true,
	"julio": true, "agosto": true, "septiembre": true, "setiembre": true, "octubre": true,
	"noviembre": true, "diciembre": true, "lunes": true, "martes": true, "miércoles": true,
	"miercoles": true, "jueves": true, "viernes": true, "sábado": true, "sabado": true, "domingo": true,
	"janvier": true, "février": true, "fevrier": true, "mars": true, "avril": true, "mai": true,
	"juin": true, "juillet": true, "août": true, "aout": true, "septembre": true, "octobre": true,
	"novembre": true, "décembre": true, "decembre": true, "lundi": true, "mardi": true,
	"mercredi": true, "jeudi": true, "vendredi": true, "samedi": true, "dimanche": true,
}

// dateFillers stand inside or around a date and say nothing against it.
var dateFillers = map[string]bool{
	"the": true, "of": true, "on": true, "and": true, "to": true, "through": true, "thru": true,
	"until": true, "till": true, "from": true, "mid": true, "early": true, "late": true, "end": true,
	"st": true, "nd": true, "rd": true, "th": true, "day": true, "days": true, "year": true,
	"years": true, "new": true, "or": true, "at": true, "in": true, "de": true, "del": true, "le": true,
}

// misspeltLongMonth: w is a long month name one letter wrong ("decmber",
// "febuary", "ocotber"; longMonths).
func misspeltLongMonth(w string) bool {
	if len(w) < 5 || len(w) > 10 {
		return false
	}
	for _, m := range longMonths {
		if oneEdit(w, m) {
			return true
		}
	}
	return false
}

// notPhone: the digits of tokens first..last are too few to dial, or are
// a time range. A phone or pager has five digits or more and ends in a
// group of four or five ("301 944-5032", "pager 31452", "ext 4-7721"), an
// extension is four digits that are no clock time ("at 4417"); a number
// abroad may be all short groups, but then has nine digits or more ("+420
// 603 555 218"). Two groups of four that are both clock times joined by "-"
// or "/" are a time range ("0700-1900", "2300/0300").
func (sc *scan) notPhone(first, last int) bool {
	total, longest, groups, clock, sep := 0, 0, 0, 0, false
	for m := first; m <= last; m++ {
		t := &sc.toks[m]
		if sc.punct(m, '>') || sc.punct(m, '<') {
			return true // "118 --> 121 --> 123": a trend
		}
		if t.ndig == 0 {
			sep = sep || groups == 1 && (sc.punct(m, '-') || sc.punct(m, '/')) && sc.joined(m) && sc.joined(m+1)
			continue
		}
		n := int(t.ndig)
		total += n
		longest = max(longest, n)
		groups++
		if t.kind == kNum && n == 4 {
			if v := sc.numVal(m); v/100 <= 23 && v%100 <= 59 {
				clock++
			}
		}
	}
	switch {
	case total == 4 && groups == 1 && clock == 0:
		return false // an extension
	case total < 5, longest < 4 && total < 9:
		return true
	case groups == 2 && clock == 2 && total == 8 && sep:
		return true
	}
	return false
}

// notNumericDate: tokens first..last are numbers and separators only, and
// no reading of them as month and day, month and year, or a full date
// holds ("7.32/46/71/23", "100-120", "0.375"). A span with any word or any
// other mark is not judged (false).
func (sc *scan) notNumericDate(first, last int) bool {
	var v [3]int
	var w [3]int // digits of each number
	n, dot, dash, comma := 0, false, false, false
	for m := first; m <= last; m++ {
		switch t := &sc.toks[m]; {
		case t.kind == kNum:
		case sc.punct(m, '/'):
		case sc.punct(m, '-'):
			dash = true
		case sc.punct(m, '.'):
			dot = true
		case sc.punct(m, ','):
			comma = true
		default:
			return false // a word, a time ("08:00"), another mark: not judged here
		}
	}
	more := false // four numbers or more
	for m := first; m <= last; m++ {
		if t := &sc.toks[m]; t.kind == kNum {
			if n == len(v) {
				more = true
				break
			}
			v[n], w[n] = sc.numVal(m), int(t.ndig)
			n++
		}
	}
	month := func(i int) bool { return v[i] >= 1 && v[i] <= 12 && w[i] <= 2 }
	day := func(i int) bool { return v[i] >= 1 && v[i] <= 31 && w[i] <= 2 }
	year := func(i int) bool { return w[i] == 2 || w[i] == 4 && v[i] >= 1800 && v[i] <= 2199 }
	switch {
	case more:
		// a gas or a list ("7.32/46/71/23"), unless a dash joins two dates
		// ("12/24-12/26"; not two temperatures, "37.3-37.4": dev81)
		// (or a year first: "2024.01.05-2024.01.09": review21)
		return !dash || !(month(0) && day(1) || day(0) && month(1) || w[0] == 4 && year(0) && month(1) && day(2))
	case comma && n >= 2:
		// a list of values ("NAS SCORES 4, 6, 5"), unless a day and its year
		// (not one before 1900, nor after a clock time: "1600 9, 1800 8"
		// (dev76), "1900 9, 2000 8" (review19) are hours and values)
		return !(n == 2 && day(0) && w[1] == 4 && year(1) && v[1] >= 1900 && !sc.clockBefore(first))
	case n == 1:
		// a lone year is no PHI and a clock time no date ("extubated
		// 0845"); a day alone is read by its neighbours ("the 14")
		return w[0] == 3 || w[0] == 4
	case n == 2 && dot:
		// "12.5" may be a date after an event, "24.12" a day and month
		// abroad after a word that dates it ("le 24.12"); "7.32" and "tsb
		// 15.8" never, nor a value with its unit ("~10.5 ml/kg": dev57) or
		// a tube's size ("Intubated 7.5 ETT": dev60)
		return sc.unitAfter(last) || sc.is(last+1, "ett") || sc.strengthOf(first) || !(month(0) && day(1) || v[0] > 12 && day(0) && month(1) && sc.dateLeadIn(first))
	case n == 2:
		return !(month(0) && (day(1) || year(1)) || day(0) && month(1) || w[0] == 4 && year(0) && month(1))
	case n == 3:
		return !(month(0) && day(1) && year(2) || day(0) && month(1) && year(2) || w[0] == 4 && year(0) && month(1) && day(2))
	}
	return false
}

// strengthOf: the word right before token k is a tube feed whose caloric
// strength the number is ("isosource 1.5", "Jevity 1.2": dev76), or
// another clinical word the number measures ("FROM PREOP 12.8", "tcb
// 7.1"); not a test, whose date follows it ("Echo 12.3 EF 55%":
// review20), nor a word that dates ("EXTUBATED 12.5", "D/C'D 12.3").
func (sc *scan) strengthOf(k int) bool {
	p := k - 1
	if p < 0 || sc.toks[k].nl || !sc.toks[k].sp || sc.toks[p].kind != kWord {
		return false
	}
	w := sc.lower(p)
	if feedFormulas[w] {
		return true
	}
	return sc.toks[p].flags&lexicon.Clinical != 0 && sc.toks[p].kw == 0 && !datedTests[w] && !dateCue(w) && !sc.dateLeadIn(k) &&
		!strings.HasSuffix(w, "d") // a past tense ("extubated", "d/c'd")
}

// datedTests are tests and procedures that a date follows ("Echo 12.3",
// "CT 11.2", "cath 3.14").
var datedTests = map[string]bool{
	"echo": true, "tte": true, "tee": true, "ct": true, "cta": true, "mri": true, "mra": true, "ekg": true,
	"ecg": true, "cxr": true, "us": true, "eeg": true, "cath": true, "egd": true, "ercp": true, "bx": true,
	"biopsy": true, "scan": true, "xray": true, "cx": true, "bcx": true, "ucx": true, "culture": true,
	"colonoscopy": true, "surgery": true, "op": true, "or": true, "pet": true, "dexa": true, "holter": true,
}

// feedFormulas are tube feeds and supplements written with their calories
// per millilitre ("Jevity 1.5", "Nepro 1.8").
var feedFormulas = map[string]bool{
	"isosource": true, "jevity": true, "osmolite": true, "nepro": true, "peptamen": true, "glucerna": true,
	"promote": true, "replete": true, "novasource": true, "vivonex": true, "nutren": true, "fibersource": true,
	"diabetisource": true, "twocal": true, "vital": true, "pivot": true, "suplena": true, "ensure": true,
	"boost": true, "impact": true, "tolerex": true, "perative": true, "pulmocare": true, "oxepa": true,
	"renalcal": true, "kate": true, "compleat": true, "nutrison": true,
}

// dateLeadIn: the word before token k introduces a date ("le 24.12", "on
// 12.5", "martes 14").
func (sc *scan) dateLeadIn(k int) bool {
	p := sc.prevWord(k)
	if p < 0 {
		return false
	}
	w := sc.lower(p)
	return dateFillers[w] || dateWords[w] || weekdayWord(w) || sc.toks[p].kw&(setMonth|setDay|setHoliday) != 0
}
