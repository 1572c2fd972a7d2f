package deid

import (
	"strings"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// scanBytes finds e-mail addresses and URLs straight on the bytes: both are
// anchored on rare characters ("@", "://", "www."), so this is one IndexByte
// walk, not a regular expression per token.
func (sc *scan) scanBytes() {
	t := sc.text
	for off := 0; ; {
		k := strings.IndexByte(t[off:], '@')
		if k < 0 {
			break
		}
		at := off + k
		s := at
		for s > 0 && isEmailLocal(t[s-1]) {
			s--
		}
		e := at + 1
		for e < len(t) && (isASCIIAlnum(t[e]) || t[e] == '-' || t[e] == '.') {
			e++
		}
		for e > at+1 && t[e-1] == '.' {
			e--
		}
		// a domain has a dot and ends in a label with a letter: not a
		// time after a date ("12/5@2230.", "Q4@0600.")
		dot := strings.LastIndexByte(t[at+1:e], '.')
		if s < at && dot >= 0 && e > at+3 && hasLetter(t[at+1+dot+1:e]) {
			sc.add(s, e, TypeEmail, "rules/email")
		}
		off = at + 1
	}
	for _, anchor := range []string{"://", "www."} {
		for off := 0; ; {
			k := strings.Index(t[off:], anchor)
			if k < 0 {
				break
			}
			p := off + k
			s := p
			if anchor == "://" {
				for s > 0 && isASCIILetter(t[s-1]) {
					s--
				}
				if s == p {
					off = p + 3
					continue
				}
			} else if s > 0 && (isASCIIAlnum(t[s-1]) || t[s-1] == '/' || t[s-1] == '.') {
				off = p + 4
				continue // inside a URL already found
			}
			e := p + len(anchor)
			for e < len(t) && isURLChar(t[e]) {
				e++
			}
			for e > p+len(anchor) && strings.IndexByte(".,;:!?)'\"", t[e-1]) >= 0 {
				e--
			}
			if e > p+len(anchor)+1 {
				sc.add(s, e, TypeURL, "rules/url")
			}
			off = e
		}
	}
}

// tlds end bare web addresses ("zoom.example.com/j/8812").
// ".example" is reserved for examples (RFC 2606) and appears in test notes.
var tlds = []string{".com", ".org", ".net", ".edu", ".gov", ".io", ".info", ".health", ".us", ".co", ".care", ".clinic", ".example"}

// scanDomains finds web addresses without a scheme or "www." by their
// top-level domain.
func (sc *scan) scanDomains() {
	t := sc.low
	// one pass over the dots, not one per TLD
	for off := 0; ; {
		k := strings.IndexByte(t[off:], '.')
		if k < 0 {
			break
		}
		p := off + k
		off = p + 1
		if p+1 >= len(t) || byteClass[t[p+1]] != bLower {
			continue // every top-level domain starts with a letter (t is lower case)
		}
		for _, tld := range tlds {
			if !strings.HasPrefix(t[p:], tld) {
				continue
			}
			e := p + len(tld)
			if e < len(t) && (isASCIIAlnum(t[e]) || t[e] == '-') {
				continue // ".community", ".org-chart"
			}
			s := p
			for s > 0 && (isASCIIAlnum(t[s-1]) || t[s-1] == '-' || t[s-1] == '.') {
				s--
			}
			if s == p || s > 0 && (t[s-1] == '@' || t[s-1] == '/' || isURLChar(t[s-1]) && t[s-1] != '(' && t[s-1] != '"' && t[s-1] != '\'' && t[s-1] != '<' && t[s-1] != '[') {
				continue // part of an e-mail or a URL already found, or no name before the dot
			}
			if e < len(t) && t[e] == '/' {
				for e < len(t) && isURLChar(t[e]) {
					e++
				}
				for strings.IndexByte(".,;:!?)'\"", t[e-1]) >= 0 {
					e--
				}
			}
			sc.add(s, e, TypeURL, "rules/url")
			break
		}
	}
}

func isEmailLocal(c byte) bool {
	return isASCIIAlnum(c) || strings.IndexByte("._%+-", c) >= 0
}

func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

func isURLChar(c byte) bool {
	return c > ' ' && c < 0x7f && strings.IndexByte("<>\"{}|\\^`", c) < 0
}

// chunk returns the index of the last token of the run starting at i whose
// tokens touch (no whitespace between them).
func (sc *scan) chunk(i int) int {
	j := i
	for j+1 < len(sc.toks) && !sc.toks[j+1].sp {
		j++
	}
	return j
}

// shape describes tokens i..j: digits as their count ("3"), words as "a",
// punctuation as itself; e.g. "(634)743-5135" → "(3)3-4".
func (sc *scan) shape(i, j int) string {
	b := sc.shapeBuf[:0]
	for k := i; k <= j; k++ {
		t := &sc.toks[k]
		switch t.kind {
		case kNum:
			n := t.e - t.s
			if n > 9 {
				n = 9
			}
			b = append(b, byte('0'+n))
		case kWord:
			b = append(b, 'a')
		case kAlnum:
			b = append(b, 'x')
		default:
			b = append(b, sc.text[t.s])
		}
	}
	sc.shapeBuf = b
	if len(b) == 1 {
		return oneByteStrings[b[0]] // one token: no look-up
	}
	// up to eight bytes: a direct-mapped cache keyed by the bytes (no
	// hashing of a string)
	var e *shapeEntry
	if len(b) <= 8 {
		var key uint64
		for k, c := range b {
			key |= uint64(c) << (8 * k)
		}
		if e = &sc.shapeCache[(key*0x9E3779B97F4A7C15)>>(64-shapeCacheLog)]; e.key == key && len(e.s) == len(b) {
			return e.s
		}
		e.key = key
	}
	// the same few shapes come back note after note: each is allocated
	// once per pooled scan (a map look-up with a []byte key allocates
	// nothing)
	s, ok := sc.shapes[string(b)]
	if !ok {
		s = string(b)
		if len(sc.shapes) < maxShapes {
			if sc.shapes == nil {
				sc.shapes = make(map[string]string, 64)
			}
			sc.shapes[s] = s
		}
	}
	if e != nil {
		e.s = s
	}
	return s
}

// shapeCacheLog: scan.shapeCache has 2^shapeCacheLog entries.
const shapeCacheLog = 6

// shapeEntry is an entry of scan.shapeCache: a shape of up to eight bytes
// (key, little-endian) and its string.
type shapeEntry struct {
	key uint64
	s   string
}

// oneByteStrings[c] is the string of the one byte c.
var oneByteStrings = func() (t [256]string) {
	for c := range t {
		t[c] = string([]byte{byte(c)})
	}
	return t
}()

// maxShapes bounds scan.shapes.
const maxShapes = 1024

// idCues are words that announce an identifier ("MRN #", "Acct:", "Member ID").
var idCues = map[string]bool{
	"mrn": true, "mr": true, "record": true, "acct": true, "account": true, "ssn": true,
	"id": true, "member": true, "policy": true, "license": true, "licence": true, "lic": true,
	"dea": true, "npi": true, "vin": true, "plate": true, "serial": true, "device": true,
	"accession": true, "encounter": true, "insurance": true, "plan": true, "no": true,
	"number": true, "num": true, "group": true, "claim": true, "certificate": true,
	"subscriber": true, "beneficiary": true, "medicaid": true, "medicare": true, "badge": true,
	"fin": true, "csn": true, "har": true, "specimen": true, "case": true, "order": true,
	"implant": true, "pacemaker": true, "udi": true, "lot": true, "registration": true,
}

// weakIDCues are the words of idCues that notes also use in their everyday
// sense ("plan", "order", "case", "no"): hasCueBits takes one for a
// number's label only right before it or with its ".", "#" or ":" ("Plan
// TC trial 0700 per protocol" is the time of what is planned).
var weakIDCues = map[string]bool{
	"plan": true, "order": true, "case": true, "record": true, "device": true, "group": true,
	"number": true, "num": true, "no": true, "lot": true, "specimen": true, "registration": true,
	"implant": true, "pacemaker": true, "insurance": true,
	"policy": true, // "NOTIFIED PER POLICY 2145" (dev56)
}

// phoneCues announce a phone or fax number.
var phoneCues = map[string]bool{
	"phone": true, "tel": true, "telephone": true, "fax": true, "cell": true, "mobile": true,
	"pager": true, "beeper": true, "ph": true, "call": true, "contact": true, "home": true,
	"work": true, "office": true, "number": true, "ext": true, "x": true,
}

// units follow numbers that are measurements, not identifiers or dates.
var units = map[string]bool{
	"mg": true, "mcg": true, "g": true, "kg": true, "ml": true, "l": true, "units": true,
	"unit": true, "tab": true, "tabs": true, "tablet": true, "tablets": true, "cap": true,
	"caps": true, "capsule": true, "capsules": true, "mmhg": true, "mm": true, "cm": true,
	"iu": true, "meq": true, "mmol": true, "puffs": true, "doses": true, "dose": true,
	"times": true, "cells": true, "copies": true, "lb": true, "lbs": true, "cc": true,
	"strength": true, "ng": true, "pg": true, "ul": true, "dl": true, "hr": true, "hrs": true,
	"min": true, "mins": true, "sec": true, "days": true, "weeks": true, "mo": true,
	"hour": true, "hours": true, "minute": true, "minutes": true, // "Surgery was 3-4 hours" (review9)
	"wks": true, "months": true, // "f/u with PCP 1-2 wks" (dev54)
	"rpm": true, // "LVAD @ 3400 RPM" (dev74)
	"ata": true, // "compressed to 2.4 ATA": atmospheres absolute, a hyperbaric pressure (dev166)
}

// measured: one of tokens i..j is a number with a unit or a decade glued
// after it ("120s/60s", "130s-170s", "150cc/24h"): values, not an
// identifier. Codes with letters first or inside ("A1234567", "4XKI170")
// are not.
func (sc *scan) measured(i, j int) bool {
	for k := i; k <= j; k++ {
		t := &sc.toks[k]
		if t.kind != kAlnum || t.ndig == 0 || int(t.ndig) >= t.e-t.s {
			continue
		}
		d := t.s + int(t.ndig)
		if !allDigits(sc.text[t.s:d]) {
			continue // letters first or between the digits
		}
		if suf := sc.low[d:t.e]; suf == "s" || suf == "h" || suf == "ft" || units[suf] { // "150-200ft"
			return true
		}
	}
	return false
}

// decimalValue: tokens i..j hold a decimal of one or two digits before and
// after its point ("NPI 4.3/4.4", a pupil index; "INR 1.2"): a value, never
// an identifier.
func (sc *scan) decimalValue(i, j int) bool {
	for k := i + 1; k < j; k++ {
		if sc.punct(k, '.') && sc.joined(k) && sc.joined(k+1) && sc.toks[k-1].kind == kNum && sc.toks[k+1].kind == kNum &&
			sc.toks[k-1].ndig <= 2 && sc.toks[k+1].ndig <= 2 && !(sc.punct(k-2, '.') && sc.joined(k-1)) && !(sc.punct(k+2, '.') && sc.joined(k+2)) {
			return true
		}
	}
	return false
}

// hasCue reports whether one of the n tokens before i is in cues.
func (sc *scan) hasCue(i, n int, cues map[string]bool) bool {
	return sc.hasCueBits(i, n, 0, cues)
}

// hasCueBits is hasCue for a keyword set (bits) or, when bits is 0, a map.
func (sc *scan) hasCueBits(i, n int, bits uint32, cues map[string]bool) bool {
	if i < len(sc.toks) && sc.toks[i].nl {
		n = 1 // a value that starts its line: a cue only right before ("MRN:⏎12345", not "No change.⏎0600")
	}
	for k := i - 1; k >= 0 && k >= i-n; k-- {
		t := &sc.toks[k]
		if t.kind == kWord && (bits != 0 && t.kw&bits != 0 || bits == 0 && cues[sc.lower(k)]) {
			if bits&setIDCue != 0 && weakIDCues[sc.lower(k)] && !sc.punct(k+1, '.') && !sc.punct(k+1, '#') && !sc.punct(k+1, ':') &&
				(k < i-1 || sc.clock(i) && !(i+1 < len(sc.toks) && sc.joined(i+1) && sc.toks[i+1].kind != kPunct)) {
				// a word of the notes that can also label a number labels
				// one only right before it or with its ".", "#" or ":"
				// ("NO CHANGES. 0400: ABG", "no changes, 0400 7.33/49",
				// "Plan TC trial 0700 per protocol"), and a time of day
				// only with those ("glycerin chip per order 0000": dev51)
				continue
			}
			return true
		}
		if t.nl && (k < i-1 || t.kind == kWord) {
			// a cue on an earlier line only counts right before the value
			// (or its mark: "MRN:⏎#12345"), not before a word that starts
			// the value's line ("Given unit number.⏎Arrived 1825": dev81)
			return false
		}
	}
	return false
}

func (sc *scan) unitAfter(j int) bool {
	k := j + 1
	if k < len(sc.toks) && sc.toks[k].kind == kWord {
		return sc.in(k, setMeasure)
	}
	return false
}

func validMD(m, d int) bool { return m >= 1 && m <= 12 && d >= 1 && d <= 31 }

// scanNumbers classifies every run of touching tokens that starts with a
// digit (or "(" / "+" then a digit): dates, phones, SSNs, IPs, ZIPs, IDs, ages.
func (sc *scan) scanNumbers() {
	toks := sc.toks
	// the tokens that can start a number (index); the body's "i = e"
	// jumps past what it used, as over every token
	idx := sc.numIdx
	for ni, i := listNext(idx, 0, -1); ni < len(idx); ni, i = listNext(idx, ni, i) {
		t := &toks[i]
		startsNum := t.kind == kNum || (t.kind == kAlnum && t.ndig > 0) ||
			// "ACCT-44658267", "SN-88213": a short upper-case prefix glued to a number
			t.kind == kWord && t.upper && t.e-t.s <= 5 && sc.punct(i+1, '-') && sc.joined(i+1) && sc.joined(i+2) && sc.numLen(i+2) >= 3
		if !startsNum && t.kind == kPunct && (sc.text[t.s] == '(' || sc.text[t.s] == '+' || sc.text[t.s] == '#') &&
			i+1 < len(toks) && sc.joined(i+1) && toks[i+1].kind == kNum {
			startsNum = true
		}
		if !startsNum {
			continue
		}
		j := sc.chunk(i)
		// "9/7-ADMITTED", "7/17/97...TEAM": a word glued on by punctuation is
		// not part of the number (but "12-Mar-2019" is a date)
		if t.kind != kWord {
			for k := i + 2; k <= j; k++ {
				if toks[k].kind == kWord && toks[k-1].kind == kPunct && toks[k].kw&setMonth == 0 {
					j = k - 1
					break
				}
			}
		}
		// trim trailing punctuation that ends a sentence
		for j > i && toks[j].kind == kPunct && strings.IndexByte(".,;:)]!?'\"|-", sc.text[toks[j].s]) >= 0 &&
			!(sc.text[toks[j].s] == ')' && sc.punct(i, '(')) {
			j--
		}
		if e := sc.cervixExam(i); e >= 0 {
			sc.markClinical(i, e)
			i = e
			continue
		}
		if e := sc.dateRun(i, j); e >= 0 {
			i = e
			continue
		}
		if e := sc.gluedCueDate(i, j); e >= 0 {
			i = e
			continue
		}
		if t.kind == kNum && j-i != 1 && j-i != 3 && j-i <= 4 {
			if e := sc.dev6Number(i, j); e >= 0 { // "EXTUBATED 12.5", "12/3-5", "Decmber 2" (rules_dev6.go)
				i = e
				continue
			}
		}
		if j == i && (sc.dayMonthToken(i) || sc.monthDayToken(i)) { // "NOV28" (rules_dev6.go)
			sc.addDate(i, i)
			continue
		}
		if e := sc.clinicalNumber(i, j); e >= i {
			sc.markClinical(i, e)
			i = e
			continue
		}
		// "(202-555-0169)": a whole number in parentheses, not an area code;
		// "(410-884-2271 x 212)", "(240 397 0052)": the parenthesis opens a
		// number that goes on past this run
		if sc.punct(i, '(') && sc.punct(j, ')') && j > i+2 && !sc.punct(i+2, ')') {
			i++
			j--
		} else if sc.punct(i, '(') && j > i && !sc.punct(i+2, ')') && sc.toks[i+1].kind == kNum {
			i++
		}
		if n := sc.number(i, j); n > j {
			i = n - 1
		} else {
			i = j
		}
	}
}

// number classifies tokens i..j and returns the index after what it used.
func (sc *scan) number(i, j int) int {
	switch sc.toks[i].kind {
	case kNum:
		if i > 0 {
			switch p := &sc.toks[i-1]; p.kind {
			case kPunct:
				if p.aux == '-' && sc.interstateAt(i) { // "ON I-695" (rules_dev4.go)
					return i + 1
				}
				if p.aux != ':' && p.aux != '.' && p.aux != '#' {
					break
				}
				fallthrough
			case kWord:
				if sc.low[p.s] != 'e' && p.kind == kWord {
					break
				}
				if e := sc.extensionAlone(i); e > 0 { // "at extension 4417" (rules_dev4.go)
					sc.addToks(i, e, TypePhone, "rules/phone")
					return e + 1
				}
			}
		}
	case kAlnum:
		if e := sc.ukPostcodeAt(i); e > 0 { // "Leeds LS6 1BN" (rules_dev4.go)
			return e + 1
		}
	}
	if e := sc.international(i); e > 0 {
		sc.addToks(i, e, TypePhone, "rules/phone")
		return sc.extension(e + 1)
	}
	shape := sc.shape(i, j)
	switch shape {
	case "1/1/2", "1/1/4", "1/2/2", "1/2/4", "2/1/2", "2/1/4", "2/2/2", "2/2/4",
		"1-1-2", "1-1-4", "1-2-2", "1-2-4", "2-1-2", "2-1-4", "2-2-2", "2-2-4",
		"1.1.2", "1.1.4", "1.2.2", "1.2.4", "2.1.2", "2.1.4", "2.2.2", "2.2.4":
		a, b := sc.numVal(i), sc.numVal(i+2)
		if validMD(a, b) || validMD(b, a) {
			sc.addDate(i, j)
			return j + 1
		}
	case "1-a-4", "2-a-4", "1-a-2", "2-a-2", "1/a/4", "2/a/4", "1 a 4", "1-a", "2-a":
		// "12-Mar-2019", "3-NOV"
		if sc.in(i+2, setMonth) && sc.numVal(i) >= 1 && sc.numVal(i) <= 31 {
			sc.addToks(i, j, TypeDate, "rules/date")
			return j + 1
		}
	case "4-2-2", "4/2/2", "4.2.2", "4-1-1", "4/1/1", "4-1-2", "4-2-1", "4/1/2", "4/2/1":
		if validMD(sc.numVal(i+2), sc.numVal(i+4)) {
			sc.addDate(i, j)
			return j + 1
		}
	case "1/1", "1/2", "2/1", "2/2", "1-1", "1-2", "2-1", "2-2":
		// "3/4", "12/25": a date only when it cannot be a ratio or a dose.
		a, b := sc.numVal(i), sc.numVal(i+2)
		prevWord := ""
		if p := i - 1; p >= 0 {
			if sc.punct(p, ':') && p > 0 {
				p-- // "Sent: 1/2"
			}
			if sc.toks[p].kind == kWord {
				prevWord = sc.lower(p)
			}
		}
		cue := dateCue(prevWord)
		if prevWord == "of" && i >= 2 && sc.is(i-1, "of") && sc.toks[i-2].kind == kWord && amountOf(sc.lower(i-2)) {
			cue = false // "lactulose goal of 2-3 soft bm/day" (dev67): an amount, not "as of 12-3"
		}
		// "flight 28/11": day first, when the first number cannot be a month
		dayFirst := a > 12 && validMD(b, a) && prevWord != "" && sc.text[sc.toks[i+1].s] == '/' && !sc.measureOnLine(i, 6)
		if (validMD(a, b) || dayFirst) && (!sc.unitAfter(j) || sc.cultureNG(i, j)) && !sc.countAfter(i, j) && prevWord != "bp" && prevWord != "x" && !scoreWords[prevWord] &&
			!(sc.joined(i) && !sc.punct(i-1, '[') && !sc.punct(i-1, '(') && !(sc.punct(i-1, ':') && prevWord != "") || (j+1 < len(sc.toks) && sc.joined(j+1) && sc.toks[j+1].kind != kPunct)) &&
			(sc.text[sc.toks[i+1].s] == '/' || cue || sc.dashDate(i, j)) && (!(a == 1 && b <= 4 && prevWord == "") || sc.aloneOnLine(i, j) || sc.toks[i].nl && sc.punct(j+1, ':')) {
			sc.addDate(i, j)
			return j + 1
		}
		// "echo 8/87": a month and a two-digit year (no day is over 31)
		if a >= 1 && a <= 12 && b >= 32 && b <= 99 && sc.numLen(i+2) == 2 && sc.text[sc.toks[i+1].s] == '/' && !sc.unitAfter(j) &&
			!(j+1 < len(sc.toks) && sc.joined(j+1) && sc.toks[j+1].kind != kPunct) {
			sc.addDate(i, j)
			return j + 1
		}
	case "4-2", "4/2":
		// "in 2019-03": a year and a month, after a word that introduces a date
		if y, m := sc.numVal(i), sc.numVal(i+2); y >= 1900 && y <= 2099 && m >= 1 && m <= 12 && i > 0 &&
			(sc.is(i-1, "in") || sc.is(i-1, "since") || sc.is(i-1, "on") || sc.is(i-1, "dated") || sc.punct(i-1, ':')) {
			sc.addToks(i, j, TypeDate, "rules/date")
			return j + 1
		}
	case "1/4", "2/4", "1-4", "2-4":
		if m := sc.numVal(i); m >= 1 && m <= 12 {
			sc.addToks(i, j, TypeDate, "rules/date") // "03/2019": the month is PHI
			return j + 1
		}
	case "2.4":
		// "ECHO 06.2025": a month of two digits and a year after a full stop
		if m, y := sc.numVal(i), sc.numVal(i+2); m >= 1 && m <= 12 && y >= 1900 && y <= 2099 && !sc.unitAfter(j) {
			sc.addToks(i, j, TypeDate, "rules/date")
			return j + 1
		}
	case "3-2-4", "9":
		// "cell 4107738124", "ph:4107738124": ten digits (eleven with a
		// leading 1) after a phone cue (shape writes any run over nine digits as "9")
		// ("NPI 1515022151": an identifier's cue right before wins)
		if l := sc.numLen(i); shape == "9" && (l == 10 || l == 11 && sc.text[sc.toks[i].s] == '1') && sc.hasCueBits(i, 4, setPhoneCue, nil) &&
			!(sc.in(sc.prevWord(i), setIDCue) && !sc.in(sc.prevWord(i), setPhoneCue)) {
			sc.addToks(i, j, TypePhone, "rules/phone")
			return sc.extension(j + 1)
		}
		if shape == "9" && !sc.hasCue(i, 3, ssnCues) {
			break
		}
		sc.addToks(i, j, TypeID, "rules/ssn")
		return j + 1
	case "(3)3-4", "3-3-4", "3.3.4", "3/3-4", "+1-3-3-4", "+1.3.3.4", "1-3-3-4", "(3)-3-4", "+13-3-4":
		sc.addToks(i, j, TypePhone, "rules/phone")
		return sc.extension(j + 1)
	case "(3)", "+1", "1", "3":
		// "(634) 743-5135", "+1 634 743 5135", "634 743 5135"
		k := j + 1
		if shape == "+1" || (shape == "1" && sc.numVal(i) == 1) {
			if sc.numLen(k) == 3 || sc.punct(k, '(') {
				e := sc.chunk(k)
				for e > k && sc.toks[e].kind == kPunct && strings.IndexByte(".,;:", sc.text[sc.toks[e].s]) >= 0 {
					e--
				}
				switch sc.shape(k, e) {
				case "(3)", "3":
					k = e + 1
				case "3.3.4", "3-3-4", "(3)3-4", "(3)-3-4", "3/3/4":
					// "+1 410.555.0123": a country code before a whole number
					sc.addToks(i, e, TypePhone, "rules/phone")
					return sc.extension(e + 1)
				}
			}
		} else if shape == "3" && !sc.hasCueBits(i, 4, setPhoneCue, nil) && !sc.nanp(i) && !sc.nanpDash(i) {
			break
		}
		if k < len(sc.toks) {
			e := sc.chunk(k)
			for e > k && sc.toks[e].kind == kPunct && strings.IndexByte(".,;:)", sc.text[sc.toks[e].s]) >= 0 {
				e--
			}
			s2 := sc.shape(k, e)
			if s2 == "3-4" || s2 == "3.4" {
				sc.addToks(i, e, TypePhone, "rules/phone")
				return sc.extension(e + 1)
			}
			if s2 == "3" && e+1 < len(sc.toks) && sc.numLen(e+1) == 4 {
				sc.addToks(i, e+1, TypePhone, "rules/phone")
				return sc.extension(e + 2)
			}
			// "cell 410 5550123": an area code and seven digits after a phone cue
			if s2 == "7" && shape == "3" && sc.hasCueBits(i, 4, setPhoneCue, nil) {
				sc.addToks(i, e, TypePhone, "rules/phone")
				return sc.extension(e + 1)
			}
		}
	case "3-4", "3.4":
		if sc.hasCueBits(i, 4, setPhoneCue, nil) {
			sc.addToks(i, j, TypePhone, "rules/phone")
			return sc.extension(j + 1)
		}
	}
	// "mobile 07700 900123", "tel. 030 1234 5678" (rules_dev4.go)
	if len(shape) == 1 && shape[0] >= '2' && shape[0] <= '5' && sc.text[sc.toks[i].s] == '0' {
		if e := sc.nationalZero(i); e > 0 {
			sc.addToks(i, e, TypePhone, "rules/phone")
			return sc.extension(e + 1)
		}
	}
	if sc.ipv4(i, j, shape) {
		sc.addToks(i, j, TypeIP, "rules/ip")
		return j + 1
	}
	if sc.age(i, j, shape) {
		return j + 1
	}
	if j == i && sc.ordinalAlone(i) {
		return j + 1
	}
	// "pager 45123": a five-digit pager number; "pgr 4417", "ext 4417": a
	// four-digit one or an extension right after its cue
	if shape == "5" && sc.hasCue(i, 3, pagerCues) || shape == "4" && i > 0 && !sc.toks[i].nl && sc.toks[i-1].kind == kWord && (pagerCues[sc.lower(i-1)] || sc.is(i-1, "ext")) ||
		shape == "4" && (sc.pagedAt(i) || sc.calledAtX(i)) {
		sc.addToks(i, j, TypePhone, "rules/phone")
		return j + 1
	}
	// ZIP code after a state ("WI 62297") or a cue.
	if shape == "5" || shape == "5-4" {
		if sc.zipContext(i) {
			sc.addToks(i, j, TypeLocation, "rules/zip")
			return j + 1
		}
	}
	// Anything announced as an identifier, or long enough to be one.
	digits := 0
	for k := i; k <= j; k++ {
		digits += int(sc.toks[k].ndig)
	}
	// "(SSN) ends in 4471", "last four 4471": a partial identifier
	if j == i && sc.numLen(i) == 4 && (sc.is(i-1, "in") && sc.is(i-2, "ends") || sc.is(i-1, "four") && sc.is(i-2, "last") || sc.is(i-1, "4") && sc.is(i-2, "last")) {
		sc.addToks(i, j, TypeID, "rules/id")
		return j + 1
	}
	if sc.hasCueBits(i, 3, setIDCue, nil) && !(digits < 5 && sc.sectionCue(i)) || (i > 0 && sc.punct(i-1, '#')) || sc.punct(i, '#') {
		// "device clinic in 7-10 days": a duration, not the device's number
		if digits >= 3 && !sc.unitAfter(j) && !sc.measured(i, j) && !sc.decimalValue(i, j) {
			s := i
			if sc.punct(i, '#') {
				s = i + 1
			}
			if j == s+2 && s > 0 && sc.punct(s+1, '/') && sc.joined(s+1) && sc.joined(j) && sc.partOfWhole(s) {
				sc.markClinical(s, j) // "dive #2/40": a treatment of a course (dev166)
				return j + 1
			}
			sc.addToks(s, j, TypeID, "rules/id")
			return j + 1
		}
	}
	// "HX-77-1234" is a code, not the range 77-1234: a letter part glued in front.
	coded := i >= 2 && sc.codeJoin(i-1) && sc.toks[i-2].kind != kNum
	if digits >= 5 && !sc.unitAfter(j) && !sc.measured(i, j) && !strings.ContainsAny(shape, ",.") && !strings.Contains(shape, "--") && (!isRange(shape) || coded) && !(sc.smallParts(i, j) && strings.IndexByte(shape, '/') >= 0) && !sc.valueSeries(i, j) {
		if sc.toks[i].kind == kPunct && sc.text[sc.toks[i].s] != '#' {
			i++
		}
		if sc.punct(i, '#') {
			i++
		}
		sc.addToks(i, j, TypeID, "rules/id")
		return j + 1
	}
	// "KEY BT7QXK2M", "auth # QX44TR": a code of letters and digits after
	// a word that names one (dev134)
	if j == i && sc.toks[i].kind == kAlnum && sc.codeAfterCue(i) {
		sc.addToks(i, j, TypeID, "rules/id")
		return j + 1
	}
	// "Discharge Unit: HCS843": a code right after a label
	if j == i && sc.toks[i].kind == kAlnum && sc.toks[i].ndig >= 3 && sc.punct(i-1, ':') && isUpperCode(sc.str(i)) {
		sc.addToks(i, j, TypeID, "rules/id")
		return j + 1
	}
	if digits >= 4 && sc.toks[i].kind == kAlnum && j == i && sc.toks[i].ndig >= 4 {
		sc.addToks(i, j, TypeID, "rules/id") // "A1234567", licence plates
		return j + 1
	}
	return i + 1
}

// extension extends a phone span over "x123" / "ext. 123".
func (sc *scan) extension(k int) int {
	if k < len(sc.toks) && sc.toks[k].kind == kAlnum && !sc.toks[k].nl {
		// "x204" in one token
		if s := sc.lower(k); s[0] == 'x' && int(sc.toks[k].ndig) == len(s)-1 && len(s) <= 6 {
			sc.out[len(sc.out)-1].e = sc.toks[k].e
			sc.covLen = -1 // a span grew in place: covered's memo is stale
			return k + 1
		}
	}
	if k < len(sc.toks) && (sc.is(k, "x") || sc.is(k, "ext")) {
		m := k + 1
		if sc.punct(m, '.') {
			m++
		}
		if sc.numLen(m) >= 1 && sc.numLen(m) <= 5 {
			// "X 7-4420": an in-house extension written with a dash
			if sc.numLen(m) <= 2 && sc.punct(m+1, '-') && sc.joined(m+1) && sc.joined(m+2) && sc.numLen(m+2) >= 3 && sc.numLen(m+2) <= 5 {
				m += 2
			}
			last := len(sc.out) - 1
			sc.out[last].e = sc.toks[m].e
			sc.covLen = -1
			return m + 1
		}
	}
	return k
}

// amountOf: w, before "of", asks for an amount ("goal of 2-3", "total of
// 3-4"), not a date.
func amountOf(w string) bool {
	switch w {
	case "goal", "total", "max", "maximum", "average", "avg", "range", "minimum":
		return true
	}
	return false
}

func dateCue(w string) bool {
	switch w {
	case "on", "since", "from", "until", "till", "by", "dated", "date", "dos", "admitted", "discharged", "seen", "of", "before", "after",
		"sent", "dob", "received", "collected", "signed", "visit", "due",
		"lbm", "intubated", "extubated", "transferred", "expired", "died", "born",
		"filled", "refilled", "dispensed": // "last filled 10-28" (rules_dev6.go)
		return true
	}
	return false
}

func (sc *scan) ipv4(i, j int, shape string) bool {
	if j-i != 6 {
		return false
	}
	for k := i; k <= j; k++ {
		if k%2 == i%2 {
			if sc.toks[k].kind != kNum || sc.numLen(k) > 3 || sc.numVal(k) > 255 {
				return false
			}
		} else if !sc.punct(k, '.') {
			return false
		}
	}
	return true
}

// decadeOfLife: the decade "90s" at token i follows a possessive ("in her
// 90s", "his late 90s"); elsewhere it is a value ("BP now 90s",
// "augmentation 110s").
func (sc *scan) decadeOfLife(i int) bool {
	p := sc.prevWord(i)
	if p >= 0 && p == i-1 {
		switch sc.lower(p) {
		case "early", "mid", "late", "upper", "lower":
			p = sc.prevWord(p)
		}
	}
	if p < 0 {
		return false
	}
	switch sc.lower(p) {
	case "her", "his", "their", "my", "your":
		return true
	}
	return false
}

// temperatureWords, up to three words before a number with "F" glued to
// it, say that it is in degrees Fahrenheit ("outside 114F"), not an age
// and sex ("97F").
var temperatureWords = map[string]bool{
	"temp": true, "temps": true, "temperature": true, "tmax": true, "tm": true, "t": true, "febrile": true,
	"fever": true, "fevers": true, "degrees": true, "outside": true, "outdoor": true, "exceed": true,
	"exceeds": true, "exceeding": true, "heat": true, "thermometer": true, "weather": true,
}

// age marks ages over 89 (Safe Harbor keeps younger ages): "92-year-old",
// "92 yo", "aged 93", "Age: 95", "in her 90s".
func (sc *scan) age(i, j int, shape string) bool {
	if sc.toks[i].kind == kAlnum && j == i {
		s := sc.lower(i)
		// "90s", "92y", "93yo", "95yrs": the number is the span
		v, n := 0, 0
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			v = v*10 + int(s[n]-'0')
			n++
		}
		switch s[n:] {
		case "th", "st", "nd", "rd":
			// "her 95th birthday"
			if v >= 90 && v < 130 && (sc.is(i+1, "birthday") || sc.is(i+1, "bday")) {
				sc.add(sc.toks[i].s, sc.toks[i].s+n, TypeAge, "rules/age")
				return true
			}
		case "s", "y", "yo", "yr", "yrs", "yof", "yom", "f", "m":
			if (s[n:] == "f" || s[n:] == "m") && sc.text[sc.toks[i].s+n] >= 'a' {
				return false // "100m" is a distance; "97F" an age and sex
			}
			if s[n:] == "f" && sc.hasCue(i, 3, temperatureWords) {
				return false // "outside 114F", "may exceed 100F", "Tmax 102F": degrees Fahrenheit (dev128)
			}
			if v >= 90 && v < 130 && (s[n:] != "s" || sc.decadeOfLife(i)) {
				sc.add(sc.toks[i].s, sc.toks[i].s+n, TypeAge, "rules/age")
				return true
			}
		}
		return false
	}
	if sc.toks[i].kind != kNum {
		return false
	}
	v := sc.numVal(i)
	if v < 90 || v >= 130 {
		return false
	}
	k := i + 1
	if sc.punct(k, '-') {
		k++
	}
	after := ""
	if k < len(sc.toks) && sc.toks[k].kind == kWord {
		after = sc.lower(k)
	}
	switch after {
	case "year", "years", "yr", "yrs", "yo", "y", "yof", "yom", "yearold":
		sc.addToks(i, i, TypeAge, "rules/age")
		return true
	}
	if i > 0 {
		p := i - 1
		if sc.punct(p, ':') || sc.punct(p, '=') {
			p--
		}
		if sc.is(p, "age") || sc.is(p, "aged") || sc.is(p, "ages") {
			sc.addToks(i, i, TypeAge, "rules/age")
			return true
		}
	}
	return false
}

