package tagger

import (
	"strings"

	"github.com/trustgate/trustgate/internal/deid"
)

// recsFromTokens appends to recs the records scanInto writes for text,
// built from the rules' tokens of the same text instead of a second scan
// of its bytes, with the note's casing; ok is false (recs untouched) where
// that is not done: a note with a byte of 0x80 or more or a '\r' (the
// caller scans it). On an ASCII note without '\r' the two tokenizers agree
// on white space, and every token of the rules is one or more of the
// tagger's: a word (letters) or a number (digits) of up to maxTokenRunes
// bytes is one run, a punctuation mark one record; a word with an inner
// apostrophe, one of letters and digits or a longer one is split here by
// the tagger's rule. TestRecsFromTokens and FuzzRecsFromTokens hold it to
// scanInto.
func recsFromTokens(recs []rec, text string, toks *deid.Tokens) (_ []rec, casing byte, ok bool) {
	if !toks.ASCII() || strings.IndexByte(text, '\r') >= 0 {
		return recs, 0, false
	}
	view := *toks // a local copy: the stores to recs below cannot change its slice, so it stays in registers
	n := view.Len()
	nt := len(recs)
	if cap(recs)-nt < n {
		grown := make([]rec, nt, nt+max(256, n+n/4))
		copy(grown, recs)
		recs = grown
	}
	recs = recs[:cap(recs)]
	prevEnd := 0
	var cases uint64 // upper-case letters, and lower-case ones << 32
	for i := 0; ; i++ {
		// the common tokens in a loop without calls (a call in the loop
		// spills its state on every token); it stops at one it leaves to
		// slowToken, or at the end
		if nt, i, prevEnd, cases = fastRecs(recs, nt, text, view, i, prevEnd, cases); i >= n {
			break
		}
		s, e, kind, nl := view.At(i)
		flags := b2u(nl)*recNL | b2u(s > prevEnd)*recSpace
		prevEnd = e
		recs, nt, cases = slowToken(recs, nt, text, s, e, kind, flags, cases)
	}
	return recs[:nt], casingOf(int(uint32(cases)), int(cases>>32)), true
}

// fastRecs writes the records of the rules' tokens i, i+1, ... of view to
// recs from recs[nt] while each is one record of the common case (a short
// word without an apostrophe, a short number, a punctuation mark, in one
// load, recs not full), adding the words' letter cases to cases; it
// returns the next record, the first token it left (view.Len(): none), the
// end of the last token it read (prevEnd: the one before i) and the cases.
// A function of its own without calls, so that its loop keeps its state in
// registers.
func fastRecs(recs []rec, nt int, text string, view deid.Tokens, i, prevEnd int, cases uint64) (int, int, int, uint64) {
	for n := view.Len(); i < n; i++ {
		s, e, kind, nl := view.At(i)
		b := e - s
		if b > 7 || kind == deid.TokenAlnum || s+8 > len(text) || nt >= len(recs) {
			break
		}
		x := load64(text, s) & keyMask[b&7]
		if kind == deid.TokenWord {
			if hasApostrophe(x) {
				break
			}
			// x holds b letters and zeros after them: the lower-case
			// ones are its bytes with 0x20 set (caseBits), the others
			// upper-case
			low := (x & caseBits) >> 5 * ones8 >> 56
			cases += uint64(b) - low | low<<32
		}
		// without a branch (b2u): space before a token or not is no pattern
		flags := b2u(nl)*recNL | b2u(s > prevEnd)*recSpace
		prevEnd = e
		t := &recs[nt]
		nt++
		t.key = x | uint64(b)<<56 | 1<<62
		t.off, t.start, t.blen, t.n, t.flags = s, s, uint16(b), uint8(b), flags
	}
	return nt, i, prevEnd, cases
}

// caseBits has bit 5 (0x20) of each of eight bytes: clear in A-Z, set in a-z.
const caseBits = 0x2020202020202020

// slowToken appends the records of the rules' token text[s:e] of kind kind
// (the rest of recsFromTokens: a longer one, a word with an apostrophe,
// letters and digits, the end of the text), growing recs when full, and
// adds its letters' cases to cases.
//
//go:noinline
func slowToken(recs []rec, nt int, text string, s, e int, kind, flags uint8, cases uint64) ([]rec, int, uint64) {
	for nt+(e-s) > len(recs) { // at most one record per byte
		recs = growRecs(recs)
	}
	if b := e - s; kind == deid.TokenWord && b > 7 && b <= maxTokenRunes {
		// one run of letters (its key is 0: longer than seven bytes)
		// unless it holds an apostrophe
		if c, ok := longWordCases(text, s, e); ok {
			t := &recs[nt]
			t.key, t.off, t.start, t.blen, t.n, t.flags = 0, s, s, uint16(b), uint8(b), flags
			return recs, nt + 1, cases + c
		}
	}
	for i := s; i < e; {
		cls := byteInfo[text[i]] >> 56
		j := i + 1
		if cls != clsOther {
			end := min(e, i+maxTokenRunes)
			for j < end && byteInfo[text[j]]>>56 == cls {
				j++
			}
		}
		if cls == clsLetter {
			for k := i; k < j; k++ {
				if text[k] <= 'Z' {
					cases++
				} else {
					cases += 1 << 32
				}
			}
		}
		t := &recs[nt]
		nt++
		t.key = 0
		if b := j - i; b <= 7 {
			if i+8 <= len(text) {
				t.key = load64(text, i)&keyMask[b] | uint64(b)<<56 | 1<<62
			} else {
				t.key = shortKey(text[i:j])
			}
		}
		t.off, t.start, t.blen, t.n, t.flags = i, i, uint16(j-i), uint8(j-i), flags
		flags = 0
		i = j
	}
	return recs, nt, cases
}

// longWordCases returns the letter cases (upper-case letters, and
// lower-case ones << 32) of the word text[s:e] of eight bytes or more,
// letters and apostrophes, and false when it holds an apostrophe
// (strings.IndexByte without a call): eight bytes at a time, the last one
// to seven of them read in the last eight of the word and moved down
// (zeros above them: no apostrophe, and no lower-case letter). Its bytes'
// 0x20 bits are summed per byte (at most nine words of eight bytes, so no
// byte carries), and the bytes that are apostrophes marked, over the
// whole word.
func longWordCases(text string, s, e int) (c uint64, ok bool) {
	var low, apos uint64
	j := s
	for ; j+8 <= e; j += 8 {
		x := load64(text, j)
		low += (x & caseBits) >> 5
		apos |= apostrophes(x)
	}
	if r := e - j; r > 0 {
		x := load64(text, e-8) >> (8 * uint(8-r))
		low += (x & caseBits) >> 5
		apos |= apostrophes(x)
	}
	if apos != 0 {
		return 0, false
	}
	// every byte a letter: the others are upper-case
	low = low * ones8 >> 56
	return uint64(e-s) - low | low<<32, true
}

// b2u is b as 0 or 1, compiled without a branch.
func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// growRecs doubles the records' buffer (all of it in use).
func growRecs(recs []rec) []rec {
	grown := make([]rec, max(256, 2*len(recs)))
	copy(grown, recs)
	return grown
}

const (
	ones8  = 0x0101010101010101
	highs8 = 0x8080808080808080
)

// hasApostrophe: a byte of x is an ASCII apostrophe.
func hasApostrophe(x uint64) bool { return apostrophes(x) != 0 }

// apostrophes is not 0 exactly when a byte of x is an ASCII apostrophe.
func apostrophes(x uint64) uint64 {
	y := x ^ '\''*ones8 // a zero byte where x has '\''
	return (y - ones8) &^ y & highs8
}
