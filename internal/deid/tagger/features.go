package tagger

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Features are 64-bit FNV-1a hashes of a template id and its values, so
// no string is built per feature.

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

type fh uint64

func newF(template byte) fh { return (fnvOffset ^ fh(template)) * fnvPrime }

func (h fh) s(s string) fh {
	for i := 0; i < len(s); i++ {
		h = (h ^ fh(s[i])) * fnvPrime
	}
	return (h ^ 0xff) * fnvPrime
}

func (h fh) b(v byte) fh { return (h ^ fh(v)) * fnvPrime }

// Note casing, a property of the writer, decides what a capital letter means.
const (
	noteMixed byte = iota
	noteUpper
	noteLower
)

func noteCasing(toks []token) byte {
	up, low := 0, 0
	for _, t := range toks {
		for i := 0; i < len(t.text); i++ {
			c := t.text[i]
			switch {
			case 'A' <= c && c <= 'Z':
				up++
			case 'a' <= c && c <= 'z':
				low++
			case c >= utf8.RuneSelf:
				for _, r := range t.text[i:] {
					if unicode.IsUpper(r) {
						up++
					} else if unicode.IsLower(r) {
						low++
					}
				}
				i = len(t.text)
			}
		}
	}
	return casingOf(up, low)
}

// casingOf is the note casing for up upper- and low lower-case letters.
func casingOf(up, low int) byte {
	switch {
	case up+low == 0:
		return noteMixed
	case up*10 >= (up+low)*9:
		return noteUpper
	case low*100 >= (up+low)*97:
		return noteLower
	}
	return noteMixed
}

// wordInfo is what the features know of one token, computed once per note.
type wordInfo struct {
	lower string
	shape string // Xx, X, x, d, with punctuation kept: "Xx", "d/d", "x.x"
	caseC byte   // 0 other, 1 title, 2 upper, 3 lower, 4 mixed
	lex   lexicon.Flags
	known bool // in the vocabulary: the word itself is a feature
	alpha bool
	digit bool
	nonAS bool // has a letter outside ASCII
	n     int  // code points
}

func (m *Model) info(t token) wordInfo {
	w := wordInfo{lower: strings.ToLower(t.text), n: t.end - t.start}
	w.shape = shape(t.text)
	r0, _ := utf8.DecodeRuneInString(t.text)
	w.alpha = unicode.IsLetter(r0)
	w.digit = unicode.IsDigit(r0)
	if w.alpha {
		up, low := 0, 0
		for _, r := range t.text {
			if unicode.IsUpper(r) {
				up++
			} else if unicode.IsLower(r) {
				low++
			}
			if r >= 0x80 {
				w.nonAS = true
			}
		}
		switch {
		case low == 0:
			w.caseC = 2
		case up == 0:
			w.caseC = 3
		case up == 1 && unicode.IsUpper(r0):
			w.caseC = 1
		default:
			w.caseC = 4
		}
		w.lex = lexicon.Vocab().Lookup(w.lower) & lexicon.WordFlags
		if w.lex&lexicon.CuratedName != 0 {
			// the model was trained before the curated names: it reads
			// "Garcia" as it always did, the rules read it as a name
			w.lex &^= lexicon.Name | lexicon.CuratedName
		}
	}
	// Punctuation is always known; a number never is (its digits are
	// noise: only its shape and length generalise); a word is known when
	// the lexicon calls it common or the training corpus used it often
	// outside PHI.
	switch {
	case w.digit:
	case !w.alpha:
		w.known = true
	default:
		w.known = w.lex&lexicon.Common != 0 || m.inVocab(uint32(newF('v').s(w.lower)))
	}
	return w
}

// shape maps letters to X/x and digits to d, collapsing repeated letters
// but keeping up to five digits of a number: "Smith" → "Xx", "9/7" → "d/d",
// "MSO4" → "Xd", "0137" → "dddd".
func shape(s string) string {
	var b [16]byte
	n := 0
	var last byte
	run := 0
	for _, r := range s {
		var c byte
		switch {
		case unicode.IsUpper(r):
			c = 'X'
		case unicode.IsLetter(r):
			c = 'x'
		case unicode.IsDigit(r):
			c = 'd'
		case r < 0x80:
			c = byte(r)
		default:
			c = '?'
		}
		if c == last {
			run++
			if c != 'd' || run >= 5 {
				continue
			}
		} else {
			run = 0
		}
		last = c
		if n < len(b) {
			b[n] = c
			n++
		}
	}
	return string(b[:n])
}