// zipContext: a state abbreviation or name before, or a "zip" cue.
func (sc *scan) zipContext(i int) bool {
	p := i - 1
	if sc.punct(p, ',') {
		p--
	}
	if p < 0 {
		return false
	}
	t := &sc.toks[p]
	if t.kind == kWord && (t.flags&lexicon.State != 0) && (t.upper || t.cap) {
		return true
	}
	return sc.hasCue(i, 3, zipCues)
}

// isRange: two plain numbers joined by "-" or "/" ("135-145", "142/88"):
// a range or ratio, not an identifier, unless a cue says otherwise.
func isRange(shape string) bool {
	return len(shape) == 3 && shape[0] >= '1' && shape[0] <= '4' && (shape[1] == '-' || shape[1] == '/') && shape[2] >= '1' && shape[2] <= '4'
}

// valueSeries: tokens i..j are four or more values of up to three digits
// between slashes, not all of three digits ("CT: 2 MED + L PLEURAL,
// 100/60/40/40/30/30": a drain's hourly output; "123/456/789/012" stays an
// identifier), or a range of clock times ("19:00-07:00"): no identifier.
func (sc *scan) valueSeries(i, j int) bool {
	nums, short := 0, false
	for k := i; k <= j; k++ {
		switch {
		case sc.toks[k].kind == kNum && sc.numLen(k) <= 3:
			nums++
			short = short || sc.numLen(k) < 3
		case sc.punct(k, '/'):
		default:
			return sc.clockRange(i, j) || sc.clockSchedule(i, j)
		}
	}
	// "AC/VC 420/20/PEEP 10": a list of settings that goes on in a
	// ventilator setting glued to its last slash (dev53)
	glued := sc.punct(j, '/') && j+1 < len(sc.toks) && sc.joined(j+1) && sc.toks[j+1].kind == kWord && ventSettings[sc.lower(j+1)]
	return nums >= 4 && short || nums >= 2 && glued
}

