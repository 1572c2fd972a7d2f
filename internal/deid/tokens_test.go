package deid

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// TestTokenizeMatchesRef: the tokenizer, with its byte-class and
// eight-bytes-at-a-time paths for ASCII and its cache, gives the tokens
// (offsets, kinds, digit counts, case, lexicon flags and keyword bits) of a
// plain rune-at-a-time reference, on the development
// notes in every letter case and on random text made of the bytes that
// decide a token's end (letters, digits, apostrophes, non-ASCII letters,
// spaces, punctuation) at every offset around the eight-byte steps.
func TestTokenizeMatchesRef(t *testing.T) {
	var texts []string
	for _, f := range []string{"testdata/realstyle/dev.txt", "testdata/realstyle/dev2.txt", "testdata/handwritten.txt"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		texts = append(texts, s, strings.ToUpper(s), strings.ToLower(s))
	}
	pieces := []string{"a", "Z", "q", "M", "0", "7", "'", "’", "é", "Þ", "ß", " ", "\n", ".", "-", "s", "S", "\t", "Date", "0937884", "x"}
	r := rand.New(rand.NewPCG(7, 8))
	for range 30000 {
		var b strings.Builder
		for range r.IntN(40) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	texts = append(texts, strings.Repeat("abcdefgh", 20), strings.Repeat("ABCD1234", 20)+"'s", "x"+strings.Repeat("9", 70),
		strings.Repeat("7", 70000), "b"+strings.Repeat("7", 70000)) // digit counts past 65,535
	for _, text := range texts {
		checkTokenize(t, text)
	}
}

// FuzzTokenize: on any input the tokenizer gives the reference's tokens.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Pt Zebulon Quaxley's BP 120/80", "0937884Date", "O'Brien’s", "HAFÞÓR Júlia", strings.Repeat("a1B", 9)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkTokenize(t, s) })
}

func checkTokenize(t *testing.T, text string) {
	t.Helper()
	low, _ := appendLowerASCII(nil, text)
	var cache vocabCache
	vocab := lexicon.Vocab()
	got := tokenize(text, string(low), nil, vocab, &cache)
	want := tokenizeRef(text, vocab)
	if len(got) != len(want) {
		t.Fatalf("%q: %d tokens, reference %d", text, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%q: token %d %+v, reference %+v", text, i, got[i], want[i])
		}
	}
}

// TestExtraWordsPassGate: every word of an extra set that can be a word
// token passes maybeKeyword, so that tokenize looks its bits up ("=" in
// levelWords is punctuation).
func TestExtraWordsPassGate(t *testing.T) {
	for w := range extraBits {
		if w != "=" && !maybeKeyword(w) {
			t.Errorf("%q: maybeKeyword is false", w)
		}
	}
	if len(extraBits) < 300 {
		t.Fatalf("only %d extra words", len(extraBits))
	}
}

// TestWordSetsAreWords: every word of a word set that can be one token is
// a word token of ASCII letters that passes maybeKeyword, so that tokenize
// gives it its number and scan.inSet answers what the set's map answers
// for any token ("on-call", three tokens, is no token's text either way).
func TestWordSetsAreWords(t *testing.T) {
	vocab := lexicon.Vocab()
	for _, x := range wordSetMaps {
		for w, ok := range x.words {
			if !ok {
				continue
			}
			toks := tokenize(w, strings.ToLower(w), nil, vocab, new(vocabCache))
			if len(toks) > 1 && w == strings.ToLower(w) {
				continue
			}
			if w != strings.ToLower(w) || !isASCII(w) || len(toks) != 1 || toks[0].kind != kWord || toks[0].e-toks[0].s != len(w) || !maybeKeyword(w) {
				t.Errorf("%q: no lower-case ASCII word token that passes maybeKeyword", w)
				continue
			}
			if !x.set.has(toks[0].wid) {
				t.Errorf("%q: not in its word set by its token's number", w)
			}
		}
	}
	if len(wordIDs) >= 1<<16 {
		t.Fatalf("%d word-set words: more than a token's number holds", len(wordIDs))
	}
	for w, id := range wordIDs {
		if got := uint16(keywordHash[wordHash(w)] >> 48); got != id || extraOf[id] != extraBits[w] {
			t.Errorf("%q: number %d and extra bits %#x by its hash, want %d and %#x", w, got, extraOf[got], id, extraBits[w])
		}
	}
}

