package deid

import (
	"unicode"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Token kinds.
const (
	kWord  uint8 = iota + 1 // letters (and inner apostrophes)
	kNum                    // digits only
	kAlnum                  // letters and digits mixed
	kPunct                  // one other non-space character
)

// token is one word, number or punctuation mark; s and e are byte offsets.
type token struct {
	s, e  int
	ndig  int32         // number of digits
	kw    uint32        // keyword sets (keywords.go)
	flags lexicon.Flags // lexicon flags of the lower-cased word
	kind  uint8
	sp    bool  // whitespace before it
	nl    bool  // a line break before it (or start of text)
	cap   bool  // first character is an upper-case letter
	upper bool  // every letter is upper case (and there are two or more)
	cand  uint8 // memo of scan.candidate: 0 not computed, 1 yes, 2 no
}

// tokenize splits text into tokens and looks each word up in the lexicon.
// It lower-cases ASCII words into buf to avoid allocating per word.
func tokenize(text string, toks []token, vocab *lexicon.Table, cache *vocabCache) []token {
	toks = toks[:0]
	var buf [64]byte
	sp, nl := true, true
	i := 0
	for i < len(text) {
		c := text[i]
		if k := byteClass[c]; k != bNonASCII {
			switch k {
			case bSpace:
				sp = true
				i++
				continue
			case bNewline:
				sp, nl = true, true
				i++
				continue
			case bPunct:
				toks = append(toks, token{s: i, e: i + 1, kind: kPunct, sp: sp, nl: nl})
				sp, nl = false, false
				i++
				continue
			}
			// a letter or digit: the word scanner below
		} else {
			r, size := utf8.DecodeRuneInString(text[i:])
			if unicode.IsSpace(r) {
				sp = true
				i += size
				continue
			}
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				toks = append(toks, token{s: i, e: i + size, kind: kPunct, sp: sp, nl: nl})
				sp, nl = false, false
				i += size
				continue
			}
		}
		// A word: letters/digits, with inner apostrophes ("O'Brien", "Mary's").
		t := token{s: i, sp: sp, nl: nl}
		sp, nl = false, false
		letters, uppers, n := 0, 0, 0
		ascii := true
		first := true
		for i < len(text) {
			c := text[i]
			// ASCII letters and digits, the common case: what the general
			// path below does for them, without the Unicode tables
			if k := byteClass[c]; k >= bDigit && k <= bLower {
				switch k {
				case bDigit:
					t.ndig++
				case bUpper:
					// "0937884Date": a capitalised word glued to digits starts a new token
					if t.ndig > 0 && letters == 0 && i+1 < len(text) {
						if nr, _ := utf8.DecodeRuneInString(text[i+1:]); unicode.IsLower(nr) {
							goto done
						}
					}
					letters++
					uppers++
					if first {
						t.cap = true
					}
					c += 'a' - 'A'
				default:
					letters++
				}
				if n < len(buf) {
					buf[n] = c
				}
				n++
				first = false
				i++
				continue
			}
			var r rune
			size := 1
			if c < utf8.RuneSelf {
				r = rune(c)
			} else {
				r, size = utf8.DecodeRuneInString(text[i:])
				ascii = false
			}
			if r == '\'' || r == '’' {
				// keep an apostrophe only between letters, and not before a
				// possessive "s" ("Doe's" is "Doe" + "'" + "s")
				if i+size < len(text) && letters > 0 {
					nr, _ := utf8.DecodeRuneInString(text[i+size:])
					possessive := (nr == 's' || nr == 'S') && (i+size+1 >= len(text) || !isASCIIAlnum(text[i+size+1]))
					if unicode.IsLetter(nr) && !possessive {
						if n < len(buf) && r == '\'' {
							buf[n] = '\''
						}
						n++
						i += size
						continue
					}
				}
				break
			}
			// "0937884Date": a capitalised word glued to digits starts a new token
			if t.ndig > 0 && letters == 0 && unicode.IsUpper(r) && i+size < len(text) {
				if nr, _ := utf8.DecodeRuneInString(text[i+size:]); unicode.IsLower(nr) {
					goto done
				}
			}
			switch {
			case '0' <= r && r <= '9':
				t.ndig++
			case unicode.IsLetter(r):
				letters++
				if unicode.IsUpper(r) {
					uppers++
					if first {
						t.cap = true
					}
				}
			case unicode.IsDigit(r):
				t.ndig++
			default:
				goto done
			}
			if n < len(buf) && r < utf8.RuneSelf {
				b := byte(r)
				if 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				buf[n] = b
			}
			n++
			first = false
			i += size
		}
	done:
		t.e = i
		switch {
		case letters == 0:
			t.kind = kNum
		case t.ndig == 0:
			t.kind = kWord
		default:
			t.kind = kAlnum
		}
		t.upper = letters >= 2 && uppers == letters
		if t.kind == kWord {
			// Every word gets its lexicon flags (the safe vocabulary decides
			// what is a PHI candidate) and, when it can be one, its keyword bits.
			// m[string(b)] does not allocate; keep the conversion inside the index.
			if ascii && n <= len(buf) {
				t.flags, t.kw = cache.lookup(vocab, hashBytes(buf[:n]), maybeKeyword(buf[:n]))
			} else {
				t.flags, t.kw = cache.lookup(vocab, wordHash(lowerString(text[t.s:t.e])), true)
			}
		}
		toks = append(toks, t)
	}
	return toks
}