// clockRange: tokens i..j are two clock times joined by a dash, written
// without spaces: "19:00-07:00", "6:00-6:45", "5:30-8:30P", "10p-6:30a",
// "7-11:30" (dev136); at least one of them with its minutes or its am/pm,
// so "0-10" and "7-11" stay ranges of other things.
func (sc *scan) clockRange(i, j int) bool {
	if j-i < 2 || j-i > 8 {
		return false
	}
	for k := i + 1; k <= j; k++ {
		if !sc.joined(k) {
			return false
		}
	}
	s := sc.low[sc.toks[i].s:sc.toks[j].e]
	d := strings.IndexByte(s, '-')
	if d < 0 {
		return false
	}
	a, ma := clockTime(s[:d])
	b, mb := clockTime(s[d+1:])
	return a && b && (ma || mb)
}

// clockTime: s is a clock time, an hour with its minutes or its am/pm or
// both ("6:45", "8:30p", "10p", "07:00", "7"); marked says it holds one.
func clockTime(s string) (ok, marked bool) {
	suffix := false
	for _, x := range []string{"am", "pm", "a", "p"} {
		if strings.HasSuffix(s, x) {
			s, suffix = s[:len(s)-len(x)], true
			break
		}
	}
	h, m, colon := s, "", strings.IndexByte(s, ':')
	if colon >= 0 {
		h, m = s[:colon], s[colon+1:]
		if len(m) != 2 || !allDigits(m) || m[0] > '5' {
			return false, false
		}
	}
	if len(h) == 0 || len(h) > 2 || !allDigits(h) {
		return false, false
	}
	hv := int(h[0] - '0')
	if len(h) == 2 {
		hv = hv*10 + int(h[1]-'0')
	}
	if hv > 24 || suffix && (hv == 0 || hv > 12) {
		return false, false
	}
	return true, colon >= 0 || suffix
}

