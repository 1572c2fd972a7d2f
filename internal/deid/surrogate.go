package deid

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// surrogates returns a realistic fake value for each span. Name and place
// words are mapped word by word, so "John Doe" and a later "Doe" become
// "Peter Hall" and "Hall"; every date of the note moves by one offset, so
// intervals between dates survive.
func surrogates(spans []Span, values []string, seed uint64) []string {
	s := &surrogater{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		lex:   lexicon.Get(),
		words: map[string]string{},
		whole: map[string]string{},
	}
	// one shift per note: 30 to 400 days, either way
	s.shift = 30 + s.rng.IntN(371)
	if s.rng.IntN(2) == 0 {
		s.shift = -s.shift
	}
	out := make([]string, len(spans))
	for i, sp := range spans {
		out[i] = s.value(sp.Type, values[i])
	}
	return out
}

type surrogater struct {
	rng   *rand.Rand
	lex   *lexicon.Lexicon
	shift int
	words map[string]string // lower-cased name word → fake word
	whole map[string]string // type+value → fake value, for consistency
}

func (s *surrogater) value(t Type, v string) string {
	key := string(t) + "\x00" + strings.ToLower(v)
	if f, ok := s.whole[key]; ok {
		return f
	}
	var f string
	switch t {
	case TypeName:
		f = s.name(v)
	case TypeLocation:
		f = s.location(v)
	case TypeDate:
		f = s.date(v)
	case TypeAge:
		f = "90" // Safe Harbor: ages over 89 fold into "90 or older"
	case TypeEmail:
		f = fmt.Sprintf("%s.%s@example.org", strings.ToLower(s.pick(s.lex.NameList)), strings.ToLower(s.pick(s.lex.NameList)))
	case TypeURL:
		f = fmt.Sprintf("https://example.org/%s", s.scramble("a9a9a9"))
	case TypeIP:
		f = fmt.Sprintf("192.0.2.%d", 1+s.rng.IntN(254)) // TEST-NET-1, never routable
	default: // PHONE, ID, OTHER: same shape, other characters
		f = s.scramble(v)
	}
	s.whole[key] = f
	return f
}

func (s *surrogater) pick(list []string) string {
	if len(list) == 0 {
		return "X"
	}
	return list[s.rng.IntN(len(list))]
}

// scramble replaces every digit and letter by a random one of the same kind and case.
func (s *surrogater) scramble(v string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			b.WriteByte(byte('0' + s.rng.IntN(10)))
		case unicode.IsUpper(r):
			b.WriteByte(byte('A' + s.rng.IntN(26)))
		case unicode.IsLetter(r):
			b.WriteByte(byte('a' + s.rng.IntN(26)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// name maps each word to a fake name word, keeping initials short and case style.
func (s *surrogater) name(v string) string {
	var b strings.Builder
	word := []rune{}
	flush := func() {
		if len(word) == 0 {
			return
		}
		w := string(word)
		k := strings.ToLower(w)
		f, ok := s.words[k]
		if !ok {
			if len(word) == 1 {
				f = string(rune('A' + s.rng.IntN(26)))
			} else {
				f = s.pick(s.lex.NameList)
			}
			s.words[k] = f
		}
		if isUpperWord(w) {
			f = strings.ToUpper(f)
		}
		b.WriteString(f)
		word = word[:0]
	}
	for _, r := range v {
		if unicode.IsLetter(r) {
			word = append(word, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

func isUpperWord(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			letters++
			if !unicode.IsUpper(r) {
				return false
			}
		}
	}
	return letters > 1
}

// location: streets keep their number shape and suffix, organisations their
// head word ("Hospital"), ZIP codes their length; anything else becomes a city.
func (s *surrogater) location(v string) string {
	words := strings.Fields(v)
	if len(words) == 0 {
		return v
	}
	if strings.IndexFunc(v, unicode.IsLetter) < 0 {
		return s.scramble(v)
	}
	last := strings.ToLower(strings.Trim(words[len(words)-1], ".,"))
	if unicode.IsDigit([]rune(words[0])[0]) {
		suffix := words[len(words)-1]
		if !streetSuffixes[last] {
			suffix = "Street"
		}
		return s.scramble(words[0]) + " " + s.pick(s.lex.NameList) + " " + suffix
	}
	for i, w := range words {
		if orgHeads[strings.ToLower(w)] || orgWords[strings.ToLower(w)] && i > 0 {
			return s.pick(s.lex.NameList) + " " + strings.Join(words[i:], " ")
		}
	}
	return s.pick(s.lex.CityList)
}

var dateLayouts = []string{
	"2006-01-02", "01/02/2006", "1/2/2006", "01/02/06", "1/2/06", "01-02-2006", "1-2-2006",
	"01-02-06", "1-2-06", "01.02.2006", "01.02.06", "1.2.06", "January 2, 2006", "January 2 2006",
	"Jan 2, 2006", "Jan 2 2006", "Jan. 2, 2006", "2 January 2006", "2 Jan 2006", "January 2006",
	"Jan 2006", "January 2", "Jan 2", "Jan. 2", "2 Jan", "01/2006", "1/2006", "01/02", "1/2",
}

// date shifts a date by the note's offset and writes it in its own layout;
// one it cannot read becomes "[DATE]" rather than leak.
func (s *surrogater) date(v string) string {
	clean, ord := stripOrdinal(v)
	for _, layout := range dateLayouts {
		t, err := time.Parse(layout, clean)
		if err != nil {
			continue
		}
		noYear := !strings.Contains(layout, "2006") && !strings.Contains(layout, "06")
		if noYear {
			t = t.AddDate(2000, 0, 0) // a leap year, so "Feb 29" parses
		}
		shifted := t.AddDate(0, 0, s.shift)
		if layout == "January 2006" || layout == "Jan 2006" || layout == "01/2006" || layout == "1/2006" {
			shifted = t.AddDate(0, s.shift/30, 0)
		}
		out := shifted.Format(layout)
		if ord {
			out += OrdinalSuffix(shifted.Day())
		}
		return out
	}
	for i, d := range []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"} {
		if strings.EqualFold(v, d) {
			return time.Weekday((i + s.shift%7 + 7) % 7).String()
		}
	}
	return "[DATE]"
}

// stripOrdinal turns "Jan 3rd" into "Jan 3" and reports whether it did.
func stripOrdinal(v string) (string, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if i := strings.LastIndex(v, suf); i > 0 && unicode.IsDigit(rune(v[i-1])) && (i+2 == len(v) || !unicode.IsLetter(rune(v[i+2]))) {
			return v[:i] + v[i+2:], true
		}
	}
	return v, false
}

// OrdinalSuffix returns "st", "nd", "rd" or "th" for a day of the month.
func OrdinalSuffix(d int) string {
	switch {
	case d%10 == 1 && d != 11:
		return "st"
	case d%10 == 2 && d != 12:
		return "nd"
	case d%10 == 3 && d != 13:
		return "rd"
	}
	return "th"
}
