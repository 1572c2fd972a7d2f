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
	toks := make([]token, 0, len(text)/4+1)
	pos := 0 // code points so far
	nl, space := true, false
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			if r == '\n' || r == '\r' {
				nl = true
			}
			space = true
			i += size
			pos++
			continue
		}
		cls := class(r)
		j, n := i+size, 1
		if cls != clsOther && r != utf8.RuneError {
			for j < len(text) && n < maxTokenRunes {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				c2 := class(r2)
				if r2 == utf8.RuneError || (c2 != cls && !(cls == clsLetter && c2 == clsMark)) {
					break
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
	return toks
}

const (
	clsOther = iota
	clsLetter
	clsDigit
	clsMark
)

func class(r rune) int {
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
