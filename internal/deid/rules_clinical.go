package deid

import (
	"strings"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// The clinical-number grammar: vital signs, doses, ranges, ratios,
// ventilator settings, lab values and scores are claimed before the DATE,
// ID, AGE and PHONE rules see them ("sats 98-100%", "BP 105-128/48-61",
// "lasix 1000mg", "700x10", "CPAP 5/5", "PS 10/5", "low 100s").

// measureWords announce a measured value: what follows (up to the next
// word) is a clinical number, whatever its shape.
var measureWords = map[string]bool{
	"bp": true, "sbp": true, "dbp": true, "map": true, "maps": true, "hr": true, "rr": true, "temp": true,
	"tmax": true, "tm": true, "t": true, "sat": true, "sats": true, "spo2": true, "o2": true, "sao2": true,
	"fio2": true, "peep": true, "cpap": true, "ps": true, "psv": true, "tv": true, "vt": true, "ve": true,
	"rate": true, "ac": true, "simv": true, "imv": true, "ipap": true, "epap": true, "bipap": true,
	"prvc": true, "aprv": true, "mv": true, "pip": true, "plat": true, "pplat": true, "rsbi": true, "nif": true,
	"k": true, "na": true, "cl": true, "co2": true, "hco3": true, "bun": true, "cr": true, "creat": true,
	"glu": true, "glucose": true, "bs": true, "fs": true, "fsbs": true, "fsbg": true, "bg": true,
	"hct": true, "hgb": true, "hb": true, "wbc": true, "plt": true, "plts": true, "inr": true, "ptt": true,
	"gcs": true, "rass": true, "cvp": true, "pap": true, "paps": true, "pcwp": true, "ci": true, "co": true,
	"svr": true, "etco2": true, "ph": true, "pco2": true, "po2": true, "pao2": true, "paco2": true,
	"abg": true, "abgs": true, "vbg": true, "lactate": true, "lac": true, "uo": true, "ef": true,
	"phos": true, "ca": true, "ica": true, "alb": true, "trop": true, "ck": true, "cpk": true, "bnp": true,
	"ast": true, "alt": true, "ldh": true, "lipase": true, "mag": true, "icp": true, "cpp": true,
	"svo2": true, "scvo2": true, "wt": true, "weight": true, "ht": true, "height": true, "ett": true,
	"pain": true, "score": true, "apgar": true, "nihss": true, "bmi": true, "pulse": true, "sr": true,
	"st": true, "sb": true, "vs": true, "vitals": true, "rhythm": true, "ins": true, "outs": true,
	"intake": true, "output": true, "balance": true, "gtt": true, "drip": true,
	"pod": true, "hd": true, "hod": true, "day": true,
	"pressure": true, "pressures": true, // "Fontan pressure 12-14", "drive pressures 250/-60" (dev74)
	"sipap": true, "nippv": true, "niv": true, "hfov": true, "tof": true, "murmur": true, "sem": true,
	// pain, sedation and withdrawal scales ("FLACC 2-5": dev57)
	"flacc": true, "cpot": true, "ciwa": true, "cows": true, "sbs": true, "bps": true,
	"westley": true, // the croup score ("Westley 3": dev95)
}

// ventSettings name a ventilator setting written as two pressures ("PS
// 12/5", "CPAP 5/5"): a setting, even with the clock time it was set.
var ventSettings = map[string]bool{
	"ps": true, "psv": true, "peep": true, "cpap": true, "bipap": true, "ipap": true, "epap": true,
	"pcv": true, "pip": true, "simv": true, "pc": true, "nimv": true, "ncpap": true, "nippv": true,
	"neopuff": true, // "NIMV 20/6", "PC 18/5", "neopuff 20/5" (dev34)
}

// ventPair: tokens i..j are "x/y", an inspiratory over an expiratory
// pressure (x at least y, both small), given with its oxygen ("12/5 30%"),
// or after a ventilator word or "SBT": right after it ("CPAP 5/5", "SBT ON
// 5/5") when it could be a month and day, within four words of it in the
// same clause ("bipap overnight 14/6"), or after "to" on a line that names
// one ("bumped to 16/8") when it could not.
func (sc *scan) ventPair(i, j int) bool {
	if !sc.punct(i+1, '/') || !sc.joined(i+1) || !sc.joined(j) || sc.toks[i].kind != kNum || sc.toks[j].kind != kNum {
		return false
	}
	x, y := sc.numVal(i), sc.numVal(j)
	if x < y || x > 40 || y > 25 || y < 3 {
		return false
	}
	if k := j + 1; k+1 < len(sc.toks) && sc.toks[k].sp && !sc.toks[k].nl && sc.toks[k].kind == kNum && sc.punct(k+1, '%') && sc.joined(k+1) && sc.numVal(k) >= 21 {
		return true // "12/5 30%"
	}
	md := validMD(x, y) // "12/5" may be a date
	// "Vent 10/10 rest", "vent 10/10 rr 10 fio2 40": a ventilator's rest
	// settings on ECMO, right after "vent" opening its sentence and before
	// what else is set (dev68; not "off vent 12/4 rest", "on vent 12/4 rest
	// of day": review16)
	if p := sc.prevWord(i); p >= 0 && p == i-1 && !sc.toks[i].nl && sc.is(p, "vent") && sc.sentenceStart(p) && j+1 < len(sc.toks) && !sc.toks[j+1].nl && sc.toks[j+1].sp &&
		ventRestNext[sc.lower(j+1)] && !sc.is(j+2, "of") {
		return true
	}
	// an arrow carries a weaning on past a comma: "ps 12/5 -> 10/5 at 0900, -> 8/5"
	arrow := sc.punct(i-1, '>') && sc.punct(i-2, '-') && sc.joined(i-1)
	to, clause := false, true
	for k, words := i-1, 0; k >= 0 && words < 12; k-- {
		if sc.toks[k+1].nl {
			break
		}
		if sc.toks[k].kind != kWord {
			if sc.punct(k, '.') || sc.punct(k, ',') || sc.punct(k, ';') {
				clause = false
			}
			continue
		}
		words++
		w := sc.lower(k)
		if ventSettings[w] || w == "sbt" || w == "settings" || w == "niv" || w == "avaps" || w == "support" && sc.is(k-1, "pressure") ||
			w == "rest" && sc.is(k-1, "lung") { // ECMO "LUNG REST 10/10"
			if md {
				// "CPAP 5/5", "SBT ON 5/5", "SBT DONE 30 MIN ON 5/5", "PS
				// decreased to 10/5"
				// (not the end of a range of dates: "changed 9/5 to 10/5")
				// "PS trial 10/5 1100-1400" (dev56)
				// "SBT passed this am on 5/5" (dev53: up to six words when
				// those between say how it went, not "extubated on 10/5")
				// "CPAP AT NIGHT 10/5", "bipap at hs 12/6" (dev83)
				return clause && (words == 1 || words == 2 && (sc.is(k+1, "on") || sc.is(k+1, "trial")) || words <= 4 && (sc.is(i-1, "on") || sc.is(i-1, "to") && i >= 2 && sc.toks[i-2].kind == kWord) ||
					words == 3 && sc.is(k+1, "at") && (sc.is(i-1, "night") || sc.is(i-1, "hs")) ||
					words <= 6 && sc.is(i-1, "on") && sc.trialWordsBetween(k+1, i-1)) ||
					arrow && words <= 4
			}
			// "BiPAP settings verified w/ machine brought in by family:
			// 18/10" (dev54): here md is false (a pair no month and day
			// can be: a month and day returned above), after a colon that
			// ends the clause naming the machine
			return clause && (words <= 4 || sc.punct(i-1, ':')) || to
		}
		if words == 1 && w == "to" {
			to = true // "bumped to 16/8": the line must name the machine
		}
	}
	return false
}

// ventRestNext follow a ventilator's settings after "vent": the word
// "rest" or the next setting ("vent 10/10 rr 10").
var ventRestNext = map[string]bool{"rest": true, "rr": true, "fio2": true, "peep": true, "rate": true}

// trialWords say how a trial went and when, between its name and the
// settings it ran on ("SBT passed this am on 5/5").
var trialWords = map[string]bool{
	"passed": true, "done": true, "tolerated": true, "completed": true, "this": true, "am": true,
	"pm": true, "min": true, "mins": true, "x": true, "for": true, "today": true, "well": true,
}

// trialWordsBetween: every token from a to b (exclusive) is a word of
// trialWords or a number.
func (sc *scan) trialWordsBetween(a, b int) bool {
	for m := a; m < b; m++ {
		if sc.toks[m].kind != kNum && !(sc.toks[m].kind == kWord && trialWords[sc.lower(m)]) {
			return false
		}
	}
	return true
}

// fractionAfter follow a fraction that measures a part ("1/3 up", "1/2
// strength", "packed with 1/4 inch iodoform", "1/2 tab"); not "of", which follows dates too ("seen 1/3 of this year").
var fractionAfter = map[string]bool{
	"up": true, "way": true, "strength": true, "str": true, "ns": true, "lung": true, "lungs": true,
	"inch": true, "inches": true, "tab": true, "tabs": true, "tablet": true, "tsp": true, "cup": true, "cups": true,
	"mile": true, "miles": true, "full": true, // "walked 1/2 mile", "empty when 1/3 full" (dev88)
	// a share of a dose, a volume or the bed's rails: "took 1/2 of ensure", "2/3 of wakeup dose",
	// "REPLACED 1/2 VOLUME", "REPLACING 1/2 UOP", "3/4 RAILS UP" (session 33)
	"of": true, "volume": true, "uop": true, "rails": true,
	"mi": true, "palpable": true, // "about 1/2 mi", the fetal head "(2/5 palpable)" (dev140, dev143)
}

// causeAfter: the token after j, on its line and after a space, is a word
// that can open a cause ("2/2 pneumonia"): no function word ("2/2 at
// 1400", "2/2 and 2/3"), no time of day and no unit of time.
func (sc *scan) causeAfter(j int) bool {
	k := j + 1
	if k >= len(sc.toks) || sc.toks[k].nl || !sc.toks[k].sp || sc.toks[k].kind != kWord {
		return false
	}
	w := sc.lower(k)
	return !functionWord(w) && !durationUnits[w] && !dateCue(w) && sc.toks[k].kw&(setMonth|setDay|setHoliday) == 0 &&
		w != "am" && w != "pm" && w != "noon" && w != "midnight" && w != "pod" && w != "hd" && w != "day"
}

// mixedUnits follow a mixed number ("1 1/8 in", "2 1/2 miles").
var mixedUnits = map[string]bool{
	"in": true, "inch": true, "inches": true, "mile": true, "miles": true, "cm": true, "tsp": true,
	"tbsp": true, "cup": true, "cups": true, "lb": true, "lbs": true, "oz": true, "hr": true, "hrs": true,
	"hours": true, "tabs": true, "tablets": true, "years": true, "yrs": true,
}

// lungWords come before how far up the lungs a finding goes ("CRACKLES 1/3 UP").
var lungWords = map[string]bool{
	"crackles": true, "rales": true, "rhonchi": true, "wheezes": true, "diminished": true, "dull": true,
	"dullness": true, "effusion": true, "fluid": true, "bs": true, "sounds": true, "coarse": true,
}

// levelWords come between a measure and a decade: "in the low 100s".
var levelWords = map[string]bool{
	"low": true, "mid": true, "high": true, "upper": true, "lower": true, "hi": true, "lo": true,
	"the": true, "in": true, "of": true, "at": true, "to": true, "is": true, "was": true, "=": true,
	"around": true, "about": true, "approx": true, "from": true, "between": true, "and": true, "ranging": true,
}

// rhythmWords name a heart rhythm whose rate a decade gives ("sinus 90s",
// "tachycardia 120s", "AFIB 110S"): a rate, never an age.
var rhythmWords = map[string]bool{
	"sinus": true, "tachycardia": true, "tachycardic": true, "tachy": true, "bradycardia": true,
	"bradycardic": true, "brady": true, "afib": true, "aflutter": true, "flutter": true, "nsr": true,
	"svt": true, "rvr": true, "paced": true, "junctional": true, "rates": true,
	"jr": true, // "UNDERLYING JR 60S": a junctional rhythm (dev89)
}

// doseSuffix: letters glued after digits that make a measurement ("1000mg", "2L", "40cc").
var doseSuffix = map[string]bool{
	"mg": true, "mcg": true, "g": true, "gm": true, "kg": true, "ml": true, "l": true, "cc": true, "u": true,
	"units": true, "meq": true, "mmol": true, "mmhg": true, "cm": true, "mm": true, "hr": true, "hrs": true,
	"h": true, "min": true, "mins": true, "sec": true, "lpm": true, "mcgkgmin": true,
	"am": true, "pm": true, "d": true, "wks": true, "wk": true, "bpm": true, "ng": true, "ug": true, "iu": true,
	"lb": true, "lbs": true, "oz": true, "cmh": true, "l/min": true, "fr": true, "french": true, "gauge": true,
	"rpm": true, // "LVAD @ 3400RPM" (dev74)
}

// clinicalNumber claims tokens i..j (a run of touching tokens that starts
// with a digit) when they are a clinical number, and returns the last token
// claimed, or -1.
func (sc *scan) clinicalNumber(i, j int) int {
	toks := sc.toks
	// a value in parentheses is judged without them: "L SIDE WEAK (2/5)",
	// "mae but weak (2/5 bilat le"
	if sc.punct(i, '(') && j > i {
		e := j
		if sc.punct(e, ')') {
			e--
		}
		if e > i {
			if c := sc.clinicalNumber(i+1, e); c >= i+1 {
				if c == e {
					return j
				}
				return c
			}
		}
		return -1
	}
	// a phone shape is never a clinical number ("CA 03245 634-743-5135")
	if j-i == 4 && sc.numLen(i) == 3 && sc.numLen(i+2) == 3 && sc.numLen(i+4) == 4 && (sc.punct(i+1, '-') || sc.punct(i+1, '.')) {
		return -1
	}
	// a percentage: "98-100%", "40%"
	if k := j + 1; k < len(toks) && sc.punct(k, '%') && sc.joined(k) {
		return k
	}
	for k := i; k <= j; k++ {
		if sc.punct(k, '%') {
			return j
		}
	}
	// one token: "1000mg", "700x10", "2L", "x3"
	if j == i && toks[i].kind == kAlnum {
		s := sc.lower(i)
		n := 0
		for n < len(s) && isDigit(s[n]) {
			n++
		}
		suf := s[n:]
		switch {
		case n > 0 && doseSuffix[suf]:
			return i
		case n > 0 && strings.IndexByte(suf, 'x') == 0 && (len(suf) == 1 || allDigits(suf[1:])):
			return i // "700x10", "2x"
		case n > 0 && strings.IndexByte(suf, 'x') == 0 && sizeOf(suf[1:]):
			return i // "10x12cm", "4x3mm": a wound's size (dev85)
		case n == 0 && timesCount(s):
			return i // "x3"
		case n == 0 && qFrequency(s):
			return i // "Q4H", "q12hr", "q15min"
		case n == 0 && obstetricFormula(s):
			return i // "G2P1102", "g3p1011": gravida and para (dev78)
		}
	}
	// a range or ratio ending in a dose: "45-70cc", "20-30ml", "2-4mg", "5/2.5mg"
	if j > i && toks[j].kind == kAlnum && sc.doseToken(j) && sc.numbersAndSeps(i, j-1) {
		return j
	}
	// a dose over a volume: "PITOCIN 30U/500" (dev78)
	if j == i+2 && toks[i].kind == kAlnum && sc.doseToken(i) && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(j) && toks[j].kind == kNum && sc.numLen(j) <= 4 {
		return j
	}
	// decades in a measured context: "low 100s", "high 90s", "100s-110s"
	if toks[i].kind == kAlnum && sc.decade(i) {
		p := sc.prevWord(i)
		if p >= 0 && (levelWords[sc.lower(p)] && !sc.is(p, "the") && !sc.is(p, "in") || rhythmWords[sc.lower(p)] || sc.measureBefore(i, 5)) {
			e := i
			for e+2 <= j+2 && sc.punct(e+1, '-') && e+2 < len(toks) && sc.decade(e+2) {
				e += 2
			}
			return max(e, j)
		}
	}
	// a range of clock times: "0700-1900", "2300-0700" (a shift, not a date)
	if j == i+2 && sc.punct(i+1, '-') && sc.clock(i) && sc.clock(i+2) {
		return j
	}
	// a range ending in a decade: "130-150S"
	if j == i+2 && toks[i].kind == kNum && sc.punct(i+1, '-') && sc.decade(i+2) {
		return j
	}
	// a part of a whole before what it measures: "CRACKLES 1/3 UP", "1/2
	// strength feeds"
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && sc.numVal(i) >= 1 && sc.numVal(i) < sc.numVal(i+2) &&
		j+1 < len(toks) && !toks[j+1].nl && toks[j+1].kind == kWord && fractionAfter[sc.lower(j+1)] &&
		(sc.numVal(i+2) <= 4 || sc.numVal(i+2)%8 == 0 && sc.numVal(i+2) <= 16 && (sc.is(j+1, "inch") || sc.is(j+1, "inches") || sc.is(j+1, "tsp"))) && // "1/8 inch" (dev85)
		(!sc.is(j+1, "up") || sc.hasCue(i, 4, lungWords)) && // not "discharged 1/3 up to chair"
		(!sc.is(j+1, "of") || i == 0 || toks[i].nl || toks[i-1].kind != kWord || !dateCue(sc.lower(i-1)) && !sc.is(i-1, "last")) { // not "seen 1/3 of this year"
		return j
	}
	// "secondary to", written as a day would be: "CKD 4 2/2 ADPKD", "sepsis
	// 2/2 pneumonia" (dev55, dev125); a word, not a time, a number or a
	// joining word, right after it, and something before it on its line
	// other than a date cue ("2/2 hypoglycemia" opening a line dates it, as
	// "NOT EXTUBATED 2/2 POOR MENTAL STATUS" does after "extubated"). No
	// date is written so in the development sets
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && sc.numVal(i) == 2 && sc.numVal(i+2) == 2 && sc.causeAfter(j) &&
		i > 0 && !toks[i].nl && (toks[i-1].kind != kWord || !dateCue(sc.lower(i-1))) { // not "on 2/2 pt fell", nor a line's date
		return j
	}
	// a pressure over a volume, as "NIF/VC -24/1.3" (dev90): the second
	// number goes on as a decimal, which no day does
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && sc.punct(j+1, '.') && sc.joined(j+1) && sc.joined(j+2) &&
		j+2 < len(toks) && toks[j+2].kind == kNum {
		return j + 2
	}
	// a mixed number before its unit ("Stoma 1 1/8 in round", "2 1/4 in
	// flange": dev88) and a score of right answers or tries ("teach-back
	// 4/5 correct", "quiz 8/10 correct", "9/10 sentences": tallyWords)
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && j+1 < len(toks) && !toks[j+1].nl && toks[j+1].kind == kWord {
		a, b := sc.numVal(i), sc.numVal(i+2)
		mixed := i > 0 && !toks[i].nl && toks[i-1].kind == kNum && sc.numLen(i-1) <= 2 && toks[i].sp && a >= 1 && a < b &&
			(b <= 4 || b == 8 || b == 16) && mixedUnits[sc.lower(j+1)]
		if mixed || a >= 0 && a <= b && b >= 3 && b <= 20 && tallyWords[sc.lower(j+1)] {
			return j
		}
	}
	// a half or a quarter after a whole number, whatever follows ("breast
	// development started ~8 1/2,", "2 1/2 weeks"): a mixed number (dev154)
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && i > 0 && !toks[i].nl && toks[i].sp && toks[i-1].kind == kNum &&
		sc.numLen(i-1) <= 2 && !sc.punct(j+1, '/') && sc.numVal(i) == 1 && (sc.numVal(i+2) == 2 || sc.numVal(i+2) == 4) &&
		!(i >= 2 && toks[i-2].kw&setMonth != 0) {
		return j
	}
	// words remembered of three or five: "RECALLED 1/3 WORDS AT 5 MIN",
	// "recall 2/3" (dev76); "recall 3/14/24", "unable to recall 3/14
	// events" stay dates (review19)
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && sc.numVal(i) >= 0 && sc.numVal(i) <= sc.numVal(i+2) && sc.numVal(i+2) <= 5 &&
		!sc.punct(j+1, '/') && (i > 0 && !toks[i].nl && recallWords[sc.lower(i-1)] || j+1 < len(toks) && !toks[j+1].nl && recalledWhat[sc.lower(j+1)]) {
		return j
	}
	// a screening score out of its maximum right after the scale's name
	// ("BIMS 4/15", "SLUMS 9/30", "mood 5/10", "MAE equally 5/5", "NAMES
	// 5/6": dev84, dev86), and buprenorphine/naloxone by its two strengths,
	// always four to one ("bup/nlx 16/4", "suboxone 8/2": dev86)
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && i > 0 && !toks[i].nl && (toks[i-1].kind == kWord || i > 1 && sc.punct(i-1, ':') && toks[i-2].kind == kWord) {
		p := i - 1
		if sc.punct(p, ':') {
			p-- // "Mini-Cog: 2/5"
		}
		a, b, w := sc.numVal(i), sc.numVal(i+2), sc.lower(p)
		// (not a test's date before its score: "MMSE 11/30 22/30": dev6)
		scoreNext := j+2 < len(toks) && !toks[j+1].nl && toks[j+1].kind == kNum && sc.punct(j+2, '/')
		if m := scaleBefore[w]; m > 0 && b == m && a >= 0 && a <= b && !scoreNext || bupWords[w] && b >= 1 && a == 4*b && sc.doseWordAfter(j) {
			return j
		}
	}
	// a count of what was met or present out of a whole: "ATTENDANCE 7/8",
	// "Members present 7/9", "oud criteria 9/11", "CAGE 3/4", "(MET:
	// 11/12)", "UDS 8/8 negative" (dev136)
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && i > 0 && !toks[i].nl {
		p := i - 1
		if sc.punct(p, ':') && p > 0 {
			p--
		}
		if toks[p].kind == kWord && countWordsBefore[sc.lower(p)] && sc.numVal(i) >= 0 && sc.numVal(i) <= sc.numVal(i+2) {
			return j
		}
	}
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && i > 0 && !toks[i].nl && sc.partOfWhole(i) {
		return j
	}
	if j == i+2 && sc.punct(i+1, '-') && sc.joined(i+1) && sc.joined(i+2) && i > 0 && !toks[i].nl && toks[i-1].kind == kWord && countedRange[sc.lower(i-1)] {
		return j // "BAG A STEPS 1-4 @ 0830", "cycles 3-4" (dev139)
	}
	// a score out of ten after a symptom: "CP 3/10, NOW 0/10", "headache 5/10"
	if j == i+2 && sc.punct(i+1, '/') && sc.numVal(i+2) == 10 && sc.numVal(i) >= 0 && sc.numVal(i) <= 10 && sc.scoreContext(i) {
		return j
	}
	// a day of a course: "ceftriaxone for UTI D 3/5" (day 3 of 5), after a
	// word of the clinical list (not "seen d 3/5", "Dr D 3/5")
	if j == i+2 && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) && i > 1 && sc.is(i-1, "d") && !sc.toks[i].nl && !sc.toks[i-1].nl &&
		sc.toks[i-2].kind == kWord && sc.toks[i-2].flags&lexicon.Clinical != 0 && sc.toks[i-2].kw&setTitle == 0 &&
		sc.numVal(i) >= 1 && sc.numVal(i) <= sc.numVal(i+2) && sc.numVal(i+2) <= 21 {
		return j
	}
	// a dose and how often it is given: "oxycodone 5-10 q4h", "lopressor
	// started 12.5 bid" (a number, a range or a decimal; not "12/5")
	if sc.doseBeforeFrequency(i, j) {
		return j
	}
	// a score out of ten before what it scores: "c/o 3/10 incisional pain"
	if j == i+2 && sc.punct(i+1, '/') && sc.numVal(i+2) == 10 && sc.numVal(i) >= 0 && sc.numVal(i) <= 10 && sc.scoreAfter(j) {
		return j
	}
	// a gestational age: "24 5/7 wk", "GA 26 3/7", "cga 30 4/7" (days out of seven after weeks),
	// in the first trimester too: "G2P1001 @ 12 1/7", "pt 8 3/7 w/ bleeding" (dev140)
	if j == i+2 && sc.punct(i+1, '/') && sc.numVal(i+2) == 7 && sc.numVal(i) >= 0 && sc.numVal(i) <= 6 &&
		i > 0 && toks[i].sp && !toks[i].nl && sc.numVal(i-1) >= 4 && sc.numVal(i-1) <= 44 {
		sc.clinical[i-1] = true // the weeks
		return j
	}
	// muscle strength out of five: "R ARM 2/5", "LE 4/5", "UE 2-3/5", "weakness 4+/5"
	if sc.punct(j-1, '/') && sc.numVal(j) == 5 && sc.strengthParts(i, j-2) && sc.strengthContext(i) {
		return j
	}
	// two pressures of a ventilator or BiPAP: "bipap overnight 14/6 35%",
	// "settings 18/10", "SBT ON 5/5", "bumped to 16/8" on a BiPAP line
	if j == i+2 && sc.ventPair(i, j) {
		return j
	}
	// a total after a sum: "(3+2+1 = 6/9)"
	if j == i+2 && sc.punct(i+1, '/') && sc.punct(i-1, '=') && i >= 2 && sc.toks[i-2].kind == kNum {
		return j
	}
	// a date and a clock time ("BUN 71 6/25 @ 1445"): never a measured value
	if sc.datePiece(i) == j && sc.punct(j+1, '@') && (sc.clock(j+2) || sc.numLen(j+2) > 0 && sc.punct(j+3, ':')) &&
		!(i > 0 && !sc.toks[i].nl && sc.toks[i-1].kind == kWord && ventSettings[sc.lower(i-1)] && j == i+2 && sc.numVal(j) <= sc.numVal(i)) { // "WEANED TO PS 12/5 @ 0900", not "started CPAP 3/15 @ 2200"
		return -1
	}
	// a whole date with a four-digit year ("D: 11/02/2026 T: 11/03/2026" in a
	// transcription footer): never a measured value (rules_dev11.go)
	if sc.fullYearDate(i, j) {
		return -1
	}
	// after a measure word: everything up to the next word ("CA 92101" is a
	// ZIP; "ph:4107738124", seven digits or more, a phone or an identifier)
	if sc.measureBefore(i, 3) && !(j == i && sc.numLen(i) == 5) && !(j == i && sc.numLen(i) >= 7) {
		return j
	}
	// "5/5" and "10/5" right after a ventilator word on the same line are
	// caught above; a range of ratios is a blood pressure: "105-128/48-61"
	if j-i != 6 {
		return -1
	}
	if sh := sc.shape(i, j); sh == "3-3/2-2" || sh == "3-3/3-3" || sh == "3/2-3/2" || sh == "3/3-3/2" || sh == "3/2-3/3" {
		return j
	}
	if sc.bpRange(i) {
		return j // "HTN 178-196/98-110", "96-168/50-94" (dev21, dev59, dev70)
	}
	return -1
}

