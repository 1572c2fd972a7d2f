// Package lexicon holds the word lists the PHI rules look words up in: person
// names, US cities, ZIP codes and states, words that end organisation and
// place names, and the common English words that need context before they
// count as a name, and the safe vocabulary (general English from SCOWL plus
// clinical shorthand) that makes every other word a PHI candidate. The lists
// are generated from npm and Debian packages by ./gen (see README.md); the
// rules read them through vocab.bin, a table compiled at generation time and
// embedded as it is, so start-up reads no list and builds no map. The plain
// lists are embedded compressed for the surrogate generator and load on first
// use (Get).
package lexicon

//go:generate go run ./gen -npm $LEXICON_NPM -out .

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

//go:embed names.txt.gz curated-names.txt.gz common.txt.gz cities.txt.gz zips.txt.gz states.txt.gz orgwords.txt.gz placewords.txt.gz
var files embed.FS

//go:embed vocab.bin
var vocabBin []byte

var (
	vocabOnce sync.Once
	vocab     *Table
)

// Vocab returns the compiled vocabulary embedded in the binary (vocab.bin).
func Vocab() *Table {
	vocabOnce.Do(func() {
		t, err := OpenTable(vocabBin)
		if err != nil {
			panic("lexicon: embedded vocab.bin: " + err.Error())
		}
		vocab = t
	})
	return vocab
}

// Flags says what a lower-cased word is.
type Flags uint16

// Word flags.
const (
	Name      Flags = 1 << iota // a person's given or family name
	Common                      // a common English word (dominantly written in lower case)
	City                        // a US city name, or the first word of one
	State                       // a US state name or postal abbreviation
	OrgWord                     // a word that ends the name of an organisation ("Academy", "Services")
	PlaceWord                   // a word that ends the name of a place ("Park", "Manor", "County")
	Safe                        // general English (SCOWL size 95) or clinical vocabulary: not PHI by itself
	CityFull                    // a whole US city name, one or more words ("boston", "new york")
	Zip                         // a US ZIP code (5 digits)
	_                           // bits 9-11: CityWords
	_
	_
	SafeCore // everyday English (SCOWL size 35) or clinical vocabulary: a name that is such a word ("Why", "Echo", "Neo") needs context
	Clinical // on the hand-written clinical list (clinical.txt): shorthand, drugs, devices; never PHI without a cue, whatever its case
	// CuratedName marks a Name that only the curated list of common names
	// holds (curated-names.txt.gz: "Davis", "Garcia", "Amy", which the long
	// list lacks or holds out). The rules read it as any name; the tagger,
	// trained before the list was added, reads the word without its Name bit.
	CuratedName
)

// WordFlags are the flags Lexicon.Words holds; Vocab().Lookup(w) & WordFlags
// equals Get().Words[w] for every word (TestVocabHoldsWords), without
// loading the lists.
const WordFlags = Name | Common | City | State | OrgWord | PlaceWord | CuratedName

// cityWordsShift: flag bits 9-11 hold the largest word count of a city
// starting with the word.
const cityWordsShift = 9

// CityWords is the largest number of words of a city name that starts with
// a word of these flags (0 when none does).
func (f Flags) CityWords() int { return int(f >> cityWordsShift & 7) }

// Lexicon is the loaded word lists; all keys are lower case.
type Lexicon struct {
	Words map[string]Flags
	// Cities maps a lower-cased multi-word city name to true; CityWords[first]
	// is the largest word count of a city starting with first.
	Cities    map[string]bool
	CityWords map[string]int
	Zips      map[string]bool
	// StateAbbr holds the two-letter postal codes, upper case.
	StateAbbr map[string]bool
	// NameList and CityList keep the original spelling, for surrogates.
	NameList, CityList []string
}

var (
	once sync.Once
	lex  *Lexicon
)

// Get loads the lexicon on first use and returns it (shared, read-only).
func Get() *Lexicon {
	once.Do(func() { lex = load() })
	return lex
}

// HeldOut reports whether a name or city is in the held-out tenth that the
// generator leaves out of the long lists (humannames, zipcodes), so the
// evaluation can measure recall on entries the engine has never seen. The
// curated list of common names holds some of them ("Davis", "Garcia"): the
// synthetic generator asks the lexicon itself which names are unknown.
func HeldOut(s string) bool {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(s)))
	return h.Sum32()%10 == 0
}

