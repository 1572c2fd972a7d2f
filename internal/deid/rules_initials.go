package deid

import "github.com/trustgate/trustgate/internal/deid/lexicon"

// scanSignature finds the initials and codes that sign notes on the note's
// last line: an author code alone or after a credential ("DK27", an ID),
// initials alone ("jlm", "TGM") or a typist pair alone or after a credential
// ("AJT/lw", "MD    JFO/tz"). typistCodeAt and
// initialsAfterCue (called from scanCues) find a typist code before a name
// at a line start ("KMB:trask") and initials after "by", "transcribed" or
// "dictated" at the end of a clause ("called by BMK.", "Printed 12/02 07:14
// by ymr at"). Only two to four letters that no list of English, clinical
// words, abbreviations or keywords holds count as initials ("by IR", "by
// mouth" stay).
func (sc *scan) scanSignature() {
	toks := sc.toks
	// the last line: initials alone, or a typist pair
	last := len(toks) - 1
	if last >= 0 {
		s := last
		for s > 0 && !toks[s].nl {
			s--
		}
		x := last - 2 // "AJT/lw" alone, or after a credential: "…, MD    JFO/tz"
		switch {
		case (s == last || sc.in(last-1, setCred) && !toks[last].nl) && authorCode(sc.str(last)):
			sc.addToks(last, last, TypeID, "rules/author") // "DK27", "…, MD  kq41"
		case s == last && sc.initials(s, 4):
			sc.markName(s, s, "rules/initials")
		case x >= s && (x == s || sc.in(x-1, setCred)) && sc.punct(x+1, '/') && sc.joined(x+1) && sc.joined(x+2) &&
			sc.initials(x, 4) && (sc.initials(last, 4) || sc.typistTail(last)):
			sc.markName(x, x, "rules/initials")
			sc.markName(last, last, "rules/initials")
		}
	}
}

// dashInitialsAt: "CONFIRMED. -KD", "next care plan 12/22. -rb": initials
// glued to a dash that opens them, the last word of their line, after a
// sentence's end or at the line's start (token i: the initials). The
// initials are no word of the safe core, the clinical list or the rules
// (initials); "Nursing note - RN", "-ICU" stay.
func (sc *scan) dashInitialsAt(i int) bool {
	toks := sc.toks
	d := i - 1
	if d < 0 || !sc.punct(d, '-') || !sc.joined(i) || toks[i].nl || i+1 < len(toks) && !toks[i+1].nl || !sc.initials(i, 3) {
		return false
	}
	if !toks[d].nl && !(toks[d].sp && d > 0 && (sc.punct(d-1, '.') || sc.punct(d-1, ';'))) {
		return false // a dash inside a word or a phrase ("X-RAY", "note -RN")
	}
	return sc.toks[i].flags&lexicon.Clinical == 0
}

// typistCodeAt: "KMB:trask", a typist code and a name at a line start (token
// i); it marks both and returns the last token, or -1.
func (sc *scan) typistCodeAt(i int) int {
	toks := sc.toks
	if i+2 >= len(toks) || !sc.punct(i+1, ':') || !sc.joined(i+1) || !sc.joined(i+2) || toks[i+2].kind != kWord ||
		!sc.rawUpper(i) || sc.rawCap(i+2) || !sc.initials(i, 4) ||
		!(toks[i+2].flags&lexicon.Name != 0 && toks[i+2].flags&lexicon.Common == 0 || sc.candidate(i+2) || sc.unknownWord(i+2)) {
		return -1
	}
	sc.markName(i, i, "rules/initials")
	sc.markName(i+2, i+2, "rules/initials")
	return i + 2
}

// initialsAfterCue: "called by BMK.", "transcribed mrc": initials at token i
// (after "by", "transcribed" or "dictated": the caller checks) at the end of
// a clause.
func (sc *scan) initialsAfterCue(i int) {
	if sc.clauseEnd(i+1) && sc.initials(i, 3) {
		sc.markName(i, i, "rules/initials")
	}
}

// initials: word token i is two to n letters that are no word of the safe
// core, no clinical abbreviation, no keyword of the rules and no common word.
func (sc *scan) initials(i, n int) bool {
	if i < 0 || i >= len(sc.toks) {
		return false
	}
	t := &sc.toks[i]
	l := t.e - t.s
	if t.kind != kWord || l < 2 || l > n || t.kw != 0 || t.flags&(lexicon.SafeCore|lexicon.Common|lexicon.State) != 0 {
		return false
	}
	// written in one case: "KP", "jlm" (not "Ed", "Al")
	if sc.rawCap(i) && !sc.rawUpper(i) {
		return false
	}
	w := sc.lower(i)
	return !clinicalAcronyms[w] && !notInitials[w]
}

// notInitials are short words and abbreviations of notes that the safe lists
// leave out.
var notInitials = map[string]bool{
	"dc": true, "fyi": true, "etc": true, "pls": true, "thx": true, "ty": true, "tho": true, "abd": true,
	"ext": true, "cont": true, "neb": true, "nebs": true, "prn": true, "qd": true, "qhs": true, "bid": true,
	"tid": true, "qid": true, "wnl": true, "nad": true, "aox": true, "ngt": true, "ogt": true, "ett": true,
	"dnr": true, "dni": true, "cmo": true, "vss": true, "afeb": true, "npo": true, "tf": true, "tfs": true,
	"fu": true, // "pt stable. -FU": a follow-up (review)
}

// clauseEnd: token k ends a clause: the end of the text or of a line, a full
// stop, comma, semicolon or parenthesis, a number or a few words that follow
// a signature ("at", "on", "and", "for").
func (sc *scan) clauseEnd(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].nl {
		return true
	}
	t := &sc.toks[k]
	switch t.kind {
	case kPunct:
		c := sc.text[t.s]
		return c == '.' || c == ',' || c == ';' || c == ')' || c == '|'
	case kNum:
		return true
	case kWord:
		return sc.is(k, "at") || sc.is(k, "on") || sc.is(k, "and") || sc.is(k, "for")
	}
	return false
}

// rawUpper: every letter of token i is upper case in the text itself.
func (sc *scan) rawUpper(i int) bool { return !sc.rawHas(i, 'a', 'z') }

// rawLower: no letter of token i is an ASCII capital in the text itself.
func (sc *scan) rawLower(i int) bool { return !sc.rawHas(i, 'A', 'Z') }

// rawHas: a byte of token i's text lies in lo..hi.
func (sc *scan) rawHas(i int, lo, hi byte) bool {
	t := &sc.toks[i]
	for k := t.s; k < t.e; k++ {
		if c := sc.text[k]; lo <= c && c <= hi {
			return true
		}
	}
	return false
}

// typistTail: the typist's part of "LKP/ts", two or three lower-case letters
// that may be a common word elsewhere but no clinical one.
func (sc *scan) typistTail(i int) bool {
	t := &sc.toks[i]
	l := t.e - t.s
	return t.kind == kWord && l >= 2 && l <= 3 && !sc.rawCap(i) && t.kw == 0 && t.flags&lexicon.SafeCore == 0 && !clinicalAcronyms[sc.lower(i)]
}

// authorCode: two or three letters then two to four digits ("DK27", "kq41"),
// the code an author or dictation system signs a note with.
func authorCode(w string) bool {
	n := 0
	for n < len(w) && isASCIILetter(w[n]) {
		n++
	}
	d := len(w) - n
	return n >= 2 && n <= 3 && d >= 2 && d <= 4 && allDigits(w[n:])
}