// staticFeatures appends the features of token i that do not depend on the
// tags before it: those of the word itself, those of each neighbour at
// distance -2..2, and those of pairs and line breaks.
func staticFeatures(out []fh, ws []wordInfo, toks []token, i int, casing byte) []fh {
	out = unigramFeatures(out, ws[i], casing)
	for d := -2; d <= 2; d++ {
		if d == 0 {
			continue
		}
		if j := i + d; j < 0 || j >= len(ws) {
			out = append(out, boundaryFeature(d))
		} else {
			out = neighbourFeatures(out, ws[j], d)
		}
	}
	return pairFeatures(out, ws, toks, i)
}

// unigramFeatures depend only on the word and the note's casing, so their
// weights can be summed once per word (see wordCache).
func unigramFeatures(out []fh, w wordInfo, casing byte) []fh {
	out = append(out, newF('b'))
	if w.known {
		out = append(out, newF('w').s(w.lower))
	} else {
		out = append(out, newF('u').b(w.caseC).b(casing))
		if w.n >= 3 {
			out = append(out, newF('S').s(suffix(w.lower, 3)), newF('P').s(prefix(w.lower, 3)))
		}
	}
	out = append(out,
		newF('s').s(w.shape),
		newF('c').b(w.caseC).b(casing),
		newF('l').b(byte(w.lex)).b(w.caseC).b(casing),
		newF('L').b(byte(w.lex)),
	)
	if w.nonAS {
		out = append(out, newF('A'))
	}
	if w.digit {
		out = append(out, newF('d').b(byte(min(w.n, 12))))
	} else if w.alpha {
		out = append(out, newF('n').b(byte(min(w.n, 10))).b(w.caseC))
	}
	return out
}

// neighbourFeatures are those of word v seen at distance d; they too
// depend on the word alone.
func neighbourFeatures(out []fh, v wordInfo, d int) []fh {
	if v.known {
		out = append(out, newF('W').b(byte(d+2)).s(v.lower))
	} else {
		out = append(out, newF('U').b(byte(d+2)).b(v.caseC).b(byte(v.lex)))
	}
	return append(out, newF('H').b(byte(d+2)).s(v.shape))
}

// boundaryFeature marks a neighbour position outside the note.
func boundaryFeature(d int) fh { return newF('E').b(byte(d + 2)) }

// pairFeatures depend on token i with its neighbours and line breaks.
func pairFeatures(out []fh, ws []wordInfo, toks []token, i int) []fh {
	w, t := ws[i], toks[i]
	if t.nl {
		out = append(out, newF('N').b(w.caseC))
	}
	if !t.space && i > 0 {
		out = append(out, newF('g').s(ws[i-1].shape)) // glued to the previous token
	}
	for _, d := range []int{-1, 1} {
		j := i + d
		if j < 0 || j >= len(ws) {
			continue
		}
		v := ws[j]
		out = append(out, newF('C').b(byte(d+2)).b(v.caseC).b(w.caseC).b(byte(v.lex&(lexicon.Name|lexicon.Common))).b(byte(w.lex&(lexicon.Name|lexicon.Common))))
		if toks[max(i, j)].nl {
			out = append(out, newF('B').b(byte(d+2)))
		}
	}
	if i > 0 {
		p := ws[i-1]
		pw := p.shape
		if p.known {
			pw = p.lower
		}
		out = append(out, newF('Q').s(pw).s(w.shape))
		if i > 1 {
			pp := ws[i-2]
			ppw := pp.shape
			if pp.known {
				ppw = pp.lower
			}
			out = append(out, newF('R').s(ppw).s(pw))
		}
	}
	if i+1 < len(ws) {
		nx := ws[i+1]
		nw := nx.shape
		if nx.known {
			nw = nx.lower
		}
		out = append(out, newF('Z').s(w.shape).s(nw))
	}
	return out
}

// tagFeatures appends the features that depend on the two tags before token i.
func tagFeatures(out []fh, ws []wordInfo, i int, p1, p2 uint8) []fh {
	return append(out,
		newF('t').b(p1),
		newF('T').b(p1).b(p2),
		newF('x').b(p1).s(ws[i].shape).b(ws[i].caseC),
	)
}

func suffix(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[len(r)-n:])
}

func prefix(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
