// Package bytelevel holds GPT-2's byte-level alphabet, shared by the RoBERTa
// tokenizer and the generator of test models that must spell its vocabulary.
package bytelevel

import "strings"

// alphabet maps bytes to printable code points reversibly: printable Latin-1
// bytes map to themselves, the others to U+0100 on. This is why a space shows
// up as "Ġ" (U+0120) in RoBERTa's vocabulary.
var alphabet = func() [256]string {
	var out [256]string
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			out[b] = string(rune(b))
		} else {
			out[b] = string(rune(256 + n))
			n++
		}
	}
	return out
}()

// Alphabet returns the symbol of every byte.
func Alphabet() [256]string { return alphabet }

// Spell writes text's bytes in the byte-level alphabet (" John" → "ĠJohn").
func Spell(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		b.WriteString(alphabet[text[i]])
	}
	return b.String()
}