// tokenizeRef is tokenize one rune at a time with the Unicode tables and
// no cache: the reference of TestTokenizeMatchesRef. An ASCII word's number
// is wordIDs of its lower case (its extra bits extraOf of the number:
// TestWordSetsAreWords).
func tokenizeRef(text string, vocab *lexicon.Table) []token {
	var toks []token
	sp, nl := true, true
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsSpace(r):
			sp, nl = true, nl || r == '\n'
			i += size
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			t := refWord(text, i, vocab)
			t.sp, t.nl = sp, nl
			if w := text[t.s:t.e]; t.kind == kWord && isASCII(w) {
				t.wid = wordIDs[strings.ToLower(w)]
			}
			toks = append(toks, t)
			sp, nl, i = false, false, t.e
		default:
			toks = append(toks, token{s: i, e: i + size, kind: kPunct, sp: sp, nl: nl, aux: text[i]})
			sp, nl, i = false, false, i+size
		}
	}
	return toks
}

// refInnerApostrophe states the rule plainly (not the tokenizer's helper):
// an apostrophe stays inside a word when letters came before it and a
// letter follows that does not start a possessive 's.
func refInnerApostrophe(text string, j, letters int) bool {
	if j >= len(text) || letters == 0 {
		return false
	}
	nr, _ := utf8.DecodeRuneInString(text[j:])
	if nr == 's' || nr == 'S' {
		if j+1 >= len(text) {
			return false
		}
		c := text[j+1]
		if '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			return true
		}
		return false
	}
	return unicode.IsLetter(nr)
}

// refLowerAt: a lower-case letter starts at j.
func refLowerAt(text string, j int) bool {
	if j >= len(text) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(text[j:])
	return unicode.IsLower(r)
}

// refWord is the word token of tokenizeRef that starts at s.
func refWord(text string, s int, vocab *lexicon.Table) token {
	t := token{s: s, e: s}
	letters, uppers, ndig := 0, 0, 0
	for t.e < len(text) {
		r, size := utf8.DecodeRuneInString(text[t.e:])
		isApos := r == '\'' || r == '’'
		if isApos && !refInnerApostrophe(text, t.e+size, letters) ||
			!isApos && ndig > 0 && letters == 0 && unicode.IsUpper(r) && refLowerAt(text, t.e+size) ||
			!isApos && !unicode.IsDigit(r) && !unicode.IsLetter(r) {
			break
		}
		if unicode.IsDigit(r) {
			ndig++
		} else if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				uppers++
				t.cap = t.cap || t.e == s
			}
		}
		t.e += size
	}
	t.ndig = uint16(min(ndig, 65535))
	t.kind = kAlnum
	if letters == 0 {
		t.kind = kNum
	} else if ndig == 0 {
		t.kind = kWord
	}
	t.upper = letters >= 2 && uppers == letters
	if t.kind == kWord {
		w := lowerString(text[t.s:t.e])
		h := wordHash(w)
		t.flags = vocab.LookupHash(h)
		// keyword bits: an ASCII word (and what ends it) of up to 64 bytes
		// is looked up only when maybeKeyword says it can be one
		ascii := isASCII(text[t.s:t.e]) && (t.e == len(text) || text[t.e] < utf8.RuneSelf)
		if !ascii || len(w) > maxASCIIWord || maybeKeyword(w) {
			t.kw = uint32(keywordHash[h])
		}
	}
	return t
}

// TestValidUTF8 holds validUTF8 (Validate's check) to utf8.ValidString on
// every invalid and valid sequence at every offset around its 32-byte
// steps, and on the development notes.
func TestValidUTF8(t *testing.T) {
	pieces := []string{"é", "’", "\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "\U0010FFFF", "\uFFFD", "\x80"}
	texts := []string{"", "a", strings.Repeat("a", 32), strings.Repeat("a", 64)}
	for _, p := range pieces {
		for n := 0; n <= 70; n++ {
			a := strings.Repeat("x", n)
			texts = append(texts, a+p, a+p+strings.Repeat("y", 40), a+p+strings.Repeat("y", 40)+"\xff", a+"é"+strings.Repeat("z", 33)+p)
		}
	}
	if b, err := os.ReadFile("testdata/synth-500.jsonl"); err == nil {
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		if got, want := validUTF8(s), utf8.ValidString(s); got != want {
			t.Fatalf("validUTF8(%q) = %v, utf8.ValidString %v", s, got, want)
		}
	}
}

// FuzzValidUTF8: on any input validUTF8 says what utf8.ValidString says.
func FuzzValidUTF8(f *testing.F) {
	for _, s := range []string{"Pt Zebulon", strings.Repeat("abcdefgh", 5) + "\xff", strings.Repeat("é", 20), "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validUTF8(s), utf8.ValidString(s); got != want {
			t.Fatalf("validUTF8(%q) = %v, utf8.ValidString %v", s, got, want)
		}
	})
}