// aloneOnLine: tokens i..j make up their whole line.
func (sc *scan) aloneOnLine(i, j int) bool {
	return sc.toks[i].nl && (j+1 >= len(sc.toks) || sc.toks[j+1].nl)
}

var (
	ssnCues = map[string]bool{"ssn": true, "social": true, "security": true}
	zipCues = map[string]bool{"zip": true, "zipcode": true, "postal": true, "postcode": true}
)

// codeAfterCue: alphanumeric token i is six to sixteen capitals and digits,
// at least two of each, and the word before it (a "#" or ":" between
// allowed) names a code: "KEY BT7QXK2M", "auth # QX44TR", "Confirmation:
// HK27PQ9" (letters first: isUpperCode). A prior authorization's key or a
// booking's reference is an identifier like any other.
func (sc *scan) codeAfterCue(i int) bool {
	s := sc.str(i)
	if len(s) < 6 || len(s) > 16 || sc.toks[i].ndig < 2 || len(s)-int(sc.toks[i].ndig) < 2 || !isUpperCode(s) {
		return false
	}
	p := sc.prevWord(i)
	return p >= 0 && i-p <= 2 && codeCues[sc.lower(p)]
}

// codeCues name a code of letters and digits after them.
var codeCues = map[string]bool{
	"key": true, "confirmation": true, "conf": true, "auth": true, "authorization": true,
	"ref": true, "reference": true, "tracking": true, "voucher": true, "pin": true,
}