// bpRange: tokens i..i+6 are "a-b/c-d", a range of systolic pressures over
// one of diastolic ones (60 <= a <= b <= 260, 20 <= c <= d <= 160, c < a,
// d < b).
func (sc *scan) bpRange(i int) bool {
	if i+6 >= len(sc.toks) || !sc.punct(i+1, '-') || !sc.punct(i+3, '/') || !sc.punct(i+5, '-') {
		return false
	}
	for k := i + 1; k <= i+6; k++ {
		if !sc.joined(k) {
			return false
		}
	}
	a, b, c, d := sc.numVal(i), sc.numVal(i+2), sc.numVal(i+4), sc.numVal(i+6)
	return 60 <= a && a <= b && b <= 260 && 20 <= c && c <= d && d <= 160 && c < a && d < b
}

// decade: "90s", "100s".
func (sc *scan) decade(i int) bool {
	if i < 0 || i >= len(sc.toks) || sc.toks[i].kind != kAlnum {
		return false
	}
	s := sc.lower(i)
	return len(s) >= 3 && s[len(s)-1] == 's' && allDigits(s[:len(s)-1]) && s[len(s)-2] == '0'
}

// prevWord returns the index of the word before token i on its line,
// skipping punctuation other than a full stop ("BP: 120/80", "map =65"), or -1.
func (sc *scan) prevWord(i int) int {
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		if sc.toks[k+1].nl {
			return -1
		}
		switch sc.toks[k].kind {
		case kWord:
			return k
		case kPunct:
			if c := sc.text[sc.toks[k].s]; c == '.' || c == ';' || c == '(' || c == ')' {
				return -1
			}
		default:
			return -1
		}
	}
	return -1
}

