package deid

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// PROBE="text;text2" prints each token's flags, kw and candidate status.
func TestProbe(t *testing.T) {
	p := os.Getenv("PROBE")
	if p == "" {
		t.Skip()
	}
	r := newRules()
	for _, text := range strings.Split(p, ";") {
		sc := r.pool.Get().(*scan)
		sc.reset(text, r.vocab)
		for i := range sc.toks {
			tk := &sc.toks[i]
			if tk.kind != kWord && tk.kind != kAlnum {
				continue
			}
			fmt.Printf("%-14q kind=%d flags=%#06x kw=%#x cand=%v clin=%v\n", text[tk.s:tk.e], tk.kind, tk.flags, tk.kw, sc.candidate(i), sc.clinical[i])
		}
		r.pool.Put(sc)
	}
}

// RECS="text;text" prints the rules' spans with their recognizer.
func TestRecs(t *testing.T) {
	p := os.Getenv("RECS")
	if p == "" {
		t.Skip()
	}
	r := newRules()
	for _, text := range strings.Split(p, ";") {
		spans, _ := r.Recognize(t.Context(), text)
		for _, s := range spans {
			rs := []rune(text)
			fmt.Printf("%q %s %s\n", string(rs[s.Start:s.End]), s.Type, s.Recognizer)
		}
	}
}
