package deid

import (
	"strings"
	"unicode"
)

// maxCandidates bounds how many earlier entities sharing a word are compared
// with a mention, so numbering stays linear on documents with thousands of
// names; past it only exact repeats are linked.
const maxCandidates = 64

// entityIDs numbers the spans so that every mention of one entity gets the
// same number, counted per type in order of first mention. Two mentions are
// one entity when their normalised words are equal, or (for names and places)
// when the words of one are a subset of the other's, so "Doe" after
// "John Doe" is the same person while "Jane Doe" is not.
func entityIDs(spans []Span, values []string) []int {
	type entity struct {
		words []string
		id    int
	}
	type typedKey struct {
		t   Type
		key string
	}
	byKey := map[typedKey]*entity{}
	byWord := map[typedKey][]*entity{} // entities of a type containing a word
	count := map[Type]int{}
	ids := make([]int, len(spans))
	for i, s := range spans {
		words := normWords(values[i])
		key := typedKey{s.Type, strings.Join(words, " ")}
		found := byKey[key]
		if found == nil && (s.Type == TypeName || s.Type == TypeLocation) {
			for _, w := range words {
				cands := byWord[typedKey{s.Type, w}]
				for _, e := range cands[:min(len(cands), maxCandidates)] {
					if subset(words, e.words) || subset(e.words, words) {
						found = e
						break
					}
				}
				if found != nil {
					break
				}
			}
		}
		if found == nil {
			count[s.Type]++
			found = &entity{words: words, id: count[s.Type]}
			for _, w := range words {
				k := typedKey{s.Type, w}
				byWord[k] = append(byWord[k], found)
			}
		} else if len(words) > len(found.words) {
			// "Doe" first, "John Doe" later: the entity now has both words
			for _, w := range words {
				k := typedKey{s.Type, w}
				if !contains(found.words, w) {
					byWord[k] = append(byWord[k], found)
				}
			}
			found.words = words
		}
		byKey[key] = found
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
		if !contains(b, w) {
			return false
		}
	}
	return true
}

func contains(list []string, w string) bool {
	for _, v := range list {
		if v == w {
			return true
		}
	}
	return false
}
