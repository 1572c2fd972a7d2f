package deid

import (
	"math"
	"math/bits"
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
	kw    uint32        // keyword sets (keywords.go)
	ndig  uint16        // number of digits (more than 65,535 count as 65,535)
	flags lexicon.Flags // lexicon flags of the lower-cased word
	// wid: the number of the word in the rules' word sets and extra sets
	// (wordSet and xbits, keywords.go), 0 for a word in none; of ASCII
	// words only
	wid   uint16
	kind  uint8
	sp    bool // whitespace before it
	nl    bool // a line break before it (or start of text)
	cap   bool // first character is an upper-case letter
	upper bool // every letter is upper case (and there are two or more)
	// aux: of a word, the memo of scan.candidate (0 not computed, 1 yes,
	// 2 no); of a punctuation mark, its first byte (scan.punct)
	aux uint8
}

// tokenize splits text into tokens and looks each word up in the lexicon;
// low is text with ASCII letters lower-cased (appendLowerASCII), where an
// ASCII word's key is read without a copy.
func tokenize(text, low string, toks []token, vocab *lexicon.Table, cache *vocabCache) []token {
	toks = toks[:0]
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
				toks = append(toks, token{s: i, e: i + 1, kind: kPunct, sp: sp, nl: nl, aux: c})
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
				toks = append(toks, token{s: i, e: i + size, kind: kPunct, sp: sp, nl: nl, aux: c})
				sp, nl = false, false
				i += size
				continue
			}
		}
		// A word: letters/digits, with inner apostrophes ("O'Brien", "Mary's").
		t := token{s: i, sp: sp, nl: nl}
		sp, nl = false, false
		letters, uppers, ndig := 0, 0, 0
		ascii := true
		first := true
		if k := byteClass[c]; (k == bUpper || k == bLower) && i+8 <= len(text) {
			// A word that starts with an ASCII letter ("0937884Date" cannot
			// split it): its run of ASCII letters and digits, eight bytes at
			// a time, as the byte loop below counts them.
			t.cap, first = k == bUpper, false
			for i+8 <= len(text) {
				up, lo, dig := asciiClasses(load64(text, i))
				if all := up | lo | dig; all != highBits {
					m := highBits &^ all
					m &= -m      // the high bit of the first other byte
					m = m>>7 - 1 // the bytes before it
					up, lo, dig = up&m, lo&m, dig&m
					letters += bits.OnesCount64(up | lo)
					uppers += bits.OnesCount64(up)
					ndig += bits.OnesCount64(dig)
					i += bits.TrailingZeros64(m+1) >> 3
					// an ASCII byte other than an apostrophe ends the word (as
					// below); an apostrophe or a non-ASCII letter goes on there
					if c := text[i]; c < utf8.RuneSelf && c != '\'' {
						goto done
					}
					break
				}
				letters += bits.OnesCount64(up | lo)
				uppers += bits.OnesCount64(up)
				ndig += bits.OnesCount64(dig)
				i += 8
			}
		}
		for i < len(text) {
			c := text[i]
			// ASCII letters and digits, the common case: what the general
			// path below does for them, without the Unicode tables
			if k := byteClass[c]; k >= bDigit && k <= bLower {
				switch k {
				case bDigit:
					ndig++
				case bUpper:
					// "0937884Date": a capitalised word glued to digits starts a new token
					if ndig > 0 && letters == 0 && lowerAt(text, i+1) {
						goto done
					}
					letters++
					uppers++
					if first {
						t.cap = true
					}
				default:
					letters++
				}
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
				if innerApostrophe(text, i+size, letters) {
					i += size
					continue
				}
				break
			}
			if ndig > 0 && letters == 0 && unicode.IsUpper(r) && lowerAt(text, i+size) {
				goto done // "0937884Date"
			}
			switch {
			case '0' <= r && r <= '9':
				ndig++
			case unicode.IsLetter(r):
				letters++
				if unicode.IsUpper(r) {
					uppers++
					if first {
						t.cap = true
					}
				}
			case unicode.IsDigit(r):
				ndig++
			default:
				goto done
			}
			first = false
			i += size
		}
	done:
		t.e = i
		switch {
		case letters == 0:
			t.kind = kNum
		case ndig == 0:
			t.kind = kWord
		default:
			t.kind = kAlnum
		}
		t.ndig = uint16(min(ndig, math.MaxUint16))
		t.upper = letters >= 2 && uppers == letters
		if t.kind == kWord {
			// Every word gets its lexicon flags (the safe vocabulary decides
			// what is a PHI candidate) and, when it can be one, its keyword bits.
			// An ASCII word (letters, digits, inner "'") is its slice of low.
			if ascii && t.e-t.s <= maxASCIIWord {
				w := low[t.s:t.e]
				t.flags, t.kw, t.wid = cache.lookup(vocab, wordHash(w), w)
			} else {
				t.flags, t.kw, t.wid = cache.lookup(vocab, wordHash(lowerString(text[t.s:t.e])), "")
				if !ascii && !isASCII(text[t.s:t.e]) {
					t.wid = 0 // (ascii is false after a word that a non-ASCII rune ends, too)
				}
			}
		}
		toks = append(toks, t)
	}
	return toks
}

