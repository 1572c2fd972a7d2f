package tagger

import (
	"unicode"
	"unicode/utf8"
)

// token is one word, number or punctuation mark, with code-point offsets.
type token struct {
	start, end int    // code points, end exclusive
	text       string // as written
	nl         bool   // a line break lies between the previous token and this one
	space      bool   // white space lies between the previous token and this one
}

const maxTokenRunes = 64 // longer runs are cut, so one token never costs more than this

// tokenize splits text into runs of letters (with combining marks), runs of
// digits, and single other characters; white space separates tokens and is
// dropped. Invalid UTF-8 bytes count as one code point each, as
// utf8.RuneCountInString counts them, and are tokens of their own.
func tokenize(text string) []token {
	toks, _ := tokenizeInto(make([]token, 0, len(text)/4+1), text)
	return toks
}

// tokenizeInto appends the tokens of text to toks and returns the note's
// casing as noteCasing(toks) would, counted on the way (scanInto's tokens).
func tokenizeInto(toks []token, text string) ([]token, byte) {
	recs, casing := scanInto(nil, text)
	for i := range recs {
		toks = append(toks, recs[i].token(text))
	}
	return toks, casing
}

// countCase counts r as an upper- or lower-case letter.
func countCase(r rune, up, low int) (int, int) {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			up++
		} else if 'a' <= r && r <= 'z' {
			low++
		}
	case unicode.IsUpper(r):
		up++
	case unicode.IsLower(r):
		low++
	}
	return up, low
}

const (
	clsOther = iota
	clsLetter
	clsDigit
	clsMark
)

// asciiClass is class for the first 128 code points.
var asciiClass = func() (t [128]uint8) {
	for r := range rune(128) {
		t[r] = uint8(classSlow(r))
	}
	return t
}()

func class(r rune) int {
	if r >= 0 && r < 128 {
		return int(asciiClass[r])
	}
	return classSlow(r)
}

func classSlow(r rune) int {
	switch {
	case unicode.IsLetter(r):
		return clsLetter
	case unicode.IsDigit(r):
		return clsDigit
	case unicode.Is(unicode.Mn, r):
		return clsMark
	}
	return clsOther
}

// isSpace is unicode.IsSpace with an ASCII fast path.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\v' || r == '\f'
	}
	return unicode.IsSpace(r)
}

// rec is a token as the fast path keeps it: where it lies and, for a
// short one, its text as a word table key.
type rec struct {
	key   uint64 // shortKey of the text, 0 when longer than seven bytes
	off   int    // byte offset of the text
	start int    // code points before it
	blen  uint16 // bytes
	n     uint8  // code points
	flags uint8  // recNL, recSpace
}

const (
	recNL    = 1 // a line break lies between the previous token and this one
	recSpace = 2 // white space lies between the previous token and this one
)

// shortKey packs a text of up to seven bytes with its length (bit 62 set,
// bits 59-61 left for the note casing); a longer text gives 0.
func shortKey(s string) uint64 {
	if len(s) > 7 {
		return 0
	}
	var k uint64
	for i := 0; i < len(s); i++ {
		k |= uint64(s[i]) << (8 * i)
	}
	return k | uint64(len(s))<<56 | 1<<62
}

// token returns the token r of text.
func (r *rec) token(text string) token {
	return token{start: r.start, end: r.start + int(r.n), text: text[r.off : r.off+int(r.blen)],
		nl: r.flags&recNL != 0, space: r.flags&recSpace != 0}
}

// byteInfo is, per byte, what scanInto needs: the class (asciiClass) in
// the top byte, or byteSpace for white space, or byteMulti for a byte of a
// multi-byte sequence (decoded on the slow path); and the letter's case as
// a count (upper-case in bit 0, lower-case in bit 28). Adding entries
// counts cases; the class bits fall off the top.
var byteInfo = func() (t [256]uint64) {
	for c := range 256 {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = byteMulti << 56
		case isSpace(rune(c)):
			t[c] = byteSpace << 56
		default:
			t[c] = uint64(asciiClass[c]) << 56
		}
		switch {
		case 'A' <= c && c <= 'Z':
			t[c] |= 1
		case 'a' <= c && c <= 'z':
			t[c] |= 1 << 28
		}
	}
	return t
}()

// spaceFlags is, per ASCII white-space byte, the flags it sets.
var spaceFlags = func() (t [256]uint8) {
	for c := range 128 {
		if isSpace(rune(c)) {
			t[c] = recSpace
			if c == '\n' || c == '\r' {
				t[c] |= recNL
			}
		}
	}
	return t
}()

