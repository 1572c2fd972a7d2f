package deid

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// trimSpans enforces the span conventions on spans from any recognizer (a
// model may tag "Dr. Strange" whole): no outer white space, and a name never
// starts with a title ("Dr.", "Mrs") — the title stays in the text. Offsets
// are code points; only spans that need it are touched. It works in place:
// the answer reuses the memory of spans.
func trimSpans(text string, spans []Span) []Span {
	return trimSpansASCII(text, spans, isASCII(text))
}

// trimSpansASCII is trimSpans when whether text is ASCII is known.
func trimSpansASCII(text string, spans []Span, ascii bool) []Span {
	out := spans[:0]
	if len(spans) == 0 {
		return out
	}
	if ascii {
		return trimASCII(text, spans)
	}
	// code point i of text, from the decoded runes
	runes := []rune(text)
	at, n := func(i int) rune { return runes[i] }, len(runes)
	for _, s := range spans {
		if s.Start < 0 || s.End > n || s.Start >= s.End {
			out = append(out, s) // Resolve drops or the caller reports these
			continue
		}
		for s.Start < s.End && unicode.IsSpace(at(s.Start)) {
			s.Start++
		}
		for s.End > s.Start && unicode.IsSpace(at(s.End-1)) {
			s.End--
		}
		if s.Type == TypeName {
			s.Start = skipTitle(at, s.Start, s.End)
		}
		if s.End > s.Start {
			out = append(out, s)
		}
	}
	return out
}

// trimASCII is trimSpansASCII on an ASCII text: code point i is byte i,
// and unicode.IsSpace and unicode.IsLetter of a byte below 0x80 are
// asciiSpace and a letter test (TestTrimASCIIEqualsRunes).
func trimASCII(text string, spans []Span) []Span {
	out := spans[:0]
	for _, s := range spans {
		if s.Start < 0 || s.End > len(text) || s.Start >= s.End {
			out = append(out, s) // Resolve drops or the caller reports these
			continue
		}
		for s.Start < s.End && asciiSpace[text[s.Start]] {
			s.Start++
		}
		for s.End > s.Start && asciiSpace[text[s.End-1]] {
			s.End--
		}
		if s.Type == TypeName {
			s.Start = skipTitleASCII(text, s.Start, s.End)
		}
		if s.End > s.Start {
			out = append(out, s)
		}
	}
	return out
}

// asciiSpace: the bytes below 0x80 that unicode.IsSpace reports.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// skipTitleASCII is skipTitle on an ASCII text (the same tests, the map
// look-up last).
func skipTitleASCII(text string, start, end int) int {
	i := start
	for i < end && ('a' <= text[i]|0x20 && text[i]|0x20 <= 'z') {
		i++
	}
	if i == start || i-start > maxTitleRunes {
		return start
	}
	j := i
	if j < end && text[j] == '.' {
		j++
	}
	if j == end || !asciiSpace[text[j]] {
		return start // "Drew", or a title that is the whole span
	}
	if !titleStart[i-start][text[start]|0x20-'a'] {
		return start // most names: their first word's length and letter say so
	}
	var b [16]byte
	if i-start > len(b) {
		if !titles[strings.ToLower(text[start:i])] {
			return start
		}
	} else {
		for k := start; k < i; k++ {
			b[k-start] = text[k] | 0x20
		}
		if !titles[string(b[:i-start])] {
			return start
		}
	}
	for j < end && asciiSpace[text[j]] {
		j++
	}
	return j
}

// titleStart[n][c]: a title of n letters starts with the letter 'a'+c
// (skipTitleASCII's gate before the map look-up; n is at most
// maxTitleRunes, so a title of more bytes is none).
var titleStart = func() [][26]bool {
	t := make([][26]bool, maxTitleRunes+1)
	for w := range titles {
		if c := w[0] | 0x20; len(w) <= maxTitleRunes && 'a' <= c && c <= 'z' {
			t[len(w)][c-'a'] = true
		}
	}
	return t
}()

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// maxTitleRunes is the length of the longest title: a longer word is none
// (lower-casing maps each rune to one rune).
var maxTitleRunes = func() int {
	n := 0
	for t := range titles {
		n = max(n, utf8.RuneCountInString(t))
	}
	return n
}()

// skipTitle returns the index after a leading title and the spaces after it.
func skipTitle(at func(int) rune, start, end int) int {
	i := start
	for i < end && unicode.IsLetter(at(i)) {
		i++
	}
	if i == start || i-start > maxTitleRunes {
		return start
	}
	// the word in lower case: ASCII in a stack buffer (the map look-up of
	// string(b) does not allocate), anything else through strings.ToLower
	var b [16]byte
	n, ascii := 0, true
	for k := start; k < i && ascii; k++ {
		r := at(k)
		switch {
		case r >= utf8.RuneSelf || n == len(b):
			ascii = false
		case 'A' <= r && r <= 'Z':
			b[n] = byte(r) + 'a' - 'A'
		default:
			b[n] = byte(r)
		}
		n++
	}
	if ascii {
		if !titles[string(b[:n])] {
			return start
		}
	} else {
		var word [16]rune
		w := word[:0]
		for k := start; k < i; k++ {
			w = append(w, at(k))
		}
		if !titles[strings.ToLower(string(w))] {
			return start
		}
	}
	j := i
	if j < end && at(j) == '.' {
		j++
	}
	if j == end || !unicode.IsSpace(at(j)) {
		return start // "Drew", or a title that is the whole span
	}
	for j < end && unicode.IsSpace(at(j)) {
		j++
	}
	return j
}