func lines(name string) []string {
	data, err := files.ReadFile(name)
	if err != nil {
		panic("lexicon: embedded " + name + " missing: " + err.Error())
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		panic("lexicon: embedded " + name + " corrupt: " + err.Error())
	}
	var out []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if t := sc.Text(); t != "" {
			out = append(out, t)
		}
	}
	if err := sc.Err(); err != nil {
		panic("lexicon: embedded " + name + " corrupt: " + err.Error())
	}
	return out
}

func load() *Lexicon {
	l := &Lexicon{
		Words: make(map[string]Flags, 250000), Cities: map[string]bool{},
		CityWords: map[string]int{}, Zips: map[string]bool{}, StateAbbr: map[string]bool{},
	}
	l.NameList = lines("names.txt.gz")
	for _, n := range l.NameList {
		l.Words[strings.ToLower(n)] |= Name
	}
	for _, n := range lines("curated-names.txt.gz") {
		l.Words[strings.ToLower(n)] |= Name | CuratedName
	}
	for _, w := range lines("common.txt.gz") {
		l.Words[w] |= Common
	}
	l.CityList = lines("cities.txt.gz")
	for _, c := range l.CityList {
		c = strings.ToLower(c)
		words := strings.Fields(c)
		l.Words[words[0]] |= City
		l.Cities[strings.Join(words, " ")] = true
		if len(words) > l.CityWords[words[0]] {
			l.CityWords[words[0]] = len(words)
		}
	}
	// compromise's lists of words that end organisation and place names
	for _, w := range lines("orgwords.txt.gz") {
		l.Words[w] |= OrgWord
	}
	for _, w := range lines("placewords.txt.gz") {
		l.Words[w] |= PlaceWord
	}
	for _, z := range lines("zips.txt.gz") {
		l.Zips[z] = true
	}
	for _, s := range lines("states.txt.gz") {
		name, abbr, _ := strings.Cut(s, "\t")
		name = strings.ToLower(name)
		l.Words[strings.Fields(name)[0]] |= State
		l.StateAbbr[abbr] = true
		l.Words[strings.ToLower(abbr)] |= State
	}
	return l
}

// Compile merges every list into the word → flags map that vocab.bin holds:
// the lists of Get plus the safe vocabulary (lower-case words).
func Compile(safe, core, clinical []string) map[string]Flags {
	l := Get()
	m := make(map[string]Flags, len(l.Words)+len(safe)+len(l.Zips))
	for w, f := range l.Words {
		m[w] |= f
	}
	for c := range l.Cities {
		m[c] |= CityFull
	}
	for w, n := range l.CityWords {
		m[w] |= Flags(min(n, 7)) << cityWordsShift
	}
	for z := range l.Zips {
		m[z] |= Zip
	}
	for _, w := range safe {
		m[w] |= Safe
	}
	for _, w := range core {
		m[w] |= Safe | SafeCore
	}
	// the clinical list is core vocabulary too: "neo", "levo" are drugs first
	for _, w := range clinical {
		m[w] |= Safe | SafeCore | Clinical
	}
	return m
}

// ReadList reads a word list, one entry a line, from r (gzip-compressed when
// gz): blank lines and lines starting with '#' are skipped.
func ReadList(r io.Reader, gz bool) ([]string, error) {
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		r = zr
	}
	var out []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" && t[0] != '#' {
			out = append(out, t)
		}
	}
	return out, sc.Err()
}

// SafeEntry reports whether w can be an entry of the safe vocabulary: lower
// case ASCII letters with inner apostrophes, two or more characters (what the
// rules' tokenizer makes one word of).
func SafeEntry(w string) bool {
	if len(w) < 2 || w[0] == '\'' || w[len(w)-1] == '\'' {
		return false
	}
	for i := 0; i < len(w); i++ {
		if c := w[i]; !('a' <= c && c <= 'z' || c == '\'') {
			return false
		}
	}
	return true
}

// CompileDir compiles vocab.bin from the lists of the lexicon folder dir:
// the embedded lists, safe.txt.gz and safe-core.txt.gz (SCOWL sizes 95 and
// 70) and clinical.txt (hand-written).
func CompileDir(dir string) ([]byte, error) {
	var lists [3][]string
	for n, f := range []string{"safe.txt.gz", "safe-core.txt.gz", "clinical.txt"} {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			return nil, fmt.Errorf("lexicon: %w", err)
		}
		words, err := ReadList(fh, strings.HasSuffix(f, ".gz"))
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("lexicon: read %s: %w", f, err)
		}
		for _, line := range words {
			for _, w := range strings.Fields(line) {
				if SafeEntry(w) {
					lists[n] = append(lists[n], w)
				}
			}
		}
	}
	return BuildTable(Compile(lists[0], lists[1], lists[2]))
}
