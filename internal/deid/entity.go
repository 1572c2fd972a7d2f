package deid

import (
	"strings"
	"unicode"
)

// entityIDs numbers the spans so that every mention of one entity gets the
// same number, counted per type in order of first mention. Two mentions are
// one entity when their normalised words are equal, or (for names and places)
// when the words of one are a subset of the other's, so "Doe" after
// "John Doe" is the same person while "Jane Doe" is not.
func entityIDs(spans []Span, values []string) []int {
	type entity struct {
		words []string
		key   string
		id    int
	}
	byType := map[Type][]*entity{}
	ids := make([]int, len(spans))
	for i, s := range spans {
		words := normWords(values[i])
		key := strings.Join(words, " ")
		var found *entity
		for _, e := range byType[s.Type] {
			if e.key == key || ((s.Type == TypeName || s.Type == TypeLocation) && (subset(words, e.words) || subset(e.words, words))) {
				found = e
				break
			}
		}
		if found == nil {
			found = &entity{words: words, key: key, id: len(byType[s.Type]) + 1}
			byType[s.Type] = append(byType[s.Type], found)
		} else if len(words) > len(found.words) {
			found.words, found.key = words, key
		}
		ids[i] = found.id
	}
	return ids
}

// normWords lower-cases s and splits it into letter/digit words.
func normWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// subset reports whether every word of a (non-empty) occurs in b.
func subset(a, b []string) bool {
	if len(a) == 0 {
		return false
	}
	for _, w := range a {
		ok := false
		for _, v := range b {
			if v == w {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
