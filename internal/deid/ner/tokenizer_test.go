package ner

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid/ner/onnxgen"
)

// TestPreTokenizeGolden compares the hand-written GPT-2 split with the real
// pattern: testdata/pretokenize_golden.json holds random strings (letters,
// digits, accents, CJK, emoji, contractions, NBSP, tabs and newlines) and the
// byte ranges Python's `regex` module returned for
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func TestPreTokenizeGolden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "pretokenize_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Text  string   `json:"text"`
		Spans [][2]int `json:"spans"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 100 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	for _, c := range cases {
		got := preTokenize(c.Text)
		if len(got) == 0 && len(c.Spans) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, c.Spans) {
			t.Errorf("preTokenize(%q) = %v, want %v", c.Text, got, c.Spans)
		}
	}
}

func tinyTokenizer(t testing.TB, spec onnxgen.Tiny) *Tokenizer {
	t.Helper()
	dir := t.TempDir()
	if err := onnxgen.WriteTiny(dir, spec); err != nil {
		t.Fatal(err)
	}
	tok, err := LoadTokenizer(filepath.Join(dir, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestEncodeOffsets checks that tokens tile the text and that each token's
// code point range holds exactly the bytes the token stands for.
func TestEncodeOffsets(t *testing.T) {
	tok := tinyTokenizer(t, onnxgen.Tiny{Pieces: []string{" Gonz", "á", "lez", " José", "\n\n", "   "}})
	texts := []string{
		"José González",
		"Pt: José   González 😀😀 seen\t\t\n\n\n   at St Élise",
		"   leading and trailing   ",
		"👩‍⚕️ Dr. Ng 漢字 ½ ⅷ can't we'll",
		"",
		" ",
	}
	for _, text := range texts {
		toks := tok.Encode(text)
		runes := []rune(text)
		prevEnd := 0
		var rebuilt strings.Builder
		for _, tk := range toks {
			if tk.Start < 0 || tk.End > len(runes) || tk.Start > tk.End {
				t.Fatalf("%q: token %+v out of range", text, tk)
			}
			if tk.Start < prevEnd-1 { // a split emoji may share its character with the previous token
				t.Fatalf("%q: token %+v goes backwards (previous end %d)", text, tk, prevEnd)
			}
			if tk.Start > prevEnd {
				t.Fatalf("%q: gap before token %+v", text, tk)
			}
			if tk.Start >= prevEnd {
				rebuilt.WriteString(string(runes[tk.Start:tk.End]))
			} else if tk.End > prevEnd {
				rebuilt.WriteString(string(runes[prevEnd:tk.End]))
			}
			prevEnd = max(prevEnd, tk.End)
		}
		if rebuilt.String() != text {
			t.Errorf("tokens of %q rebuild %q", text, rebuilt.String())
		}
	}
	// Merged pieces come out as one token whose range is the word without
	// its leading space... plus the space: offsets cover the "Ġ" byte.
	toks := tok.Encode("x José González")
	var words []string
	for _, tk := range toks {
		words = append(words, string([]rune("x José González")[tk.Start:tk.End]))
	}
	want := []string{"x", " José", " Gonz", "á", "lez"}
	if !reflect.DeepEqual(words, want) {
		t.Errorf("tokens = %q, want %q", words, want)
	}
}

func TestAddPrefixSpace(t *testing.T) {
	tok := tinyTokenizer(t, onnxgen.Tiny{Pieces: []string{" John"}})
	tok.addPrefixSpace = true
	toks := tok.Encode("John")
	if len(toks) != 1 || toks[0].Start != 0 || toks[0].End != 4 || toks[0].ID != tok.vocab[onnxgen.Symbols(" John")] {
		t.Fatalf("Encode(John) with add_prefix_space = %+v", toks)
	}
}

func TestParseTokenizerErrors(t *testing.T) {
	cases := map[string]string{
		"not json":      `{`,
		"wordpiece":     `{"model":{"type":"WordPiece","vocab":{"a":0}},"pre_tokenizer":{"type":"ByteLevel"}}`,
		"no bytelevel":  `{"model":{"type":"BPE","vocab":{"a":0}},"pre_tokenizer":{"type":"Whitespace"}}`,
		"no specials":   `{"model":{"type":"BPE","vocab":{"a":0}},"pre_tokenizer":{"type":"ByteLevel"}}`,
		"bad merge":     `{"model":{"type":"BPE","unk_token":"<unk>","vocab":{"<s>":0,"<pad>":1,"</s>":2,"<unk>":3},"merges":["ab"]},"pre_tokenizer":{"type":"ByteLevel"}}`,
		"missing bytes": `{"model":{"type":"BPE","vocab":{"<s>":0,"<pad>":1,"</s>":2}},"pre_tokenizer":{"type":"ByteLevel"}}`,
	}
	for name, in := range cases {
		if _, err := ParseTokenizer([]byte(in)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzEncode(f *testing.F) {
	tok := tinyTokenizer(f, onnxgen.Tiny{Pieces: []string{" Gonz", "á", "lez", "  "}})
	for _, s := range []string{"José González", "😀 a\n\n b", "\xff\xfe", "can't"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		n := utf8.RuneCountInString(text)
		prev := 0
		for _, tk := range tok.Encode(text) {
			if tk.Start < 0 || tk.End > n || tk.Start > tk.End || tk.End < prev {
				t.Fatalf("bad token %+v (n=%d, prev end %d)", tk, n, prev)
			}
			prev = tk.End
		}
	})
}

func FuzzParseTokenizer(f *testing.F) {
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"<s>":0,"<pad>":1,"</s>":2,"<unk>":3},"unk_token":"<unk>","merges":[["a","b"]]},"pre_tokenizer":{"type":"ByteLevel"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// invariant: any accepted tokenizer encodes text into in-range,
		// ordered tokens (a rejected one is an error, never a panic)
		tok, err := ParseTokenizer(data)
		if err != nil {
			return
		}
		const text = "José 😀 ab"
		n, prev := utf8.RuneCountInString(text), 0
		for _, tk := range tok.Encode(text) {
			if tk.Start < 0 || tk.End > n || tk.Start > tk.End || tk.End < prev {
				t.Fatalf("bad token %+v (n=%d, prev end %d)", tk, n, prev)
			}
			prev = tk.End
		}
	})
}

// TestEncodeWords: every word is encoded with a leading space (its first
// token starts with "Ġ"), whitespace gives no tokens, and word ranges are
// exact code point offsets.
func TestEncodeWords(t *testing.T) {
	tok := tinyTokenizer(t, onnxgen.Tiny{Pieces: []string{" Gonz", "á", "lez", " José", " 03"}})
	text := "😀 José   González,\n\n\t03/04 Zoë"
	toks, words := tok.EncodeWords(text)
	runes := []rune(text)
	var got []string
	for i, w := range words {
		got = append(got, string(runes[w.Start:w.End]))
		first := toks[w.First]
		if first.Start != w.Start || first.ID == tok.vocab["<unk>"] {
			t.Errorf("word %q: first token %+v", got[i], first)
		}
		end := len(toks)
		if i+1 < len(words) {
			end = words[i+1].First
		}
		if toks[end-1].End != w.End {
			t.Errorf("word %q ends at %d, its last token at %d", got[i], w.End, toks[end-1].End)
		}
	}
	want := []string{"😀", "José", "González", ",", "03", "/", "04", "Zoë"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("words = %q, want %q", got, want)
	}
	if id := toks[words[1].First].ID; id != tok.vocab[onnxgen.Symbols(" José")] {
		t.Errorf("José encoded without its leading space (id %d)", id)
	}
	if id := toks[words[4].First].ID; id != tok.vocab[onnxgen.Symbols(" 03")] {
		t.Errorf("03 after newlines encoded without a leading space (id %d)", id)
	}
}
