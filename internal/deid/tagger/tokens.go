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

// asciiKind is 'X' for A-Z, 'x' for a-z, 'd' for 0-9, 's' for white space
// (unicode.IsSpace), 0 for other bytes.
var asciiKind = func() (t [128]byte) {
	for c := range byte(128) {
		switch {
		case 'A' <= c && c <= 'Z':
			t[c] = 'X'
		case 'a' <= c && c <= 'z':
			t[c] = 'x'
		case '0' <= c && c <= '9':
			t[c] = 'd'
		case isSpace(rune(c)):
			t[c] = 's'
		}
	}
	return t
}()

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

// asciiTok is, per ASCII byte, its class (asciiClass) in the low bits,
// with bit 4 for an upper-case letter, bit 5 for a lower-case one and bit
// 6 for white space.
var asciiTok = func() (t [128]uint8) {
	for c := range byte(128) {
		t[c] = asciiClass[c]
		switch asciiKind[c] {
		case 'X':
			t[c] |= 1 << 4
		case 'x':
			t[c] |= 1 << 5
		case 's':
			t[c] |= 1 << 6
		}
	}
	return t
}()

// scanInto splits text into runs of letters (with combining marks), runs
// of digits, and single other characters; white space separates tokens and
// is dropped. Invalid UTF-8 bytes count as one code point each, as
// utf8.RuneCountInString counts them, and are tokens of their own. It also
// returns the note's casing, as noteCasing would count it.
func scanInto(recs []rec, text string) ([]rec, byte) {
	up, low := 0, 0
	var cases uint64 // ASCII letters: upper-case in the low half, lower-case in the high
	pos := 0
	var flags uint8 = recNL
	i := 0
	for i < len(text) {
		c := text[i]
		r, size := rune(c), 1
		var cls int
		if c < utf8.RuneSelf {
			k := asciiTok[c]
			if k&(1<<6) != 0 {
				if c == '\n' || c == '\r' {
					flags |= recNL
				}
				flags |= recSpace
				i++
				pos++
				continue
			}
			cases += asciiCase[c]
			cls = int(k & 7)
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
			if unicode.IsSpace(r) {
				flags |= recSpace
				i += size
				pos++
				continue
			}
			cls = classSlow(r)
			if cls == clsLetter {
				up, low = countCase(r, up, low)
			}
		}
		j, n := i+size, 1
		if cls != clsOther && r != utf8.RuneError {
		run:
			for j < len(text) && n < maxTokenRunes {
				if c := text[j]; c < utf8.RuneSelf { // ASCII: no marks, no RuneError
					if int(asciiTok[c]&7) != cls {
						break run
					}
					cases += asciiCase[c]
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
					up, low = countCase(r2, up, low)
				}
				j += s2
				n++
			}
		}
		var key uint64
		if b := j - i; b <= 7 {
			if i+8 <= len(text) { // one load, the bytes after the token masked off
				key = load64(text, i)&(1<<(8*b)-1) | uint64(b)<<56 | 1<<62
			} else {
				key = shortKey(text[i:j])
			}
		}
		recs = append(recs, rec{key: key, off: i, start: pos, blen: uint16(j - i), n: uint8(n), flags: flags})
		flags = 0
		pos += n
		i = j
	}
	return recs, casingOf(up+int(uint32(cases)), low+int(cases>>32))
}

// load64 reads text[i:i+8] as a little-endian number (one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// asciiCase counts an ASCII letter's case into scanInto's cases.
var asciiCase = func() (t [128]uint64) {
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = 1
		t[c+'a'-'A'] = 1 << 32
	}
	return t
}()