const (
	byteSpace = 0xfe
	byteMulti = 0xff
	count28   = 1<<28 - 1
	// caseFlush: the 28-bit case counts move out every so many tokens
	// (each has at most maxTokenRunes letters)
	caseFlush = 1 << 12
)

// scanState is what the slow path (multi-byte runes) keeps.
type scanState struct {
	up, low int // upper- and lower-case letters outside ASCII
	extra   int // bytes less code points so far
}

// scanInto splits text into runs of letters (with combining marks), runs
// of digits, and single other characters; white space separates tokens and
// is dropped. Invalid UTF-8 bytes count as one code point each, as
// utf8.RuneCountInString counts them, and are tokens of their own. It also
// returns the note's casing, as noteCasing would count it.
func scanInto(recs []rec, text string) ([]rec, byte) {
	var st scanState
	var cases uint64 // ASCII letters of the last tokens: see byteInfo
	up, low := 0, 0
	var flags uint8 = recNL
	nt := len(recs)
	recs = recs[:cap(recs)]
	for i := 0; i < len(text); {
		e := byteInfo[text[i]]
		cls := e >> 56
		var j, n int
		switch {
		case cls == byteSpace:
			flags |= spaceFlags[text[i]]
			i++
			continue
		case cls == byteMulti:
			var space bool
			j, n, space = st.token(text, i)
			if space {
				flags |= recSpace
				i = j
				continue
			}
		default:
			cases += e
			j = i + 1
			if cls != clsOther {
				end := min(len(text), i+maxTokenRunes)
				for j < end {
					e := byteInfo[text[j]]
					if e>>56 != cls {
						break
					}
					cases += e
					j++
				}
				n = j - i
				if j < end && text[j] >= utf8.RuneSelf {
					j, n = st.run(text, j, n, int(cls))
				}
			} else {
				n = 1
			}
		}
		if nt == len(recs) { // double: a long note costs twice its tokens at most
			grown := make([]rec, max(256, 2*len(recs)))
			copy(grown, recs)
			recs = grown
		}
		t := &recs[nt]
		nt++
		t.key = 0
		if b := j - i; b <= 7 {
			if i+8 <= len(text) { // one load, the bytes after the token masked off
				t.key = load64(text, i)&keyMask[b] | uint64(b)<<56 | 1<<62
			} else {
				t.key = shortKey(text[i:j])
			}
		}
		t.off, t.start, t.blen, t.n, t.flags = i, i-st.extra, uint16(j-i), uint8(n), flags
		st.extra += j - i - n
		flags = 0
		i = j
		if nt&(caseFlush-1) == 0 {
			up, low, cases = up+int(cases&count28), low+int(cases>>28&count28), 0
		}
	}
	up += st.up + int(cases&count28)
	low += st.low + int(cases>>28&count28)
	return recs[:nt], casingOf(up, low)
}

// keyMask[b] keeps the first b bytes of a little-endian load.
var keyMask = [8]uint64{0, 1<<8 - 1, 1<<16 - 1, 1<<24 - 1, 1<<32 - 1, 1<<40 - 1, 1<<48 - 1, 1<<56 - 1}

// token scans the token (or white space) starting with the multi-byte
// sequence at text[i]: its end, its code points, and whether it is white
// space (one code point, no token).
func (st *scanState) token(text string, i int) (j, n int, space bool) {
	r, size := utf8.DecodeRuneInString(text[i:])
	st.extra += size - 1
	if unicode.IsSpace(r) {
		return i + size, 1, true
	}
	st.extra -= size - 1 // counted with the token by the caller
	cls := classSlow(r)
	if cls == clsLetter {
		st.up, st.low = countCase(r, st.up, st.low)
	}
	if cls == clsOther || r == utf8.RuneError {
		return i + size, 1, false
	}
	j, n = st.run(text, i+size, 1, cls)
	return j, n, false
}

// run continues a run of class cls at text[j] (n code points so far),
// multi-byte runes and ASCII alike.
func (st *scanState) run(text string, j, n, cls int) (int, int) {
	for j < len(text) && n < maxTokenRunes {
		if c := text[j]; c < utf8.RuneSelf { // ASCII: no marks, no RuneError
			e := byteInfo[c]
			if int(e>>56) != cls {
				break
			}
			st.up += int(e & 1)
			st.low += int(e >> 28 & 1)
			j++
			n++
			continue
		}
		r2, s2 := utf8.DecodeRuneInString(text[j:])
		c2 := class(r2)
		if r2 == utf8.RuneError || (c2 != cls && !(cls == clsLetter && c2 == clsMark)) {
			break
		}
		if c2 == clsLetter {
			st.up, st.low = countCase(r2, st.up, st.low)
		}
		j += s2
		n++
	}
	return j, n
}

// load64 reads text[i:i+8] as a little-endian number (one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
