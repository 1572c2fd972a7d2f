package tagger

import (
	"os"
	"strings"
	"testing"
	"unsafe"

	"github.com/trustgate/trustgate/internal/deid"
)

// TestCachesKeepNoNoteText: a pooled cache outlives the notes it tagged, so
// no string it keeps may point into a note (it would keep patient text in
// memory for as long as the cache lives). strings.ToLower returns a word
// already in lower case as it is, so every lower-case note is the case that
// matters; the notes are tagged on both paths, as written and in lower case.
func TestCachesKeepNoNoteText(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("../testdata/realstyle/dev2.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var notes []string
	if err := deid.ReadJSONL(f, func(_ int, n deid.GoldNote) error {
		// a fresh copy each, so that its bytes are the note's alone
		notes = append(notes, strings.Clone(n.Text), strings.ToLower(n.Text)+" ")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	c := &wordCache{}
	for _, text := range notes {
		recs, casing := scanInto(nil, text)
		tg.tagFast(c, text, recs, casing)
		toks, casing := tokenizeInto(nil, text)
		tg.tagFloatAll(c, toks, casing)
		c.release()
	}
	inNote := func(s string) bool {
		if s == "" {
			return false
		}
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		for _, n := range notes {
			b := uintptr(unsafe.Pointer(unsafe.StringData(n)))
			if p >= b && p < b+uintptr(len(n)) {
				return true
			}
		}
		return false
	}
	checked := 0
	check := func(what, s string) {
		checked++
		if inNote(s) {
			t.Fatalf("%s %q points into a note the cache outlives", what, s)
		}
	}
	for _, m := range c.m {
		for k, v := range m {
			check("word cache key", k)
			check("word cache entry key", v.key)
			check("word cache lower", v.info.lower)
			check("word cache shape", v.info.shape)
		}
	}
	for _, m := range c.ic.long {
		for k := range m {
			check("long-word memo key", k)
		}
	}
	for k, cl := range c.ic.classes {
		check("class memo key", k)
		check("class key", cl.key)
		check("class shape", cl.info.shape)
	}
	for _, tk := range c.toks[:cap(c.toks)] {
		check("kept token", tk.text)
	}
	if checked < 1000 {
		t.Fatalf("only %d strings checked: the caches were not filled", checked)
	}
}
