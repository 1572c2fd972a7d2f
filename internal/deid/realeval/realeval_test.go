package realeval

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

const dataDir = "../testdata/realstyle"

// TestJSONLMatchesMarkup: each gold file is exactly what its hand-written
// markup gives, every span passes Check, and the sets have their sizes.
func TestJSONLMatchesMarkup(t *testing.T) {
	minNotes := map[string]int{"frozen": 100, "frozen2": 120, "frozen3": 120, "frozen4": 120, "frozen5": 100, "dev2": 210, "dev3": 150, "dev6": 120, "dev7": 100, "dev8": 100,
		"frozen6": 120, "frozen7": 190, "dev9": 120, "dev10": 120, "dev11": 120, "dev12": 190, "dev13": 190, "dev14": 180,
		"dev15": 115, "dev16": 230, "dev17": 230, "dev18": 250, "frozen8": 225,
		"dev19": 270, "dev20": 230, "dev21": 230, "frozen9": 270, "dev22": 240, "frozen10": 220, "dev23": 290,
		"dev24": 200, "dev25": 195, "frozen11": 200, "frozen12": 130, "dev26": 150, "dev27": 170,
		"dev28": 135, "dev29": 125, "frozen13": 125, "dev30": 165, "dev31": 160, "dev32": 140, "dev33": 165,
		"dev34": 150, "dev35": 150, "frozen14": 140, "frozen15": 155, "frozen16": 140,
		"dev36": 165, "dev37": 130, "dev38": 125, "frozen17": 150,
		"dev39": 185, "dev40": 140, "dev41": 155, "frozen18": 140,
		"frozen19": 130, "dev42": 155, "dev43": 155, "dev44": 135,
		"dev45": 125, "dev46": 120, "dev47": 140, "frozen20": 155,
		"dev48": 110, "dev49": 120, "dev50": 115, "frozen21": 100,
		"dev51": 135, "dev52": 140, "dev53": 140, "frozen22": 115,
		"dev54": 140, "dev55": 155, "dev56": 160, "frozen23": 125,
		"dev57": 140, "dev58": 115, "dev59": 130, "frozen24": 135,
		"dev60": 135, "dev61": 130, "dev62": 125, "frozen25": 115,
		"dev63": 130, "dev64": 140, "dev65": 120, "frozen26": 105,
		"dev66": 125, "dev67": 105, "dev68": 130, "frozen27": 155,
		"dev69": 150, "dev70": 120, "dev71": 140, "frozen28": 155,
		"dev72": 155, "dev73": 155, "dev74": 150, "frozen29": 135,
		"dev75": 150, "dev76": 155, "dev77": 150, "frozen30": 150,
		"dev78": 140, "dev79": 150, "dev80": 150, "frozen31": 140,
		"dev81": 130, "dev82": 125, "dev83": 155, "frozen32": 110,
		"dev84": 145, "dev85": 130, "dev86": 150, "frozen33": 135,
		"dev87": 145, "dev88": 150, "dev89": 150, "frozen34": 145,
		"dev90": 150, "dev91": 135, "dev92": 140, "frozen35": 145,
		"dev93": 140, "dev94": 140, "dev95": 145, "frozen36": 150,
		"dev96": 150, "dev97": 140, "dev98": 155, "frozen37": 145,
		"dev99": 150, "dev100": 145, "dev101": 140, "frozen38": 145,
		"dev102": 150, "dev103": 145, "dev104": 150, "frozen39": 140,
		"dev105": 155, "dev106": 145, "dev107": 150, "frozen40": 150,
		"dev108": 135, "dev109": 140, "dev110": 130, "frozen41": 130,
		"dev111": 145, "dev112": 140, "dev113": 155, "dev114": 125, "frozen42": 130,
		"dev115": 135, "dev116": 145, "frozen43": 135,
		"dev117": 140, "dev118": 145, "dev119": 150, "frozen44": 120,
		"dev120": 150, "dev121": 135, "dev122": 135, "dev123": 140, "dev124": 145, "dev125": 155, "frozen45": 135, "frozen46": 130,
		"dev126": 140, "dev127": 135, "dev128": 155, "dev129": 140, "dev130": 155, "dev131": 135, "frozen47": 140, "frozen48": 130,
		"dev132": 60, "dev133": 130, "dev134": 140, "dev135": 150, "dev136": 125, "dev137": 145, "frozen49": 145, "frozen50": 145,
		"dev138": 140, "dev139": 155, "dev140": 155, "dev141": 140, "dev142": 140, "dev143": 155, "frozen51": 145, "frozen52": 150,
		"dev144": 145, "dev145": 140, "dev146": 140, "dev147": 130, "dev148": 150, "dev149": 145, "frozen53": 130, "frozen54": 135,
		"dev150": 150, "dev151": 125, "dev152": 140, "dev153": 160, "dev154": 155, "dev155": 140, "frozen55": 135, "frozen56": 150,
		"dev156": 140, "dev157": 140, "dev158": 155, "dev159": 145, "dev160": 130, "dev161": 145, "frozen57": 155, "frozen58": 135,
		"dev162": 155, "dev163": 135, "dev164": 140, "dev165": 145, "dev166": 135, "dev167": 135, "frozen59": 145, "frozen60": 160,
		"dev168": 145, "dev169": 140, "dev170": 125, "dev171": 150, "dev172": 140, "dev173": 135, "frozen61": 145, "frozen62": 155,
		"dev174": 150, "dev175": 145, "dev176": 135, "dev177": 155, "dev178": 145, "dev179": 140, "frozen63": 155, "frozen64": 140,
		"dev180": 140, "dev181": 125, "dev182": 155, "dev183": 140, "dev184": 130, "dev185": 155, "frozen65": 155, "frozen66": 160,
		"dev186": 155, "dev187": 145, "dev188": 155, "dev189": 150, "dev190": 140, "dev191": 150, "frozen67": 145, "frozen68": 145,
		"dev192": 135, "dev193": 140, "dev194": 155, "dev195": 150, "dev196": 140, "dev197": 140, "frozen69": 140, "frozen70": 155,
		"dev198": 150, "dev199": 145, "dev200": 140, "dev201": 155, "dev202": 145, "dev203": 160, "frozen71": 140, "frozen72": 140,
		"dev204": 135, "dev205": 150, "dev206": 150, "dev207": 135, "dev208": 145, "dev209": 150, "frozen73": 140, "frozen74": 145,
		"dev210": 145, "dev211": 125, "dev212": 145, "dev213": 155, "dev214": 140, "dev215": 145, "frozen75": 160, "frozen76": 150,
		"dev216": 145, "dev217": 135, "dev218": 135, "dev219": 155, "dev220": 145, "dev221": 155, "frozen77": 145, "frozen78": 135,
		"dev222": 150, "dev223": 145, "dev224": 160, "dev225": 150, "dev226": 140, "dev227": 160, "frozen79": 125, "frozen80": 145,
		"dev228": 160, "dev229": 155, "dev230": 150, "dev231": 150, "dev232": 160, "frozen81": 160, "frozen82": 155,
		"dev233": 155, "dev234": 160, "dev235": 155, "dev236": 160, "dev237": 155, "frozen83": 155, "frozen84": 155,
		"dev238": 155, "dev239": 160, "dev240": 145, "frozen85": 160, "frozen86": 155}
	files, err := filepath.Glob(filepath.Join(dataDir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no markup files: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			in, err := os.Open(f)
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			notes, err := ParseMarkup(in)
			if err != nil {
				t.Fatal(err)
			}
			want, err := MarshalJSONL(notes)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(strings.TrimSuffix(f, ".txt") + ".jsonl")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("jsonl differs from its markup: run go run ./internal/deid/realeval/gen")
			}
			loaded, err := LoadJSONL(strings.TrimSuffix(f, ".txt") + ".jsonl")
			if err != nil {
				t.Fatal(err)
			}
			if len(loaded) < minNotes[name] {
				t.Fatalf("%d notes, want at least %d", len(loaded), minNotes[name])
			}
		})
	}
}

