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
// a count (upper-case in bit 0, lower-case in bit 28).
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

const (
	byteSpace  = 0xfe
	byteMulti  = 0xff
	caseMask   = 1<<56 - 1
	upperCount = 1<<28 - 1
)

// scanInto splits text into runs of letters (with combining marks), runs
// of digits, and single other characters; white space separates tokens and
// is dropped. Invalid UTF-8 bytes count as one code point each, as
// utf8.RuneCountInString counts them, and are tokens of their own. It also
// returns the note's casing, as noteCasing would count it.
func scanInto(recs []rec, text string) ([]rec, byte) {
	up, low := 0, 0
	// ASCII letters of the current token: upper-case in bits 0-27,
	// lower-case in 28-55 (a token has at most maxTokenRunes)
	var cases uint64
	pos := 0
	var flags uint8 = recNL
	nt := len(recs)
	recs = recs[:cap(recs)]
	for i := 0; i < len(text); {
		c := text[i]
		e := byteInfo[c]
		cls := int(e >> 56)
		r, size := rune(c), 1
		switch cls {
		case byteSpace:
			if c == '\n' || c == '\r' {
				flags |= recNL
			}
			flags |= recSpace
			i++
			pos++
			continue
		case byteMulti:
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
		default:
			cases += e & caseMask
		}
		j, n := i+size, 1
		if cls != clsOther && r != utf8.RuneError {
			for n < maxTokenRunes {
				// ASCII bytes of the run's class: a table look-up each
				end := min(len(text), j+maxTokenRunes-n)
				j0 := j
				for j < end {
					e := byteInfo[text[j]]
					if int(e>>56) != cls {
						break
					}
					cases += e & caseMask
					j++
				}
				n += j - j0
				if j >= len(text) || n >= maxTokenRunes || text[j] < utf8.RuneSelf {
					break
				}
				// a multi-byte rune: a letter or mark continues a word
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
				t.key = load64(text, i)&(1<<(8*b)-1) | uint64(b)<<56 | 1<<62
			} else {
				t.key = shortKey(text[i:j])
			}
		}
		t.off, t.start, t.blen, t.n, t.flags = i, pos, uint16(j-i), uint8(n), flags
		flags = 0
		pos += n
		i = j
		up, low, cases = up+int(cases&upperCount), low+int(cases>>28&upperCount), 0
	}
	return recs[:nt], casingOf(up, low)
}

// load64 reads text[i:i+8] as a little-endian number (one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