// nextCheck: the word before measure word k says when it is due: "next inr
// 12/10", "recheck bmp 3/4", "repeat hgb 1/5" (dev133): a date follows.
func (sc *scan) nextCheck(k int) bool {
	p := sc.prevWord(k)
	if p < 0 || p != k-1 {
		return false
	}
	switch sc.lower(p) {
	case "next", "recheck", "repeat", "due":
		return true
	}
	return false
}

// timeAfterDay: a clock time starts at token j, over a space, "at" or "@"
// ("intake 12/9 0800", "intake 12/18 at 10:00": an appointment's day and
// hour, dev154, dev160; not an intake's volumes).
func (sc *scan) timeAfterDay(j int) bool {
	if j < len(sc.toks) && !sc.toks[j].nl && (sc.is(j, "at") || sc.punct(j, '@')) {
		j++
	}
	if j >= len(sc.toks) || sc.toks[j].nl || !sc.toks[j].sp {
		return false
	}
	return sc.clock(j) || sc.toks[j].kind == kNum && sc.numLen(j) <= 2 && sc.numVal(j) <= 23 && sc.punct(j+1, ':') && sc.joined(j+1) &&
		j+2 < len(sc.toks) && sc.joined(j+2) && sc.numLen(j+2) == 2
}

// monthDayAt: tokens from i are a month and a day, "12/10", glued.
func (sc *scan) monthDayAt(i int) bool {
	return i+2 < len(sc.toks) && sc.toks[i].kind == kNum && sc.punct(i+1, '/') && sc.joined(i+1) && sc.joined(i+2) &&
		sc.toks[i+2].kind == kNum && validMD(sc.numVal(i), sc.numVal(i+2))
}