func TestParseNote(t *testing.T) {
	tests := []struct {
		in      string
		text    string
		spans   []deid.Span
		wantErr bool
	}{
		{"mr.<<NAME:renzi>> back", "mr.renzi back", []deid.Span{{Start: 3, End: 8, Type: deid.TypeName}}, false},
		{"<<NAME:Hafþór>> <<DATE:9/7>>-ADM", "Hafþór 9/7-ADM", []deid.Span{{Start: 0, End: 6, Type: deid.TypeName}, {Start: 7, End: 10, Type: deid.TypeDate}}, false},
		{"KRISSY---<<PHONE:301 944-5032>>", "KRISSY---301 944-5032", []deid.Span{{Start: 9, End: 21, Type: deid.TypePhone}}, false},
		{"re<<NAME:nzi>>", "", nil, true}, // inside a word
		{"<<NAME:ren>>zi", "", nil, true}, // inside a word
		{"<<DATE:1>>2", "", nil, true},    // inside a number
		{"<<NAME: bill>>", "", nil, true}, // outer space
		{"<<FOO:bill>>", "", nil, true},   // unknown type
		{"<<NAME:bill", "", nil, true},    // unclosed
		{"bill>>", "", nil, true},         // stray close
		{"<<NAME>>", "", nil, true},       // no value
		{"fb<<ID:59>>", "fb59", []deid.Span{{Start: 2, End: 4, Type: deid.TypeID}}, false}, // letter to digit is a boundary
	}
	for _, tc := range tests {
		n, err := ParseNote(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if n.Text != tc.text || len(n.Spans) != len(tc.spans) {
			t.Errorf("%q: got %q %v", tc.in, n.Text, n.Spans)
			continue
		}
		for i := range n.Spans {
			if n.Spans[i] != tc.spans[i] {
				t.Errorf("%q: span %d = %v, want %v", tc.in, i, n.Spans[i], tc.spans[i])
			}
		}
	}
}

func TestCheckOverlapAndRange(t *testing.T) {
	bad := []deid.GoldNote{
		{Text: "ab cd", Spans: []deid.Span{{Start: 0, End: 2, Type: "NAME"}, {Start: 1, End: 5, Type: "NAME"}}},
		{Text: "ab", Spans: []deid.Span{{Start: 0, End: 3, Type: "NAME"}}},
		{Text: "ab", Spans: []deid.Span{{Start: 1, End: 1, Type: "NAME"}}},
		{Text: "ab", Spans: []deid.Span{{Start: -1, End: 1, Type: "NAME"}}},
	}
	for i, n := range bad {
		if Check(n) == nil {
			t.Errorf("case %d: no error", i)
		}
	}
}

// TestRepeatedMentionsMarked: a word of a NAME or LOCATION span that occurs
// again in the same note, as a whole word in any case, is inside a span
// there too, unless it is a common English word ("will", "foot"): a second
// mention left unmarked is a gold slip that would count a correct
// detection as a false alarm.
func TestRepeatedMentionsMarked(t *testing.T) {
	// words of a place's name that also stand alone as no PHI: a denomination
	// ("Pt is Lutheran, member of Emmanuel Evangelical Lutheran"), a kind of
	// facility or service named alone ("VNA (Prospect Hill VNA)", "back to
	// ltach" beside "coquina ltach", "ortho following" beside a clinic's
	// name; "neuro checks" beside "Crossroads Neuro Rehab"), and a part of
	// a hyphenated given name that is also a unit ("Min-jun" beside "x 30
	// min")
	genericHeads := map[string]bool{"lutheran": true, "vna": true, "ltach": true, "ltac": true, "ortho": true, "neuro": true, "min": true}
	lex := lexicon.Get()
	for _, set := range []string{"frozen.jsonl", "frozen2.jsonl", "frozen3.jsonl", "frozen4.jsonl", "frozen5.jsonl", "dev.jsonl", "dev2.jsonl", "dev3.jsonl", "dev4.jsonl", "dev5.jsonl", "dev6.jsonl", "dev7.jsonl", "dev8.jsonl",
		"frozen6.jsonl", "frozen7.jsonl", "dev9.jsonl", "dev10.jsonl", "dev11.jsonl", "dev12.jsonl", "dev13.jsonl", "dev14.jsonl",
		"dev15.jsonl", "dev16.jsonl", "dev17.jsonl", "dev18.jsonl", "frozen8.jsonl", "dev19.jsonl", "dev20.jsonl", "dev21.jsonl", "frozen9.jsonl", "dev22.jsonl", "frozen10.jsonl", "dev23.jsonl",
		"dev24.jsonl", "dev25.jsonl", "frozen11.jsonl", "frozen12.jsonl", "dev26.jsonl", "dev27.jsonl",
		"dev28.jsonl", "dev29.jsonl", "frozen13.jsonl", "dev30.jsonl", "dev31.jsonl", "dev32.jsonl", "dev33.jsonl",
		"dev34.jsonl", "dev35.jsonl", "frozen14.jsonl", "frozen15.jsonl", "frozen16.jsonl",
		"dev36.jsonl", "dev37.jsonl", "dev38.jsonl", "frozen17.jsonl",
		"dev39.jsonl", "dev40.jsonl", "dev41.jsonl", "frozen18.jsonl",
		"frozen19.jsonl", "dev42.jsonl", "dev43.jsonl", "dev44.jsonl",
		"dev45.jsonl", "dev46.jsonl", "dev47.jsonl", "frozen20.jsonl",
		"dev48.jsonl", "dev49.jsonl", "dev50.jsonl", "frozen21.jsonl",
		"dev51.jsonl", "dev52.jsonl", "dev53.jsonl", "frozen22.jsonl",
		"dev54.jsonl", "dev55.jsonl", "dev56.jsonl", "frozen23.jsonl",
		"dev57.jsonl", "dev58.jsonl", "dev59.jsonl", "frozen24.jsonl",
		"dev60.jsonl", "dev61.jsonl", "dev62.jsonl", "frozen25.jsonl",
		"dev63.jsonl", "dev64.jsonl", "dev65.jsonl", "frozen26.jsonl",
		"dev66.jsonl", "dev67.jsonl", "dev68.jsonl", "frozen27.jsonl",
		"dev69.jsonl", "dev70.jsonl", "dev71.jsonl", "frozen28.jsonl",
		"dev72.jsonl", "dev73.jsonl", "dev74.jsonl", "frozen29.jsonl",
		"dev75.jsonl", "dev76.jsonl", "dev77.jsonl", "frozen30.jsonl",
		"dev78.jsonl", "dev79.jsonl", "dev80.jsonl", "frozen31.jsonl",
		"dev81.jsonl", "dev82.jsonl", "dev83.jsonl", "frozen32.jsonl",
		"dev84.jsonl", "dev85.jsonl", "dev86.jsonl", "frozen33.jsonl",
		"dev87.jsonl", "dev88.jsonl", "dev89.jsonl", "frozen34.jsonl",
		"dev90.jsonl", "dev91.jsonl", "dev92.jsonl", "frozen35.jsonl",
		"dev93.jsonl", "dev94.jsonl", "dev95.jsonl", "frozen36.jsonl",
		"dev96.jsonl", "dev97.jsonl", "dev98.jsonl", "frozen37.jsonl",
		"dev99.jsonl", "dev100.jsonl", "dev101.jsonl", "frozen38.jsonl",
		"dev102.jsonl", "dev103.jsonl", "dev104.jsonl", "frozen39.jsonl",
		"dev105.jsonl", "dev106.jsonl", "dev107.jsonl", "frozen40.jsonl",
		"dev108.jsonl", "dev109.jsonl", "dev110.jsonl", "frozen41.jsonl",
		"dev111.jsonl", "dev112.jsonl", "dev113.jsonl", "dev114.jsonl", "frozen42.jsonl",
		"dev115.jsonl", "dev116.jsonl", "frozen43.jsonl",
		"dev117.jsonl", "dev118.jsonl", "dev119.jsonl", "frozen44.jsonl",
		"dev120.jsonl", "dev121.jsonl", "dev122.jsonl", "dev123.jsonl", "dev124.jsonl", "dev125.jsonl", "frozen45.jsonl", "frozen46.jsonl",
		"dev126.jsonl", "dev127.jsonl", "dev128.jsonl", "dev129.jsonl", "dev130.jsonl", "dev131.jsonl", "frozen47.jsonl", "frozen48.jsonl",
		"dev132.jsonl", "dev133.jsonl", "dev134.jsonl", "dev135.jsonl", "dev136.jsonl", "dev137.jsonl", "frozen49.jsonl", "frozen50.jsonl",
		"dev138.jsonl", "dev139.jsonl", "dev140.jsonl", "dev141.jsonl", "dev142.jsonl", "dev143.jsonl", "frozen51.jsonl", "frozen52.jsonl",
		"dev144.jsonl", "dev145.jsonl", "dev146.jsonl", "dev147.jsonl", "dev148.jsonl", "dev149.jsonl", "frozen53.jsonl", "frozen54.jsonl",
		"dev150.jsonl", "dev151.jsonl", "dev152.jsonl", "dev153.jsonl", "dev154.jsonl", "dev155.jsonl", "frozen55.jsonl", "frozen56.jsonl",
		"dev156.jsonl", "dev157.jsonl", "dev158.jsonl", "dev159.jsonl", "dev160.jsonl", "dev161.jsonl", "frozen57.jsonl", "frozen58.jsonl",
		"dev162.jsonl", "dev163.jsonl", "dev164.jsonl", "dev165.jsonl", "dev166.jsonl", "dev167.jsonl", "frozen59.jsonl", "frozen60.jsonl",
		"dev168.jsonl", "dev169.jsonl", "dev170.jsonl", "dev171.jsonl", "dev172.jsonl", "dev173.jsonl", "frozen61.jsonl", "frozen62.jsonl",
		"dev174.jsonl", "dev175.jsonl", "dev176.jsonl", "dev177.jsonl", "dev178.jsonl", "dev179.jsonl", "frozen63.jsonl", "frozen64.jsonl",
		"dev180.jsonl", "dev181.jsonl", "dev182.jsonl", "dev183.jsonl", "dev184.jsonl", "dev185.jsonl", "frozen65.jsonl", "frozen66.jsonl",
		"dev186.jsonl", "dev187.jsonl", "dev188.jsonl", "dev189.jsonl", "dev190.jsonl", "dev191.jsonl", "frozen67.jsonl", "frozen68.jsonl",
		"dev192.jsonl", "dev193.jsonl", "dev194.jsonl", "dev195.jsonl", "dev196.jsonl", "dev197.jsonl", "frozen69.jsonl", "frozen70.jsonl",
		"dev198.jsonl", "dev199.jsonl", "dev200.jsonl", "dev201.jsonl", "dev202.jsonl", "dev203.jsonl", "frozen71.jsonl", "frozen72.jsonl",
		"dev204.jsonl", "dev205.jsonl", "dev206.jsonl", "dev207.jsonl", "dev208.jsonl", "dev209.jsonl", "frozen73.jsonl", "frozen74.jsonl",
		"dev210.jsonl", "dev211.jsonl", "dev212.jsonl", "dev213.jsonl", "dev214.jsonl", "dev215.jsonl", "frozen75.jsonl", "frozen76.jsonl",
		"dev216.jsonl", "dev217.jsonl", "dev218.jsonl", "dev219.jsonl", "dev220.jsonl", "dev221.jsonl", "frozen77.jsonl", "frozen78.jsonl",
		"dev222.jsonl", "dev223.jsonl", "dev224.jsonl", "dev225.jsonl", "dev226.jsonl", "dev227.jsonl", "frozen79.jsonl", "frozen80.jsonl",
		"dev228.jsonl", "dev229.jsonl", "dev230.jsonl", "dev231.jsonl", "dev232.jsonl", "frozen81.jsonl", "frozen82.jsonl",
		"dev233.jsonl", "dev234.jsonl", "dev235.jsonl", "dev236.jsonl", "dev237.jsonl", "frozen83.jsonl", "frozen84.jsonl",
		"dev238.jsonl", "dev239.jsonl", "dev240.jsonl", "frozen85.jsonl", "frozen86.jsonl"} {
		notes, err := LoadJSONL(filepath.Join(dataDir, set))
		if err != nil {
			t.Fatal(err)
		}
		for ni, n := range notes {
			runes := []rune(n.Text)
			lowerRunes := []rune(strings.ToLower(n.Text))
			if len(lowerRunes) != len(runes) {
				continue
			}
			covered := make([]bool, len(runes))
			for _, s := range n.Spans {
				for i := s.Start; i < s.End; i++ {
					covered[i] = true
				}
			}
			for _, s := range n.Spans {
				if s.Type != deid.TypeName && s.Type != deid.TypeLocation {
					continue
				}
				for _, w := range strings.FieldsFunc(string(lowerRunes[s.Start:s.End]), func(r rune) bool { return !unicode.IsLetter(r) }) {
					if utf8.RuneCountInString(w) < 3 || lex.Words[w]&lexicon.Common != 0 || genericHeads[w] {
						continue
					}
					wr := []rune(w)
					for i := 0; i+len(wr) <= len(lowerRunes); i++ {
						if string(lowerRunes[i:i+len(wr)]) != w || covered[i] {
							continue
						}
						before := i > 0 && unicode.IsLetter(lowerRunes[i-1])
						after := i+len(wr) < len(lowerRunes) && unicode.IsLetter(lowerRunes[i+len(wr)])
						if !before && !after {
							t.Errorf("%s note %d: %q at %d is not marked", set, ni+1, w, i)
						}
					}
				}
			}
		}
	}
}