// isUpperCode: letters (all upper case) and digits, letters first ("HCS843").
func isUpperCode(s string) bool {
	if len(s) == 0 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// scoreWords come before "n/10"-style scores, which are not dates ("Pain 3/10").
var scoreWords = map[string]bool{
	"pain": true, "score": true, "scale": true, "strength": true, "power": true, "rated": true,
	"grade": true, "apgar": true, "gcs": true, "nihss": true, "vas": true, "level": true,
}

// nanp: "903 555 0165", three digits, three, four, split by spaces, with an
// area code and an exchange that do not start with 0 or 1: a phone number
// even without a cue.
func (sc *scan) nanp(i int) bool {
	t := sc.toks
	return i+2 < len(t) && sc.numLen(i) == 3 && sc.numLen(i+1) == 3 && sc.numLen(i+2) == 4 &&
		t[i+1].sp && t[i+2].sp && !t[i+1].nl && !t[i+2].nl &&
		sc.text[t[i].s] >= '2' && sc.text[t[i+1].s] >= '2' && !(sc.joined(i+3) && t[i+3].kind != kPunct)
}

// international: "+44 20 7946 0321": a plus, a country code and groups of
// digits, 8 to 13 digits in all; it returns the last token or -1.
func (sc *scan) international(i int) int {
	t := sc.toks
	zeros := false
	if !sc.punct(i, '+') {
		if t[i].kind != kNum || sc.text[t[i].s] != '0' || !sc.intlZeros(i) {
			return -1
		}
		zeros = true
		i-- // "0031 30 271 8844": the country code after "00" (the loop below starts at i+2)
	} else if i+1 >= len(t) || !sc.joined(i+1) || sc.numLen(i+1) == 0 || sc.numLen(i+1) > 3 {
		return -1
	}
	digits, e := sc.numLen(i+1), i+1
	if zeros {
		digits -= 2
	}
	for k := i + 2; k < len(t) && !t[k].nl; k++ {
		if sc.numLen(k) > 0 && (t[k].sp || sc.punct(k-1, '-')) {
			digits += sc.numLen(k)
			e = k
			continue
		}
		if sc.punct(k, '-') && !t[k].sp && sc.numLen(k+1) > 0 {
			continue
		}
		break
	}
	if digits < 8 || digits > 13 || e == i+1 {
		return -1
	}
	return e
}

// intlZeros: number token i is the international prefix "00" glued to a
// country code of one to three digits ("0031", "00353"), before a space and
// more digits on the same line: a number dialled from abroad the way Europe
// writes it.
func (sc *scan) intlZeros(i int) bool {
	t := sc.toks
	if l := sc.numLen(i); l < 3 || l > 5 || i+1 >= len(t) || !t[i+1].sp || t[i+1].nl || sc.numLen(i+1) == 0 {
		return false
	}
	s := t[i].s
	return sc.text[s] == '0' && sc.text[s+1] == '0' && sc.text[s+2] != '0' && (i == 0 || t[i].sp)
}

// pagedAt: four digits that no clock reads after a pager cue and "at"
// ("renal fellow paged at 4471", "pager at 4471"; "MD paged at 1430" is a
// time).
func (sc *scan) pagedAt(i int) bool {
	if i < 2 || sc.toks[i].nl || sc.toks[i-1].nl || !sc.is(i-1, "at") || !pagerCues[sc.lower(i-2)] {
		return false
	}
	s := sc.text[sc.toks[i].s:sc.toks[i].e]
	return (s[0]-'0')*10+s[1]-'0' > 23 || s[2] > '5'
}

// calledAtX: the four-digit number i follows "x" on its line, and a word
// of calling up to four tokens before that ("PLEASE CALL RT @ X 2210",
// "page resp at x 4417"; dev131): an extension. "REPEAT X 1000" has no call.
func (sc *scan) calledAtX(i int) bool {
	return i >= 2 && !sc.toks[i].nl && !sc.toks[i-1].nl && sc.is(i-1, "x") && sc.hasCue(i-1, 4, callWords)
}

var callWords = map[string]bool{"call": true, "calls": true, "page": true, "paged": true, "pager": true, "pgr": true, "reach": true, "dial": true, "contact": true, "notify": true}

var pagerCues = map[string]bool{"pager": true, "page": true, "paged": true, "pgr": true, "beeper": true, "bpr": true, "beep": true}

// nanpDash: "301 944-5032", an area code then "exchange-line", both starting
// with 2-9: a phone number even without a cue ("KRISSY---301 944-5032").
func (sc *scan) nanpDash(i int) bool {
	t := sc.toks
	k := i + 1
	return k+2 < len(t) && sc.numLen(i) == 3 && t[k].sp && !t[k].nl && sc.numLen(k) == 3 && sc.punct(k+1, '-') &&
		sc.joined(k+1) && sc.joined(k+2) && sc.numLen(k+2) == 4 && sc.text[t[i].s] >= '2' && sc.text[t[k].s] >= '2'
}

// hasLetter: s holds an ASCII letter.
func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// sectionCue: the identifier cue before token i is the header of a note's
// section ("ID: fever 102", "Plan: EGD 0800", "id- febrile 102.1":
// infectious disease, the plan), a word that starts its line with a colon
// or a dash and a space after it (not "ID-1234").
func (sc *scan) sectionCue(i int) bool {
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		if sc.toks[k].kind == kWord && sc.toks[k].kw&setIDCue != 0 {
			mark := sc.punct(k+1, ':') || sc.punct(k+1, '-') && k+2 < len(sc.toks) && !sc.joined(k+2)
			return (sc.toks[k].nl || k == 0) && mark && (sc.is(k, "id") || sc.is(k, "plan"))
		}
	}
	return false
}