// maxASCIIWord: longer ASCII words are keyed as the others are (the same
// key: lowerString of an ASCII word is its lower-cased slice).
const maxASCIIWord = 64

// highBits has the high bit of each of eight bytes.
const highBits = 0x8080808080808080

// load64 is the eight bytes of s from i, little-endian (one load).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// asciiClasses returns, for the eight bytes of x, the high bit of each
// byte that is an upper-case ASCII letter, a lower-case one, a digit.
func asciiClasses(x uint64) (up, lo, dig uint64) {
	const ones = 0x0101010101010101
	h := x &^ highBits // each byte's low seven bits: no carry between bytes below
	keep := ^x & highBits
	// high bit: byte >= the first of a range, and not > its last
	up = (h + (0x80-'A')*ones) &^ (h + (0x80-'Z'-1)*ones) & keep
	lo = (h + (0x80-'a')*ones) &^ (h + (0x80-'z'-1)*ones) & keep
	dig = (h + (0x80-'0')*ones) &^ (h + (0x80-'9'-1)*ones) & keep
	return up, lo, dig
}

// innerApostrophe: the apostrophe that ends at j (after letters letters of
// a word) stays in the word: a letter follows, and not a possessive "s"
// ("O'Brien" is one word, "Doe's" is "Doe" + "'" + "s").
func innerApostrophe(text string, j, letters int) bool {
	if j >= len(text) || letters == 0 {
		return false
	}
	nr, _ := utf8.DecodeRuneInString(text[j:])
	possessive := (nr == 's' || nr == 'S') && (j+1 >= len(text) || !isASCIIAlnum(text[j+1]))
	return unicode.IsLetter(nr) && !possessive
}

// lowerAt: a lower-case letter starts at j.
func lowerAt(text string, j int) bool {
	if j >= len(text) {
		return false
	}
	nr, _ := utf8.DecodeRuneInString(text[j:])
	return unicode.IsLower(nr)
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

// vocabCache remembers the flags and keyword bits of recently seen words,
// two per set (the set chosen by hash, the word last found first): most
// words of a note are frequent ones ("the", "pt", "and"), and a hit costs
// one or two loads instead of a search of the large table and a map look-up.
type vocabCache [cacheSets][2]vocabEntry

// vocabEntry is one word of vocabCache: its hash and its answers.
type vocabEntry struct {
	key   uint64
	kw    uint32
	flags lexicon.Flags
	wid   uint16
}

// cacheSets: vocabCache holds 2*cacheSets words (256 KiB).
const cacheSets = 8192

// lookup returns the flags and (when the word can be a keyword) the keyword
// bits and the word-set number of the word whose hash is h. w is the word
// when it is ASCII (maybeKeyword then says whether it can be one), "" when
// any word can be.
// Whether a word can be a keyword depends on the word alone, so a cached
// answer stays right.
func (c *vocabCache) lookup(vocab *lexicon.Table, h uint64, w string) (lexicon.Flags, uint32, uint16) {
	set := &c[h&(cacheSets-1)]
	if e := &set[0]; e.key == h && h != 0 {
		return e.flags, e.kw, e.wid
	}
	if e := set[1]; e.key == h && h != 0 {
		set[0], set[1] = e, set[0]
		return e.flags, e.kw, e.wid
	}
	e := vocabEntry{key: h, flags: vocab.LookupHash(h)}
	if w == "" || maybeKeyword(w) {
		b := keywordHash[h]
		e.kw, e.wid = uint32(b), uint16(b>>48)
	}
	set[0], set[1] = e, set[0]
	return e.flags, e.kw, e.wid
}
