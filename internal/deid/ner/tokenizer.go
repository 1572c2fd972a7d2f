package ner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid/ner/bytelevel"
)

// Token is one BPE token of a text with its code point offsets in that text
// (end exclusive). A token can cover part of a multi-byte character (byte-level
// BPE splits emoji); its offsets then widen to the whole character.
type Token struct {
	ID         int64
	Start, End int
}

// Tokenizer is a RoBERTa (GPT-2) byte-level BPE tokenizer loaded from a
// Hugging Face tokenizer.json.
type Tokenizer struct {
	vocab          map[string]int64
	ranks          map[[2]string]int
	byteSym        [256]string // byte → the printable symbol GPT-2 maps it to
	addPrefixSpace bool
	unk            int64 // -1 when the vocabulary has no unknown token
	BOS, EOS, PAD  int64
}

// maxPieceBytes bounds one pre-token before BPE: merging is quadratic in the
// piece length, and a megabyte without a space must not stall the server.
// Real words are far shorter, so this never changes a real note's tokens.
const maxPieceBytes = 128

type tokenizerJSON struct {
	AddedTokens []struct {
		ID      int64  `json:"id"`
		Content string `json:"content"`
	} `json:"added_tokens"`
	PreTokenizer *struct {
		Type           string `json:"type"`
		AddPrefixSpace bool   `json:"add_prefix_space"`
	} `json:"pre_tokenizer"`
	Model struct {
		Type     string           `json:"type"`
		UnkToken *string          `json:"unk_token"`
		Vocab    map[string]int64 `json:"vocab"`
		Merges   json.RawMessage  `json:"merges"`
	} `json:"model"`
}

// LoadTokenizer reads a tokenizer.json file.
func LoadTokenizer(path string) (*Tokenizer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read tokenizer: %w", err)
	}
	return ParseTokenizer(b)
}

// ParseTokenizer parses the contents of a tokenizer.json file. Only the
// byte-level BPE flavour RoBERTa uses is accepted.
func ParseTokenizer(data []byte) (*Tokenizer, error) {
	var tj tokenizerJSON
	if err := json.Unmarshal(data, &tj); err != nil {
		return nil, fmt.Errorf("parse tokenizer.json: %w", err)
	}
	if tj.Model.Type != "BPE" {
		return nil, fmt.Errorf("parse tokenizer.json: model type %q, want BPE", tj.Model.Type)
	}
	if tj.PreTokenizer == nil || tj.PreTokenizer.Type != "ByteLevel" {
		return nil, errors.New("parse tokenizer.json: pre_tokenizer must be ByteLevel (RoBERTa)")
	}
	if len(tj.Model.Vocab) == 0 {
		return nil, errors.New("parse tokenizer.json: empty vocabulary")
	}
	t := &Tokenizer{
		vocab:          tj.Model.Vocab,
		ranks:          map[[2]string]int{},
		addPrefixSpace: tj.PreTokenizer.AddPrefixSpace,
		unk:            -1,
		BOS:            -1, EOS: -1, PAD: -1,
	}
	for _, at := range tj.AddedTokens {
		if _, ok := t.vocab[at.Content]; !ok {
			t.vocab[at.Content] = at.ID
		}
	}
	lookup := func(s string) int64 {
		if id, ok := t.vocab[s]; ok {
			return id
		}
		return -1
	}
	t.BOS, t.EOS, t.PAD = lookup("<s>"), lookup("</s>"), lookup("<pad>")
	if t.BOS < 0 || t.EOS < 0 || t.PAD < 0 {
		return nil, errors.New("parse tokenizer.json: vocabulary lacks <s>, </s> or <pad>")
	}
	if tj.Model.UnkToken != nil {
		t.unk = lookup(*tj.Model.UnkToken)
	}
	t.byteSym = bytelevel.Alphabet()
	for b, sym := range t.byteSym {
		if _, ok := t.vocab[sym]; !ok && t.unk < 0 {
			return nil, fmt.Errorf("parse tokenizer.json: byte 0x%02x has no token and there is no unknown token", b)
		}
	}
	merges, err := parseMerges(tj.Model.Merges)
	if err != nil {
		return nil, err
	}
	for i, m := range merges {
		if _, dup := t.ranks[m]; !dup {
			t.ranks[m] = i
		}
	}
	return t, nil
}