// serviceIntake: the "intake" at token k is a service's first visit, not a
// fluid intake ("HOSPICE INTAKE 12/9", "psych intake 12/10"; dev200).
func (sc *scan) serviceIntake(k int) bool { return sc.wordBeforeIn(k, intakeServices) }

// intakeServices hold a first visit called an intake.
var intakeServices = map[string]bool{
	"hospice": true, "psych": true, "psychiatry": true, "detox": true, "rehab": true, "agency": true,
	"program": true, "clinic": true, "snf": true, "hh": true, "palliative": true, "counseling": true,
}

// measureBefore: within n words before token i on its line a measure word
// stands, with only level words, numbers and joining punctuation between
// ("BP 120/80", "sats high 90s", "PS 10/5", "HR 80-90s", "bp in the low 100s").
func (sc *scan) measureBefore(i, n int) bool {
	for k := i - 1; k >= 0 && k >= i-n-3; k-- {
		t := &sc.toks[k+1]
		if t.nl {
			return false
		}
		switch sc.toks[k].kind {
		case kWord:
			if sc.toks[k].xbits()&xMeasure != 0 { // measureWords
				if sc.papSmearDate(k, i) {
					return false // "PAP 10/2 ASCUS" (rules_dates.go)
				}
				return !(k == i-1 && (sc.nextCheck(k) || sc.is(k, "intake") && (sc.timeAfterDay(i+3) || sc.serviceIntake(k))) && sc.monthDayAt(i))
			}
			if sc.toks[k].xbits()&xLevel == 0 { // levelWords
				return false
			}
		case kPunct:
			if c := sc.text[sc.toks[k].s]; c != ':' && c != '=' && c != '-' && c != '~' && c != '/' && c != ',' {
				return false
			}
		case kNum, kAlnum:
			// "BP 120/80 90/60": an earlier value of the same measure, but
			// not across a code of five digits or more ("CA 03245 634-…")
			if sc.toks[k].ndig >= 5 {
				return false
			}
			// nor across a count of times ("BP 142/92 X2 11/30": the
			// readings, counted, then the day)
			if timesCount(sc.lower(k)) {
				return false
			}
		}
	}
	return false
}

