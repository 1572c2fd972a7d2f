package deid

import (
	"os"
	"testing"
)

// TestBranchFreeTests holds the tests written with one branch (b2u, ^ and |)
// to the "&&" chains they replace, at every token of the synthetic notes
// and of a few odd texts, and just outside them.
func TestBranchFreeTests(t *testing.T) {
	texts := []string{"", "a", "-", "ACCT-44658267 on 3/4.", "SN-88213, Dr. O'Brien (ICU)\nBP: 120/80 - TO: Mr. X"}
	f, err := os.Open("testdata/synth-500.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := ReadJSONL(f, func(_ int, n GoldNote) error {
		if len(texts) < 120 {
			texts = append(texts, n.Text)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r := newRules()
	sc := r.pool.Get().(*scan)
	defer r.pool.Put(sc)
	for _, text := range texts {
		sc.reset(text, r.vocab)
		toks := sc.toks
		in := func(i int) bool { return i >= 0 && i < len(toks) }
		for i := -2; i < len(toks)+2; i++ {
			for _, c := range []byte("\x00\x02.,-:(/'a") {
				if got, want := sc.punct(i, c), in(i) && toks[i].kind == kPunct && toks[i].aux == c; got != want {
					t.Fatalf("%q: punct(%d, %q) = %v, want %v", text, i, c, got, want)
				}
			}
			if got, want := sc.capWord(i), in(i) && toks[i].kind == kWord && toks[i].cap; got != want {
				t.Fatalf("%q: capWord(%d) = %v, want %v", text, i, got, want)
			}
			want := 0
			if in(i) && toks[i].kind == kNum {
				want = toks[i].e - toks[i].s
			}
			if got := sc.numLen(i); got != want {
				t.Fatalf("%q: numLen(%d) = %d, want %d", text, i, got, want)
			}
			for _, bits := range []uint32{setTitle, setRelation | setCred, setDay | setMonth} {
				if got, want := sc.in(i, bits), in(i) && toks[i].kw&bits != 0; got != want {
					t.Fatalf("%q: in(%d, %#x) = %v, want %v", text, i, bits, got, want)
				}
			}
			for _, bits := range []uint16{xCueWord, xPO | xDev3} {
				if got, want := sc.xin(i, bits), in(i) && toks[i].xbits()&bits != 0; got != want {
					t.Fatalf("%q: xin(%d, %#x) = %v, want %v", text, i, bits, got, want)
				}
			}
		}
		// setCasing's counts per line, as caseCount.add took them
		var lines []lineCount
		var cur caseCount
		for i := range toks {
			tk := &toks[i]
			if tk.nl && i > 0 {
				lines = append(lines, lineCount{i, cur})
				cur = caseCount{}
			}
			if tk.kind == kWord && tk.e-tk.s >= 2 {
				cur.words++
				if tk.upper {
					cur.upper++
				}
				if tk.cap || tk.upper {
					cur.capped++
				}
			}
		}
		lines = append(lines, lineCount{len(toks), cur})
		sc.setCasing() // again: reset ran truecase after it, which changes cap and upper
		if got := sc.lineBuf; len(got) != len(lines) {
			t.Fatalf("%q: %d lines, want %d", text, len(got), len(lines))
		} else {
			for k := range lines {
				if got[k] != lines[k] {
					t.Fatalf("%q: line %d: %+v, want %+v", text, k, got[k], lines[k])
				}
			}
		}
	}
}