// parseMerges accepts both spellings of the merges list: "a b" strings (older
// tokenizers) and ["a","b"] pairs (tokenizers ≥ 0.20).
func parseMerges(raw json.RawMessage) ([][2]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var asStrings []string
	if err := json.Unmarshal(raw, &asStrings); err == nil {
		out := make([][2]string, 0, len(asStrings))
		for _, s := range asStrings {
			a, b, ok := strings.Cut(s, " ")
			if !ok || a == "" || b == "" {
				return nil, fmt.Errorf("parse tokenizer.json: bad merge %q", s)
			}
			out = append(out, [2]string{a, b})
		}
		return out, nil
	}
	var asPairs [][]string
	if err := json.Unmarshal(raw, &asPairs); err != nil {
		return nil, fmt.Errorf("parse tokenizer.json: merges: %w", err)
	}
	out := make([][2]string, 0, len(asPairs))
	for _, p := range asPairs {
		if len(p) != 2 {
			return nil, fmt.Errorf("parse tokenizer.json: merge with %d parts", len(p))
		}
		out = append(out, [2]string{p[0], p[1]})
	}
	return out, nil
}

// encoding accumulates the tokens of one text.
type encoding struct {
	t          *Tokenizer
	runeStarts []int32 // number of character starts in text[:i]
	total      int
	cache      map[string][]string
	out        []Token
}

func (t *Tokenizer) newEncoding(text string) *encoding {
	e := &encoding{t: t, runeStarts: make([]int32, len(text)+1), cache: map[string][]string{}}
	countRuneStarts(text, e.runeStarts)
	e.total = int(e.runeStarts[len(text)])
	return e
}

// floor is the index of the character containing byte b.
func (e *encoding) floor(b int) int {
	if b >= len(e.runeStarts)-1 {
		return e.total
	}
	return int(e.runeStarts[b+1]) - 1
}

// ceil is the index of the first character starting at or after byte b.
func (e *encoding) ceil(b int) int { return int(e.runeStarts[b]) }

// add runs BPE on piece, whose byte i stands for text byte base+i. Bytes
// before lo (a virtual space the tokenizer adds) map to lo, zero-width.
func (e *encoding) add(piece string, base, lo int) {
	syms, ok := e.cache[piece]
	if !ok {
		syms = e.t.bpe(piece)
		if len(e.cache) < 4096 {
			e.cache[piece] = syms
		}
	}
	off := base
	for _, s := range syms {
		nb := symBytes(s)
		bs, be := max(off, lo), max(off+nb, lo)
		off += nb
		for _, id := range e.t.ids(s) {
			e.out = append(e.out, Token{ID: id, Start: e.floor(bs), End: e.ceil(be)})
		}
	}
}

// Encode splits text into tokens (without <s> and </s>) with code point
// offsets into text, as the Hugging Face tokenizer does for running text.
func (t *Tokenizer) Encode(text string) []Token {
	e := t.newEncoding(text)
	src, shift := text, 0
	if t.addPrefixSpace && !strings.HasPrefix(text, " ") {
		src, shift = " "+text, 1
	}
	for _, p := range preTokenize(src) {
		for lo := p[0]; lo < p[1]; lo += maxPieceBytes {
			e.add(src[lo:min(lo+maxPieceBytes, p[1])], lo-shift, 0)
		}
	}
	return e.out
}

// Word is one whitespace- and punctuation-delimited word of a text: its code
// point range and the index of its first token.
type Word struct {
	Start, End int
	First      int
}

// EncodeWords tokenizes text the way robust-deid trained obi's models
// (is_split_into_words with add_prefix_space): the text is split into words
// (GPT-2's pre-tokens without whitespace), and each word is encoded on its
// own with a leading space, so every word starts with a "Ġ" token.
// Whitespace produces no tokens.
func (t *Tokenizer) EncodeWords(text string) ([]Token, []Word) {
	e := t.newEncoding(text)
	var words []Word
	for _, p := range preTokenize(text) {
		s, end := p[0], p[1]
		if text[s] == ' ' && end-s > 1 && !isSpaceRun(text[s:end]) {
			s++
		}
		if isSpaceRun(text[s:end]) {
			continue
		}
		w := Word{Start: e.floor(s), End: e.ceil(end), First: len(e.out)}
		for lo := s; lo < end; lo += maxPieceBytes {
			chunk := text[lo:min(lo+maxPieceBytes, end)]
			if lo == s {
				e.add(" "+chunk, lo-1, lo)
			} else {
				e.add(chunk, lo, lo)
			}
		}
		words = append(words, w)
	}
	return e.out, words
}