func isASCIIAlnum(c byte) bool {
	k := byteClass[c]
	return k >= bDigit && k <= bLower
}

// Byte classes of tokenize (byteClass).
const (
	bPunct    = iota // any other ASCII byte
	bSpace           // ' ', '\t', '\r', '\f', '\v'
	bNewline         // '\n'
	bDigit           // 0-9
	bUpper           // A-Z
	bLower           // a-z
	bNonASCII        // 0x80 and above: decoded as UTF-8
)

// byteClass classifies every byte value, so that tokenize's ASCII path is
// one table load per byte.
var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		switch b := byte(c); {
		case b >= utf8.RuneSelf:
			t[c] = bNonASCII
		case b == ' ' || b == '\t' || b == '\r' || b == '\f' || b == '\v':
			t[c] = bSpace
		case b == '\n':
			t[c] = bNewline
		case '0' <= b && b <= '9':
			t[c] = bDigit
		case 'A' <= b && b <= 'Z':
			t[c] = bUpper
		case 'a' <= b && b <= 'z':
			t[c] = bLower
		}
	}
	return t
}()

func lowerString(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '’' {
			r = '\''
		}
		out = append(out, unicode.ToLower(r))
	}
	return string(out)
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// wordHash is 64-bit FNV-1a of s.
func wordHash(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

func hashBytes(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

// vocabCache remembers the flags and keyword bits of recently seen words
// (direct-mapped by hash): most words of a note are frequent ones ("the",
// "pt", "and"), and a hit costs one load instead of a search of the large
// table and a map look-up.
type vocabCache [cacheSize]struct {
	key   uint64
	kw    uint32
	flags lexicon.Flags
}

const cacheSize = 4096

// lookup returns the flags and (when kw, the word can be a keyword) the
// keyword bits of the word whose hash is h. Whether a word can be a keyword
// depends on the word alone, so a cached answer stays right.
func (c *vocabCache) lookup(vocab *lexicon.Table, h uint64, kw bool) (lexicon.Flags, uint32) {
	e := &c[h&(cacheSize-1)]
	if e.key == h && h != 0 {
		return e.flags, e.kw
	}
	e.key, e.flags, e.kw = h, vocab.LookupHash(h), 0
	if kw {
		e.kw = keywordHash[h]
	}
	return e.flags, e.kw
}