// markClinical marks tokens i..e a clinical number, which no date, phone,
// identifier or age rule takes and no other detector's span keeps.
func (sc *scan) markClinical(i, e int) {
	for k := i; k <= e; k++ {
		sc.clinical[k] = true
	}
}

// cervixExam: tokens from i are a cervical exam, dilation / effacement /
// station, all joined: "6/90/0", "8/100/+1", "2/50/-2" (dev78); a date
// never ends in a one-digit or signed year. It returns the last token, or -1.
func (sc *scan) cervixExam(i int) int {
	toks := sc.toks
	if i+4 >= len(toks) || toks[i].kind != kNum || sc.numLen(i) > 2 || sc.numVal(i) > 10 {
		return -1
	}
	if !sc.punct(i+1, '/') || !sc.joined(i+1) || !sc.joined(i+2) || toks[i+2].kind != kNum || sc.numLen(i+2) > 3 || sc.numVal(i+2) > 100 ||
		!sc.punct(i+3, '/') || !sc.joined(i+3) || !sc.joined(i+4) {
		return -1
	}
	k := i + 4
	if toks[k].kind == kNum {
		if sc.numLen(k) == 1 && sc.numVal(k) == 0 && !sc.digitAfter(k) {
			return k
		}
		return -1
	}
	if (sc.punct(k, '+') || sc.punct(k, '-')) && k+1 < len(toks) && sc.joined(k+1) && toks[k+1].kind == kNum && sc.numLen(k+1) == 1 && sc.numVal(k+1) <= 5 && !sc.digitAfter(k+1) {
		return k + 1
	}
	return -1
}

// digitAfter: a digit or a full stop glued to token k follows it ("0.5").
func (sc *scan) digitAfter(k int) bool {
	n := k + 1
	return n < len(sc.toks) && sc.joined(n) && (sc.toks[n].kind == kNum || sc.punct(n, '.') && n+1 < len(sc.toks) && sc.joined(n+1) && sc.toks[n+1].kind == kNum)
}