// isSpaceRun reports whether s is all white space (a pre-token of \s+).
func isSpaceRun(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// countRuneStarts fills runeStarts[i] with the number of character starts
// in text[:i]; a byte inside a character counts that character's start.
func countRuneStarts(text string, runeStarts []int32) {
	var n int32
	for i := 0; i < len(text); {
		_, w := utf8.DecodeRuneInString(text[i:])
		runeStarts[i] = n
		for k := 1; k < w; k++ {
			runeStarts[i+k] = n + 1
		}
		n++
		i += w
	}
	runeStarts[len(text)] = n
}

// symBytes is the number of text bytes a BPE symbol stands for: every code
// point of a symbol is one byte of the original text.
func symBytes(s string) int { return utf8.RuneCountInString(s) }

// ids maps a final BPE symbol to vocabulary ids; a symbol missing from the
// vocabulary falls back to its bytes, then to the unknown token.
func (t *Tokenizer) ids(sym string) []int64 {
	if id, ok := t.vocab[sym]; ok {
		return []int64{id}
	}
	var out []int64
	for _, r := range sym {
		if id, ok := t.vocab[string(r)]; ok {
			out = append(out, id)
		} else {
			out = append(out, t.unk)
		}
	}
	return out
}

// bpe applies the merges to one pre-token, lowest rank first.
func (t *Tokenizer) bpe(piece string) []string {
	syms := make([]string, 0, len(piece))
	for i := 0; i < len(piece); i++ {
		syms = append(syms, t.byteSym[piece[i]])
	}
	for len(syms) > 1 {
		best, at := -1, -1
		for i := 0; i+1 < len(syms); i++ {
			if r, ok := t.ranks[[2]string{syms[i], syms[i+1]}]; ok && (best < 0 || r < best) {
				best, at = r, i
			}
		}
		if at < 0 {
			break
		}
		a, b := syms[at], syms[at+1]
		merged := syms[:0:0]
		for i := 0; i < len(syms); i++ {
			if i+1 < len(syms) && syms[i] == a && syms[i+1] == b {
				merged = append(merged, a+b)
				i++
				continue
			}
			merged = append(merged, syms[i])
		}
		syms = merged
	}
	return syms
}

// preTokenize splits text like GPT-2's pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// and returns byte ranges. Go's regexp has no look-ahead, so the whitespace
// rule is written out: a run of spaces before a word leaves its last space to
// the word.
func preTokenize(text string) [][2]int {
	chars := make([]ch, 0, len(text))
	for i, r := range text {
		chars = append(chars, ch{r, i})
	}
	end := func(i int) int {
		if i >= len(chars) {
			return len(text)
		}
		return chars[i].off
	}
	class := func(i int) int {
		r := chars[i].r
		switch {
		case unicode.IsSpace(r):
			return clsSpace
		case unicode.IsLetter(r):
			return clsLetter
		case unicode.IsNumber(r):
			return clsNumber
		}
		return clsOther
	}
	var out [][2]int
	n := len(chars)
	for i := 0; i < n; {
		if chars[i].r == '\'' {
			if l := contraction(chars, i, n); l > 0 {
				out = append(out, [2]int{end(i), end(i + l)})
				i += l
				continue
			}
		}
		j := i
		if chars[i].r == ' ' && i+1 < n && class(i+1) != clsSpace {
			j = i + 1
		}
		if c := class(j); c != clsSpace {
			k := j + 1
			for k < n && class(k) == c {
				k++
			}
			out = append(out, [2]int{end(i), end(k)})
			i = k
			continue
		}
		k := i + 1
		for k < n && class(k) == clsSpace {
			k++
		}
		switch {
		case k == n || k-i == 1:
			out = append(out, [2]int{end(i), end(k)})
			i = k
		default:
			// \s+(?!\S) leaves the last whitespace character for the next
			// match (a word's optional space, or a lone \s+).
			out = append(out, [2]int{end(i), end(k - 1)})
			i = k - 1
		}
	}
	return out
}

const (
	clsSpace = iota
	clsLetter
	clsNumber
	clsOther
)

// ch is one character of a text and its byte offset.
type ch struct {
	r   rune
	off int
}

// contraction returns the length of the English contraction ('s, 'll, …)
// starting at chars[i], or 0.
func contraction(chars []ch, i, n int) int {
	for _, c := range []string{"re", "ve", "ll", "s", "t", "m", "d"} {
		if i+len(c) >= n {
			continue
		}
		ok := true
		for k := 0; k < len(c); k++ {
			if chars[i+1+k].r != rune(c[k]) {
				ok = false
				break
			}
		}
		if ok {
			return 1 + len(c)
		}
	}
	return 0
}
