package tagger

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/trustgate/trustgate/internal/deid"
)

var updateDigests = flag.Bool("update-digests", false, "rewrite testdata/spans.sha256 from the current output")

// digestSets are the notes whose spans must not move when the tagger or the
// engine is made faster: the development notes, the frozen batch and the
// synthetic and held-out sets.
var digestSets = []string{
	"../testdata/realstyle/dev.jsonl",
	"../testdata/realstyle/dev2.jsonl",
	"../testdata/realstyle/dev-gen.jsonl",
	"../testdata/realstyle/frozen.jsonl",
	"../testdata/synth-500.jsonl",
	"../testdata/heldout-2.jsonl",
	"../testdata/heldout-3.jsonl",
	"../testdata/handwritten.txt",
}

// marked is a PHI mark of testdata/handwritten.txt: <<TYPE:value>>.
var marked = regexp.MustCompile(`<<[A-Z]+:(.*?)>>`)

// readSet returns the texts of the notes of an evaluation set and their
// numbers (JSON Lines: the line; .txt: notes one per paragraph, numbered
// from 1, with PHI marked <<TYPE:value>> and comment lines starting with #,
// as internal/deid's TestHandwritten reads them).
func readSet(file string) (nums []int, texts []string, err error) {
	if strings.HasSuffix(file, ".txt") {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, nil, err
		}
		var lines []string
		for _, l := range strings.Split(string(data), "\n") {
			if !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		for i, para := range strings.Split(strings.TrimSpace(strings.Join(lines, "\n")), "\n\n") {
			nums, texts = append(nums, i+1), append(texts, marked.ReplaceAllString(para, "$1"))
		}
		return nums, texts, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	err = deid.ReadJSONL(f, func(line int, n deid.GoldNote) error {
		nums, texts = append(nums, line), append(texts, n.Text)
		return nil
	})
	return nums, texts, err
}

// TestSpansDigest: the spans of the tagger alone, of the rules alone and of
// the default engine (rules + tagger, as the deid command builds it) on every set hash to the
// digests recorded in testdata/spans.sha256. A speed change must leave them
// as they are; a change meant to move them (a retrained model, a new rule)
// records new ones with -update-digests and says so in its commit. Only
// digests are compared and printed, never a note or a span.
func TestSpansDigest(t *testing.T) {
	tg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	engine, rules := deid.New(deid.WithRecognizer(tg)), deid.New()
	got := map[string]string{}
	var keys []string
	for _, file := range digestSets {
		nums, texts, err := readSet(file)
		if err != nil {
			t.Fatal(err)
		}
		ht, he, hr := sha256.New(), sha256.New(), sha256.New()
		for k, text := range texts {
			i := nums[k]
			for _, s := range tg.Spans(text) {
				fmt.Fprintf(ht, "%d %d %d %s\n", i, s.Start, s.End, s.Type)
			}
			spans, err := engine.Detect(context.Background(), text)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range spans {
				fmt.Fprintf(he, "%d %d %d %s %s\n", i, s.Start, s.End, s.Type, s.Recognizer)
			}
			if spans, err = rules.Detect(context.Background(), text); err != nil {
				t.Fatal(err)
			}
			for _, s := range spans {
				fmt.Fprintf(hr, "%d %d %d %s %s\n", i, s.Start, s.End, s.Type, s.Recognizer)
			}
		}
		name := strings.TrimPrefix(file, "../testdata/")
		for _, k := range []struct {
			what string
			h    []byte
		}{{"tagger", ht.Sum(nil)}, {"rules+tagger", he.Sum(nil)}, {"rules", hr.Sum(nil)}} {
			key := name + " " + k.what
			got[key] = hex.EncodeToString(k.h)
			keys = append(keys, key)
		}
	}
	const path = "testdata/spans.sha256"
	if *updateDigests {
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "%s %s\n", got[k], k)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, key, ok := strings.Cut(sc.Text(), " ")
		if ok {
			want[key] = sum
		}
	}
	for _, k := range keys {
		if want[k] != got[k] {
			t.Errorf("%s: spans digest %.12s, recorded %.12s", k, got[k], want[k])
		}
	}
	if len(want) != len(keys) {
		t.Errorf("%d digests recorded, %d computed", len(want), len(keys))
	}
}