// timesCount: the lower-cased token s counts times, "x" and one to three
// digits ("x3", "x2"; not "x4417", a phone's extension).
func timesCount(s string) bool {
	return len(s) > 1 && len(s) <= 4 && s[0] == 'x' && allDigits(s[1:])
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// tallyWords follow a count of right answers or of tries out of a total
// ("4/5 correct", "9/10 sentences", "3/5 accurate", "3/3 steps", "1/7
// chambers": dev88, dev89, dev158, dev159).
var tallyWords = map[string]bool{
	"correct": true, "correctly": true, "accurate": true, "accurately": true, "safe": true,
	"sentences": true, "steps": true, "trials": true, "attempts": true, "sucks": true, "chambers": true,
	"pictures": true, "cues": true, "tasks": true, "commands": true, "answers": true, "questions": true,
	"responses": true, "opportunities": true, "repetitions": true, "reps": true,
}

// recallWords come before the words a patient remembers out of three or
// five ("recall 2/3"); recalledWhat after them ("1/3 words").
var recallWords = map[string]bool{"recall": true, "recalled": true, "recalls": true, "registration": true, "word": true} // "recall of word 2/3" (dev90)
var recalledWhat = map[string]bool{"words": true, "objects": true, "items": true}

// scoreWordsBefore name what is scored out of ten.
var scoreWordsBefore = map[string]bool{
	"pain": true, "cp": true, "headache": true, "ha": true, "discomfort": true, "nausea": true,
	"now": true, "score": true, "rated": true, "rates": true, "rating": true, "anxiety": true,
	"dyspnea": true, "sob": true, "incisional": true, "back": true, "abd": true, "chest": true,
	"aches": true, "ache": true, "achy": true, "soreness": true, "sore": true, "cramping": true, "cramps": true,
	"achiness": true, "aching": true, "tenderness": true, "spasms": true,
	"urges": true, "urge": true, // "states urges 7/10 at 1900" (dev160)
	"ice": true, // the ICE score of CAR-T and BiTE therapy: "ICE 10/10 @ 2000" (dev50)
	// healed burns itch: "ITCH: 8/10 ON HEALED GRAFTS", "itch 7/10 in evening" (dev72)
	"itch": true, "itching": true, "itchy": true, "pruritus": true,
	// a speech therapist's tasks scored out of ten: "Naming 6/10 (was 2/10)",
	// "Naming with semantic cues 7/10" (dev113)
	"naming": true, "cues": true,
	// cravings of addiction medicine, fatigue after therapy, the Borg scale of
	// breathlessness, a throbbing or painful wound: "cravings 8/10", "fatigue
	// 6/10", "borg 6/10", "ankle throbbing 7/10", "painful 5/10" (session 33)
	"cravings": true, "craving": true, "fatigue": true, "borg": true, "throbbing": true, "painful": true,
	// the distress thermometer of oncology ("DISTRESS THERMOMETER 8/10", "scored 9/10": dev139)
	"distress": true, "thermometer": true, "scored": true,
}

// sizeOf: s is a length with its unit ("12cm", "3mm").
func sizeOf(s string) bool {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	switch s[n:] {
	case "cm", "mm", "in":
		return n > 0
	}
	return false
}

// scaleBefore name a screening scale or an exam right before its score,
// with the scale's maximum ("BIMS 4/15", "grip 3/5"; "MoCA 10/22" is a
// date: review22).
var scaleBefore = map[string]int{
	"bims": 15, "slums": 30, "moca": 30, "mmse": 30, "mood": 10, "mae": 5, "equally": 5,
	"grip": 5, "grips": 5, "names": 6, "naming": 6,
	// the Mini-Cog, the SCOFF eating-disorder screen, a monofilament foot
	// exam ("Mini-Cog: 2/5", "SCOFF 3/5", "MONOFILAMENT 10/10": dev134)
	"cog": 5, "scoff": 5, "monofilament": 10,
	// strength graded out of five after the muscle or movement ("NECK FLEX
	// 4/5", "deltoids 4/5": dev90)
	"flex": 5, "flexion": 5, "extension": 5, "deltoid": 5, "deltoids": 5, "biceps": 5, "triceps": 5,
	"quads": 5, "iliopsoas": 5, "strength": 5, "dorsiflexion": 5, "plantarflexion": 5, "abduction": 5,
}

// partOfWhole: the fraction at tokens i, i+1, i+2 ("a/b", glued) is a part
// of a whole by its shape and what is around it (dev139-dev143):
//   - a radiation fraction of a course: "FX 6/10", "fx 9/28", on a line
//     that speaks of radiation ("30 GY/10 FX", "RT", "WBRT", "OTV");
//   - a muscle's strength out of five on a line of manual muscle testing
//     ("MMT: ER 4/5, SUPRASPINATUS 4/5", "myotomes 5/5 except EHL 4/5");
//   - a third or a half along a limb: "DISTAL 1/3", "mid 1/2";
//   - a treatment of a hyperbaric course: "HBO TX 12/40", "dive #2/40",
//     in a note that speaks of hyperbaric oxygen (dev166).
func (sc *scan) partOfWhole(i int) bool {
	toks := sc.toks
	a, b := sc.numVal(i), sc.numVal(i+2)
	if a < 0 || b <= 0 || a > b {
		return false
	}
	p := i - 1
	if sc.punct(p, '#') && p > 0 && !toks[p].nl {
		p-- // "tx #6/40"
	}
	w := ""
	if toks[p].kind == kWord {
		w = sc.lower(p)
	}
	switch {
	case w == "fx" || w == "fraction":
		return sc.lineHas(i, radiationWords)
	case hyperbaricCount[w] && b >= 10:
		return sc.noteHas(hyperbaricWords)
	case b == 5:
		return sc.lineHas(i, strengthLineWords)
	case (b == 2 || b == 3 || b == 4) && limbThirds[w]:
		return true
	}
	return false
}

// noteHas: a word of words stands anywhere in the note.
func (sc *scan) noteHas(words map[string]bool) bool {
	for k := range sc.toks {
		if sc.toks[k].kind == kWord && words[sc.lower(k)] {
			return true
		}
	}
	return false
}

// lineHas: a word of words stands on token i's line, before or after it.
func (sc *scan) lineHas(i int, words map[string]bool) bool {
	for k := i - 1; k >= 0 && i-k <= 40; k-- {
		if sc.toks[k].kind == kWord && words[sc.lower(k)] {
			return true
		}
		if sc.toks[k].nl {
			break
		}
	}
	for k := i + 1; k < len(sc.toks) && k-i <= 40 && !sc.toks[k].nl; k++ {
		if sc.toks[k].kind == kWord && words[sc.lower(k)] {
			return true
		}
	}
	return false
}

var (
	radiationWords = map[string]bool{
		"gy": true, "cgy": true, "rt": true, "xrt": true, "wbrt": true, "sbrt": true, "srs": true, "imrt": true,
		"radiation": true, "otv": true, "fractions": true, "fx": true, "rad": true, "onc": true,
	}
	strengthLineWords = map[string]bool{"mmt": true, "myotomes": true, "myotome": true}
	// hyperbaricCount come before a treatment's count in a hyperbaric course
	hyperbaricCount = map[string]bool{"tx": true, "treatment": true, "dive": true, "session": true}
	hyperbaricWords = map[string]bool{"hbo": true, "hbot": true, "hyperbaric": true, "dive": true, "chamber": true, "ata": true}
	limbThirds      = map[string]bool{"distal": true, "proximal": true, "mid": true, "middle": true, "upper": true, "lower": true}
	// countedRange come before a range of counted steps ("STEPS 1-4")
	countedRange = map[string]bool{"steps": true, "step": true, "cycles": true, "items": true, "sets": true, "reps": true}
)

// countWordsBefore name a count out of a whole written as a fraction.
var countWordsBefore = map[string]bool{
	"attendance": true, "present": true, "criteria": true, "cage": true, "met": true, "uds": true,
	"intact": true, // "MONOFILAMENT INTACT 10/10" (dev134)
	// Vanderbilt and SCARED items counted (dev142): "INATT 7/9, HYPER 8/9, ODD 4/8", "items 2/7"
	"inatt": true, "inattentive": true, "hyper": true, "hyperactive": true, "odd": true, "items": true,
}

// bupWords name buprenorphine with naloxone, written by its two strengths
// with a word of dosing after them ("naloxone 8/2 film"; not "received
// naloxone 12/3 in field", Narcan: doseWordAfter).
var bupWords = map[string]bool{
	"nlx": true, "suboxone": true, "zubsolv": true, "naloxone": true, "buprenorphine": true, "bupe": true, "bup": true,
}

// doseWordAfter: the word after token j says how a dose is taken ("16/4
// daily", "8/2 SL TID"; not "Suboxone 12/3 induction": review22).
func (sc *scan) doseWordAfter(j int) bool {
	k := j + 1
	if k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind != kWord {
		return false
	}
	switch sc.lower(k) {
	case "sl", "daily", "qd", "qday", "bid", "tid", "qid", "mg", "film", "films", "tab", "tabs", "strip", "strips":
		return true
	}
	return false
}

// scoreContext: one of the three words before token i names a symptom or
// a score.
func (sc *scan) scoreContext(i int) bool {
	// "(3/10 FROM 7/10)", "6/10 -> 2/10": a score out of ten before
	// "from" or an arrow (dev92); not "to", which also joins two dates
	// ("3/10 to 7/10")
	if p := i - 1; p >= 4 && !sc.toks[i].nl && (sc.is(p, "from") || sc.punct(p, '>')) {
		q := p - 1
		if sc.punct(p, '>') && sc.punct(q, '-') {
			q--
		}
		if sc.is(p, "from") && improvedWords[sc.lower(q)] && q >= 4 {
			q-- // "CRAVINGS 2/10, DOWN FROM 6/10" (dev136), "pain 5/10, improved from 8/10" (dev135)
			if sc.punct(q, ',') {
				q--
			}
		}
		if q >= 2 && sc.numVal(q) == 10 && sc.punct(q-1, '/') && sc.toks[q-2].kind == kNum && sc.numVal(q-2) <= 10 {
			return true
		}
	}
	for k := i - 1; k >= 0 && k >= i-4; k-- {
		if sc.toks[k+1].nl {
			return false
		}
		if sc.toks[k].kind == kWord && (scoreWordsBefore[sc.lower(k)] || sc.headacheAbbrev(k)) {
			return true
		}
	}
	return false
}

// improvedWords come before "from" and an earlier score out of ten.
var improvedWords = map[string]bool{
	"down": true, "up": true, "improved": true, "decreased": true, "increased": true, "reduced": true,
	"better": true, "worse": true,
}

// headacheAbbrev: word token k is the "a" of "H/A", a headache ("H/A 6/10",
// dev108).
func (sc *scan) headacheAbbrev(k int) bool {
	return sc.is(k, "a") && sc.punct(k-1, '/') && sc.joined(k) && sc.joined(k-1) && sc.is(k-2, "h")
}

// scoreWordsAfter name what a score out of ten before them scores.
var scoreWordsAfter = map[string]bool{
	"pain": true, "discomfort": true, "ha": true, "headache": true, "cp": true, "nausea": true,
	"incisional": true, "abd": true, "abdominal": true, "back": true, "chest": true, "sob": true,
	"itch": true, "itching": true, "pruritus": true,
}

// scoreAfter: one of the three words after token j (on its line) names
// what is scored.
func (sc *scan) scoreAfter(j int) bool {
	for k := j + 1; k < len(sc.toks) && k <= j+3; k++ {
		if sc.toks[k].nl {
			return false
		}
		if sc.toks[k].kind == kWord && scoreWordsAfter[sc.lower(k)] {
			return true
		}
	}
	return false
}

// strengthWords name what a muscle-strength grade (out of five) grades.
var strengthWords = map[string]bool{
	"strength": true, "weakness": true, "weak": true, "motor": true, "power": true, "grip": true, "grips": true,
	"arm": true, "arms": true, "leg": true, "legs": true, "hand": true, "hands": true, "foot": true, "feet": true,
	"ue": true, "le": true, "rue": true, "lue": true, "rle": true, "lle": true, "bue": true, "ble": true,
	"ues": true, "les": true, "extremity": true, "extremities": true, "proximal": true, "distal": true,
	"uppers": true, "lowers": true, // "MAE 5/5 UPPERS, 5/5 LOWERS"
	"deltoid": true, "deltoids": true, "biceps": true, "bicep": true, "triceps": true, "tricep": true,
	"quad": true, "quads": true, "quadriceps": true, "hamstring": true, "hamstrings": true, "iliopsoas": true,
	"hip": true, "hips": true, "knee": true, "knees": true, "ankle": true, "ankles": true, "wrist": true,
	"elbow": true, "shoulder": true, "df": true, "pf": true, "dorsiflexion": true, "plantarflexion": true,
	"flexion": true, "extension": true, "abduction": true, "adduction": true, "ehl": true, "ta": true, "gastroc": true,
	// "Neck flexors 3/5", "oculi 4/5", "ext 4/5", "limbs 4/5 prox" (dev98)
	"flexor": true, "flexors": true, "flex": true, "extensor": true, "extensors": true, "ext": true,
	"oculi": true, "limb": true, "limbs": true, "prox": true,
	// "baseline L hemiparesis from tumor, exam today L 3/5, R 5/5" (dev109)
	"l": true, "r": true, "hemiparesis": true, "paresis": true,
}

// strengthContext: a word of strengthWords stands within the four words
// before token i on its line and in its sentence.
func (sc *scan) strengthContext(i int) bool {
	words := 0
	for k := i - 1; k >= 0 && words < 4 && i-k <= 16; k-- { // (bounded: a wordless line is not walked to its start)
		if sc.toks[k+1].nl || sc.punct(k, '.') && sc.toks[k+1].sp {
			return false // a line or a sentence ends ("limbs 4/5 prox. Seen 4/5 in clinic": dev98)
		}
		if sc.toks[k].kind == kWord {
			if strengthWords[sc.lower(k)] {
				return true
			}
			words++
		}
	}
	return false
}

// strengthParts: tokens i..j are a grade out of five before its "/":
// "4", "2-3", "4+", "4-" (numbers 0 to 5, a range or a sign).
func (sc *scan) strengthParts(i, j int) bool {
	if j < i || j-i > 2 {
		return false
	}
	for k := i; k <= j; k++ {
		if v := sc.numVal(k); v >= 0 && v <= 5 {
			continue
		}
		if k > i && (sc.punct(k, '-') || sc.punct(k, '+')) {
			continue
		}
		return false
	}
	return true
}

// clock: token i is a four-digit 24-hour time ("0700", "1930").
func (sc *scan) clock(i int) bool {
	if sc.numLen(i) != 4 {
		return false
	}
	v := sc.numVal(i)
	return v/100 <= 23 && v%100 <= 59
}

// clockSchedule: tokens first..last lie in a schedule of three or more
// clock times joined by hyphens or slashes, each later than the one before
// ("0600-1000-1400-1800-2200", dev84; "MESTINON 60 @ 0800/1200/1600",
// dev90): a dosing or turning schedule, not an identifier or a phone
// number.
func (sc *scan) clockSchedule(first, last int) bool {
	sep := byte('-')
	if first+1 < len(sc.toks) && sc.punct(first+1, '/') || first >= 1 && sc.punct(first-1, '/') {
		sep = '/'
	}
	a, b := first, last
	for a >= 2 && sc.punct(a-1, sep) && sc.joined(a) && sc.joined(a-1) && sc.clock(a-2) {
		a -= 2
	}
	for b+2 < len(sc.toks) && sc.punct(b+1, sep) && sc.joined(b+1) && sc.joined(b+2) && sc.clock(b+2) {
		b += 2
	}
	if b-a < 4 {
		return false
	}
	for k := a; k <= b; k += 2 {
		if !sc.clock(k) || k+1 <= b && !sc.punct(k+1, sep) || k > a && sc.numVal(k) <= sc.numVal(k-2) {
			return false
		}
	}
	return true
}

// doseToken: token k is digits with a dose unit glued on ("70cc", "30ml").
func (sc *scan) doseToken(k int) bool {
	w := sc.lower(k)
	n := 0
	for n < len(w) && isDigit(w[n]) {
		n++
	}
	return n > 0 && doseUnits[w[n:]]
}

// doseUnits are the doseSuffix units of an amount, not of a time or a rate
// ("3/15-10am" is a date and a time).
var doseUnits = func() map[string]bool {
	m := make(map[string]bool, len(doseSuffix))
	for u := range doseSuffix {
		switch u {
		case "hr", "hrs", "h", "min", "mins", "sec", "am", "pm", "d", "wk", "wks", "bpm", "l/min", "mcgkgmin":
		default:
			m[u] = true
		}
	}
	return m
}()

// numbersAndSeps: tokens i..j are numbers joined by "-", "/" or "." ("45-",
// "5/2.").
func (sc *scan) numbersAndSeps(i, j int) bool {
	for k := i; k <= j; k++ {
		switch {
		case sc.toks[k].kind == kNum:
		case k > i && (sc.punct(k, '-') || sc.punct(k, '/') || sc.punct(k, '.')) && sc.joined(k):
		default:
			return false
		}
	}
	return true
}

// frequencyWords say how often a dose is given.
var frequencyWords = map[string]bool{
	"bid": true, "tid": true, "qid": true, "qd": true, "qday": true, "qhs": true, "qam": true, "qpm": true,
	"qod": true, "qac": true, "daily": true, "prn": true, "hs": true,
}

// doseBeforeFrequency: tokens i..j are a number, a range ("5-10") or a
// decimal ("12.5") and a dosing frequency follows on the line ("5-10 q4h",
// "12.5 bid", "150 q6").
func (sc *scan) doseBeforeFrequency(i, j int) bool {
	if sc.toks[i].kind != kNum || sc.toks[j].kind != kNum || j-i != 0 && j-i != 2 ||
		j > i && !(sc.punct(i+1, '-') || sc.punct(i+1, '.')) || j > i && !(sc.joined(i+1) && sc.joined(j)) {
		return false
	}
	return j+1 < len(sc.toks) && sc.toks[j+1].sp && sc.frequencyAfter(j)
}

// frequencyAfter: the token after token j, on its line, is a dosing
// frequency ("bid", "q4h", "q6").
func (sc *scan) frequencyAfter(j int) bool {
	k := j + 1
	if k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind != kWord && sc.toks[k].kind != kAlnum {
		return false
	}
	return qEvery(sc.lower(k))
}

// qEvery: s (lower case) is a dosing frequency: a word of frequencyWords,
// or q and one or two digits with or without a unit ("q6", "q4h").
func qEvery(s string) bool {
	if frequencyWords[s] || qFrequency(s) {
		return true
	}
	return len(s) >= 2 && len(s) <= 3 && s[0] == 'q' && allDigits(s[1:])
}

// qFrequency: s (lower case) is a dosing or checking frequency, q and
// one or two digits and a unit of time ("q4h", "q12hrs", "q15min", "q2d").
func qFrequency(s string) bool {
	if len(s) < 3 || s[0] != 'q' {
		return false
	}
	n := 1
	for n < len(s) && n <= 2 && isDigit(s[n]) {
		n++
	}
	switch s[n:] {
	case "h", "hr", "hrs", "min", "mins", "d", "wk", "wks":
		return n > 1
	}
	return false
}

// obstetricFormula: s (lower case) is a woman's obstetric history in
// gravida and para: "g2p1", "g4p2103" (term, preterm, abortions, living),
// "g3p2a1"; never an identifier.
func obstetricFormula(s string) bool {
	digitsAfter := func(s string, c byte, most int) (string, bool) {
		if len(s) < 2 || s[0] != c {
			return s, false
		}
		n := 1
		for n < len(s) && isDigit(s[n]) {
			n++
		}
		return s[n:], n > 1 && n-1 <= most
	}
	rest, ok := digitsAfter(s, 'g', 2)
	if !ok {
		return false
	}
	if rest, ok = digitsAfter(rest, 'p', 4); !ok {
		return false
	}
	if rest == "" {
		return true
	}
	rest, ok = digitsAfter(rest, 'a', 2)
	return ok && rest == ""
}
