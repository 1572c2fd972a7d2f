package deid

import (
	"strings"
	"unicode"
)

// trimSpans enforces the span conventions on spans from any recognizer (a
// model may tag "Dr. Strange" whole): no outer white space, and a name never
// starts with a title ("Dr.", "Mrs") — the title stays in the text. Offsets
// are code points; only spans that need it are touched.
func trimSpans(text string, spans []Span) []Span {
	var runes []rune
	out := spans[:0:0]
	for _, s := range spans {
		if runes == nil {
			runes = []rune(text)
		}
		if s.Start < 0 || s.End > len(runes) || s.Start >= s.End {
			out = append(out, s) // Resolve drops or the caller reports these
			continue
		}
		for s.Start < s.End && unicode.IsSpace(runes[s.Start]) {
			s.Start++
		}
		for s.End > s.Start && unicode.IsSpace(runes[s.End-1]) {
			s.End--
		}
		if s.Type == TypeName {
			s.Start = skipTitle(runes, s.Start, s.End)
		}
		if s.End > s.Start {
			out = append(out, s)
		}
	}
	return out
}

// skipTitle returns the index after a leading title and the spaces after it.
func skipTitle(runes []rune, start, end int) int {
	i := start
	for i < end && unicode.IsLetter(runes[i]) {
		i++
	}
	if i == start || !titles[strings.ToLower(string(runes[start:i]))] {
		return start
	}
	j := i
	if j < end && runes[j] == '.' {
		j++
	}
	if j == end || !unicode.IsSpace(runes[j]) {
		return start // "Drew", or a title that is the whole span
	}
	for j < end && unicode.IsSpace(runes[j]) {
		j++
	}
	return j
}
