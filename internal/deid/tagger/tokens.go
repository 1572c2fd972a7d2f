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
// casing as noteCasing(toks) would, counted on the way.
func tokenizeInto(toks []token, text string) ([]token, byte) {
	up, low := 0, 0 // upper- and lower-case letters (unicode.IsUpper, IsLower)
	pos := 0        // code points so far
	nl, space := true, false
	i := 0
	for i < len(text) {
		c := text[i]
		r, size := rune(c), 1
		var cls int
		if c < utf8.RuneSelf { // ASCII: tables, no decoding
			switch asciiKind[c] {
			case 's':
				if c == '\n' || c == '\r' {
					nl = true
				}
				space = true
				i++
				pos++
				continue
			case 'X':
				up++
			case 'x':
				low++
			}
			cls = int(asciiClass[c])
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
			if unicode.IsSpace(r) {
				space = true
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
					switch k := asciiKind[c]; {
					case cls == clsLetter && k == 'X':
						up++
					case cls == clsLetter && k == 'x':
						low++
					case cls == clsDigit && k == 'd':
					default:
						break run
					}
					j++
					n++
					continue
				}
				r2, s2 := rune(text[j]), 1
				if r2 >= utf8.RuneSelf {
					r2, s2 = utf8.DecodeRuneInString(text[j:])
				}
				c2 := class(r2)
				if r2 == utf8.RuneError || (c2 != cls && !(cls == clsLetter && c2 == clsMark)) {
					break
				}
				if c2 == clsLetter {
					if r2 < utf8.RuneSelf { // an ASCII letter: A-Z sort before a-z
						if r2 <= 'Z' {
							up++
						} else {
							low++
						}
					} else {
						up, low = countCase(r2, up, low)
					}
				}
				j += s2
				n++
			}
		}
		toks = append(toks, token{start: pos, end: pos + n, text: text[i:j], nl: nl, space: space})
		nl, space = false, false
		pos += n
		i = j
	}
	return toks, casingOf(up, low)
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
