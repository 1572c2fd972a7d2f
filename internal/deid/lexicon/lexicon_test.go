package lexicon

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestVocabIsReproducible: the embedded vocab.bin is exactly what the
// committed lists compile to (go run ./gen -table regenerates it).
func TestVocabIsReproducible(t *testing.T) {
	data, err := CompileDir(".")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, vocabBin) {
		t.Fatal("vocab.bin differs from the lists: run `go run ./gen -table -out .` in internal/deid/lexicon")
	}
}

func TestVocabLookup(t *testing.T) {
	v := Vocab()
	for _, c := range []struct {
		w         string
		want, not Flags
	}{
		{"furosemide", Safe, 0},
		{"the", Safe | Common, 0},
		{"levophed", Safe, 0},
		{"sats", Safe, 0},
		{"boston", City | CityFull, 0},
		{"new york", CityFull, 0},
		{"02115", Zip, 0},
		{"zebulonx", 0, Safe | Name},
		{"renzi", 0, Safe},
		// clinical.txt is core vocabulary: nursing shorthand and rare-tier clinical words
		{"vss", Safe | SafeCore, 0},
		{"exudate", Safe | SafeCore, 0},
		{"dopplerable", Safe | SafeCore, 0},
		// the clinical list's own flag: shorthand and drugs, not everyday English
		{"levo", Safe | SafeCore | Clinical, 0},
		{"dobhoff", Clinical, 0},
		{"why", SafeCore, Clinical},
		// left out of clinical.txt: initials ("CLR" signs a note) and common surnames ("Hunt")
		{"clr", Safe, SafeCore},
		{"hunt", Name, Clinical},
		// a name whose clinical sense dominates in ICU notes (wound slough) needs a cue
		{"slough", Name | Clinical, 0},
	} {
		got := v.Lookup(c.w)
		if got&c.want != c.want || got&c.not != 0 {
			t.Errorf("Lookup(%q) = %#x, want %#x set and %#x clear", c.w, got, c.want, c.not)
		}
	}
	if n := Vocab().Lookup("new").CityWords(); n < 2 {
		t.Errorf("CityWords(new) = %d, want >= 2", n)
	}
}

// TestClinicalRoundsHoldNoName: the clinical words added from the eighth round
// on hold no word that the name, city or state lists hold (clinical.txt
// makes a word core vocabulary, and a name there would need a cue to be found).
func TestClinicalRoundsHoldNoName(t *testing.T) {
	words := Get().Words
	rounds := clinicalRoundWords(t, "# eighth round")
	for _, w := range rounds {
		if f := words[w]; f&(Name|City|State) != 0 {
			t.Errorf("clinical.txt (eighth round on): %q is in the name, city or state lists (flags %#x)", w, f)
		}
	}
	if n := len(rounds); n < 500 {
		t.Errorf("only %d words after the eighth-round marker", n)
	}
}

// clinicalRoundWords returns the words of clinical.txt from the comment line
// that starts with marker to the group of names in their clinical sense
// (measured one by one in TestClinicalNinthRound), comments left out.
func clinicalRoundWords(t *testing.T, marker string) []string {
	return clinicalSection(t, marker, clinicalNamesMarker)
}

// clinicalSection returns the words of clinical.txt from the comment line
// that starts with from to the line that starts with to (to the end of the
// file when to is ""), comments left out.
func clinicalSection(t *testing.T, from, to string) []string {
	t.Helper()
	data, err := os.ReadFile("clinical.txt")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), from)
	if !ok {
		t.Fatalf("clinical.txt has no %q section", from)
	}
	if to != "" {
		if section, _, ok = strings.Cut(section, to); !ok {
			t.Fatalf("clinical.txt has no %q section after %q", to, from)
		}
	}
	var words []string
	for i, line := range strings.Split(section, "\n") {
		if i == 0 || strings.HasPrefix(line, "#") { // the rest of the marker's line, comments
			continue
		}
		words = append(words, strings.Fields(line)...)
	}
	return words
}

// clinicalNamesMarker starts the group of clinical.txt whose words a name or
// city list holds and whose clinical sense dominates in ICU notes.
const clinicalNamesMarker = "# names in their clinical sense"

// TestClinicalNinthRound: a sample of every group of the ninth round carries
// the Clinical flag (so the rules and the tagger's veto take it for shorthand
// in any case), and the group of names in their clinical sense holds only
// words of the name or city lists, each Clinical as well.
func TestClinicalNinthRound(t *testing.T) {
	v := Vocab()
	for _, c := range []struct {
		group string
		words []string
	}{
		{"neuro", []string{"evds", "hhh", "ttm", "csm", "npis", "cspine"}},
		{"cardiac", []string{"cvcs", "impellas", "vvecmo", "flotrac", "artline", "angioseal"}},
		{"respiratory", []string{"hhfnc", "avaps", "ipv", "metaneb", "bvm"}},
		{"renal", []string{"scuf", "prismaflex", "phoxillum", "cbi", "avf", "trisodium"}},
		{"gastrointestinal", []string{"pej", "gjtube", "smoflipid", "grv", "fwf", "sse"}},
		{"skin", []string{"hapi", "dti", "mdrpi", "iad", "granufoam", "hovermatt"}},
		{"lines", []string{"ij", "rij", "powerport", "statlock", "halfns", "subclav"}},
		{"neonatal", []string{"bpd", "mec", "pphn", "uvc", "enfamil", "neocate", "fontanelles"}},
		{"trauma and burns", []string{"mvc", "gsw", "glf", "mtp", "stsg", "parkland"}},
		{"transfusion", []string{"fiba", "tands", "uncrossmatched", "trali", "rotem", "cryoprecipitate"}},
		{"scores", []string{"mmrc", "ews", "ibw", "adjbw"}},
		{"makers", []string{"acelity", "autopulse", "enteralite"}},
		{"misspellings", []string{"pnuemonia", "diarrea", "hypertention", "vomitting", "overnite", "noct"}},
		{"shift", []string{"nightshift", "dayshift", "handoffs", "offgoing"}},
		{"laboratory", []string{"ical", "retics", "cdif", "poct", "istat"}},
		{"mobility", []string{"fww", "bscs", "gaitbelt", "gerichair", "hoyered"}},
		{"communication", []string{"ipad", "whatsapp", "vocera", "martti"}},
		{"units", []string{"cvpcu", "cticu", "imcu", "ldrp", "ltachs", "snfs"}},
		{"insurers", []string{"careport", "navihealth", "aetna", "tricare"}},
		{"drugs", []string{"neulasta", "spirono", "zaroxolyn", "diamox"}},
		{"charting", []string{"nkda", "wdl", "ddx", "npos", "lbm", "modassist", "telesitter", "pca", "prns", "sched"}},
		{"arrhythmia", []string{"avnrt", "wpw", "lafb"}},
		{"eeg", []string{"ltm", "gpds", "lrda", "ncse"}},
		{"services", []string{"omfs", "gensurg", "pallcare", "urogyn"}},
		{"orthoses", []string{"afo", "prafo", "multipodus", "lso"}},
		{"neuromuscular", []string{"pyridostigmine", "plasmapheresis", "guillain"}},
		{"contrast", []string{"clevi", "definity", "lumason"}},
		{"oncology", []string{"pjp", "hcc", "nsclc", "dlbcl"}},
		{"airway clearance", []string{"ffm", "exsufflator", "coughassist", "hemoptx"}},
		{"care words", []string{"pericare", "nonskid", "anchorfast", "eob", "cytology"}},
	} {
		for _, w := range c.words {
			if f := v.Lookup(w); f&(Clinical|Safe|SafeCore) != Clinical|Safe|SafeCore {
				t.Errorf("%s: Lookup(%q) = %#x, want Clinical|Safe|SafeCore", c.group, w, f)
			}
		}
	}
	words := Get().Words
	names := clinicalSection(t, clinicalNamesMarker, "")
	n := len(names)
	for _, w := range names {
		if words[w]&(Name|City) == 0 {
			t.Errorf("%q is in no name or city list: it belongs to a group above", w)
		}
		if f := v.Lookup(w); f&Clinical == 0 {
			t.Errorf("Lookup(%q) = %#x, want Clinical", w, f)
		}
	}
	for _, w := range []string{"hunt", "glasgow", "nas", "lal"} { // measured to cost recall, or common surnames
		if f := v.Lookup(w); f&Clinical != 0 {
			t.Errorf("Lookup(%q) = %#x: a name or city that costs recall must stay a candidate", w, f)
		}
	}
	if n < 30 {
		t.Errorf("only %d names in their clinical sense", n)
	}
}

// TestVocabHoldsWords: the compiled table gives every word of the loaded
// lists the same WordFlags, and no other entry carries any of them, so
// Vocab().Lookup(w)&WordFlags equals Get().Words[w] for every w (up to the
// table's 48-bit hash, see table.go).
func TestVocabHoldsWords(t *testing.T) {
	v := Vocab()
	words := Get().Words
	for w, f := range words {
		if got := v.Lookup(w) & WordFlags; got != f {
			t.Fatalf("Lookup(%q)&WordFlags = %#x, Words has %#x", w, got, f)
		}
	}
	n := 0
	v.Each(func(_ uint64, f Flags) {
		if f&WordFlags != 0 {
			n++
		}
	})
	if n != len(words) {
		t.Fatalf("%d table entries carry WordFlags, Words has %d words", n, len(words))
	}
}

// TestOpenTableRejects: a damaged table is an error, never a panic or an
// out-of-range read later.
func TestOpenTableRejects(t *testing.T) {
	good, err := BuildTable(map[string]Flags{"a": Safe, "b": Name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenTable(good); err != nil {
		t.Fatal(err)
	}
	bad := [][]byte{nil, good[:10], good[:len(good)-1], append([]byte("XXXXXXXX"), good[8:]...)}
	idx := bytes.Clone(good)
	idx[headerLen] = 0xff // index entry 0 > n
	bad = append(bad, idx)
	for i, b := range bad {
		if _, err := OpenTable(b); err == nil {
			t.Errorf("case %d: damaged table accepted", i)
		}
	}
}

// FuzzOpenTable: any bytes either fail OpenTable or give a table whose
// look-ups never read out of range.
func FuzzOpenTable(f *testing.F) {
	good, _ := BuildTable(map[string]Flags{"word": Safe, "name": Name})
	f.Add(good)
	f.Add([]byte(tableMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		// any bytes: OpenTable fails or gives a table whose look-ups stay in range
		if tb, err := OpenTable(data); err == nil {
			for _, w := range []string{"word", "name", "x", ""} {
				_ = tb.Lookup(w)
			}
		}
		// round trip: the words of data, compiled, look up their own flags
		words := map[string]Flags{}
		for i, w := range strings.Fields(string(data)) {
			words[w] = Flags(i%flagMask + 1)
		}
		built, err := BuildTable(words)
		if err != nil {
			return // a 48-bit hash collision is reported, not hidden
		}
		tb, err := OpenTable(built)
		if err != nil {
			t.Fatalf("built table rejected: %v", err)
		}
		for w, fl := range words {
			if got := tb.Lookup(w); got != fl {
				t.Fatalf("Lookup(%q) = %d, want %d", w, got, fl)
			}
		}
	})
}

// TestStartupAllocs: opening the embedded vocabulary allocates nothing worth
// counting (the table is read where it is embedded): start-up cost stays flat
// however large the lists grow.
func TestStartupAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := OpenTable(vocabBin); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2 {
		t.Fatalf("OpenTable allocates %.0f times per call, want <= 2", allocs)
	}
}

// TestClinicalEleventhRound: the eleventh round (written by clinical domain, not
// from notes) holds no word of the name, city or state lists, every word of it is
// Clinical, and a sample of each domain's group is there.
func TestClinicalEleventhRound(t *testing.T) {
	checkClinicalRound(t, "# eleventh round", "eleventh round", 3000, []roundSample{
		{"neuro ICU", []string{"hemicraniectomy", "cvst", "paraphasic", "angiopathy", "ventriculostomy", "nimodipine"}},
		{"spine", []string{"laminectomy", "acdf", "kyphoplasty", "myelopathy"}},
		{"cardiac ICU and surgery", []string{"cabg", "sternotomy", "impella", "mitraclip", "evolut", "heartmate", "flotrac"}},
		{"structural heart and EP", []string{"cryoablation", "avnrt", "wenckebach", "lifevest", "ziopatch"}},
		{"respiratory and ventilation", []string{"aprv", "tracoe", "fenestrated", "glidescope", "optiflow", "rsbi"}},
		{"renal and CRRT", []string{"cvvhdf", "prismaflex", "phoxillum", "mahurkar", "purewick"}},
		{"GI, liver and feeding", []string{"cortrak", "osmolite", "peptamen", "smoflipid", "tipss", "sengstaken"}},
		{"ID", []string{"zevtera", "fungitell", "quantiferon", "esbl", "clabsi"}},
		{"heme and transfusion", []string{"prbcs", "cryoprecipitate", "rotem", "romiplostim", "kcentra"}},
		{"endocrine", []string{"glucommander", "dexcom", "tresiba", "mounjaro", "cosyntropin"}},
		{"trauma, burns and ortho", []string{"escharotomy", "fasciotomy", "biobrane", "reboa", "hemiarthroplasty"}},
		{"surgery and wound care", []string{"dermabond", "prineo", "steristrips", "mepilex", "prevena", "granufoam"}},
		{"pressure injury and skin", []string{"unstageable", "periwound", "epibole", "prevalon"}},
		{"OB and neonatal", []string{"preeclampsia", "cervidil", "hemabate", "isolette", "biliblanket"}},
		{"palliative", []string{"hcpoa", "wlst", "roxanol", "painad"}},
		{"discharge and transitional care", []string{"ltach", "snfs", "rollator", "hemiwalker", "telesitter"}},
		{"PT/OT and mobility", []string{"ampac", "prafo", "vfss", "stereognosis"}},
		{"pharmacy", []string{"ofirmev", "toviaz", "myrbetriq", "austedo", "benztropine"}},
		{"oncology", []string{"keytruda", "folfirinox", "venetoclax", "dexrazoxane"}},
		{"lab and imaging", []string{"ntprobnp", "gastrografin", "vueway", "omnipaque"}},
	})
}

// TestClinicalTwelfthRound: the twelfth round (the domains the eleventh did not
// cover, written by domain, not from notes) holds no word of the name, city or
// state lists, every word of it is Clinical, and a sample of each group is there.
func TestClinicalTwelfthRound(t *testing.T) {
	checkClinicalRound(t, "# twelfth round", "twelfth round", 800, []roundSample{
		{"psychiatry and sedation", []string{"icdsc", "ciwaar", "phq"}},
		{"toxicology", []string{"salicylates", "udt"}},
		{"paediatrics", []string{"peds", "paediatric"}},
		{"ophthalmology", []string{"iop", "undilated"}},
		{"ENT and dental", []string{"otolaryngology", "ohns"}},
		{"urology, gynaecology and nephrology", []string{"cysto", "cystoscope"}},
		{"dermatology", []string{"macular", "papular"}},
		{"rheumatology and allergy", []string{"sle", "sjogrens"}},
		{"vascular and IR", []string{"evar", "tevar"}},
		{"anaesthesia", []string{"anesthetist", "warmers"}},
		{"transplant", []string{"ltx", "ktx"}},
		{"microbiology", []string{"oxa", "nogrowth"}},
		{"lab panels", []string{"hfp", "tprot"}},
		{"nursing documentation", []string{"sbar", "ipass"}},
		{"equipment", []string{"bariair", "siderails"}},
		{"roles and units", []string{"attendings", "chargenurse"}},
		{"roots", []string{"hepato", "pulmo"}},
		{"misspellings", []string{"paitents", "reciept"}},
	})
}

// TestClinicalThirteenthRound: the thirteenth round (scales, approaches, antibodies,
// formulas and devices by name, clipped and past verb forms, plurals of acronyms and
// misspellings, written by domain, not from notes) holds no word of the name, city or
// state lists, every word of it is Clinical, and a sample of each group is there.
func TestClinicalThirteenthRound(t *testing.T) {
	checkClinicalRound(t, "(thirteenth round", "thirteenth round", 250, []roundSample{
		{"neuro scales and approaches", []string{"befast", "pterional", "retrosigmoid"}},
		{"EEG", []string{"triphasics", "periictal"}},
		{"antibodies", []string{"nmdar", "mogad", "achr"}},
		{"neuro-ophthalmology", []string{"miosis", "abducens"}},
		{"fractures", []string{"odontoid", "pertrochanteric"}},
		{"cardiology and scores", []string{"intermacs", "gdmt", "meldna", "kdigo"}},
		{"formulas", []string{"duocal", "ketocal"}},
		{"devices", []string{"powerpicc", "bactiseal"}},
		{"verb forms", []string{"eval'd", "spont", "wean'd"}},
		{"plurals of acronyms", []string{"aeds", "abxs"}},
		{"misspellings", []string{"deficts", "ventillator"}},
	})
}

// TestClinicalFourteenthRound: the fourteenth round (the systematic pass over the
// list: plurals of acronyms, clipped forms, the nurse's past forms, misspellings by
// hand and generated by a dropped or swapped letter) holds no word of the name, city
// or state lists, every word of it is Clinical, and a sample of each group is there.
func TestClinicalFourteenthRound(t *testing.T) {
	checkClinicalRound(t, "(fourteenth round", "fourteenth round", 4000, []roundSample{
		{"plurals", []string{"hfncs", "nstemis", "tpns", "cpots", "cdiffs"}},
		{"clipped", []string{"hemodynam", "letharg", "nondist", "intermitt", "discont"}},
		{"past forms", []string{"suction'd", "reextubated", "xfer'd", "pancx'd", "heplocked"}},
		{"misspellings by hand", []string{"tollerated", "moniterd", "ventilatr", "rythm", "tubefeedings"}},
		{"misspellings generated", []string{"sedatin", "bleedng", "stength", "troponn", "diarrhe"}},
		{"parts of slashed and hyphenated shorthand", []string{"accu", "aox", "aaox"}},
	})
}

// roundSample is a sample of one domain's group of a round of clinical.txt.
type roundSample struct {
	group string
	words []string
}

// checkClinicalRound: the round of clinical.txt that starts at marker holds no
// word of the name, city or state lists, every word of it is Clinical, it has at
// least min words, and each group's sample is there.
func checkClinicalRound(t *testing.T, marker, label string, min int, samples []roundSample) {
	t.Helper()
	v := Vocab()
	round := clinicalRoundWords(t, marker)
	for _, w := range round {
		if f := v.Lookup(w); f&(Name|City|State) != 0 || f&Clinical == 0 {
			t.Errorf("%s: Lookup(%q) = %#x, want Clinical and no Name, City or State", label, w, f)
		}
	}
	if n := len(round); n < min {
		t.Errorf("only %d words in the %s", n, label)
	}
	for _, c := range samples {
		for _, w := range c.words {
			if f := v.Lookup(w); f&Clinical == 0 || f&(Name|City|State) != 0 {
				t.Errorf("%s: Lookup(%q) = %#x, want Clinical and no Name, City or State", c.group, w, f)
			}
		}
	}
}

// TestClinicalFromBatches: the shorthand that each development batch showed
// at first contact is Clinical, the words on a name or city list among it as
// well (a name then only after a cue: "txp", "contin", "coban", "lyme").
func TestClinicalFromBatches(t *testing.T) {
	v := Vocab()
	for _, tc := range []struct {
		batch string
		words []string
	}{
		{"dev29: transplant, burn and medication shorthand", []string{"thymo", "ioban", "cepacol", "pancultured", "resus",
			"lifeflight", "txp", "olt", "nare", "ung", "sarna", "contin", "alb", "nak", "ok'd"}},
		{"dev17-dev27: eponymous drains and monitors, acronyms", []string{"holter", "penrose", "quinton", "brady", "sar",
			"dai", "nash", "lille", "passcode"}},
		{"dev30, dev31: cardiology and medical ICU", []string{"vad", "endomyocardial", "pyp", "ccta", "lexiscan", "tafamidis",
			"femostop", "cst", "comorbidities", "subtherapeutic", "cardiothoracic", "monomorphic", "inducible", "coban", "mets",
			"palmar", "blakemore", "blocker", "lyme"}},
		{"dev32, dev33: neuro and community ICU", []string{"radiata", "hemosiderin", "oligoclonal", "neurocrit", "ncc", "liq",
			"arnd", "dsa", "pica", "cocci", "lite", "camino", "ehl", "aca"}},
		{"dev34, dev35: neonatal and trauma ICU", []string{"ncpap", "lfnc", "nimv", "neopuff", "heelstick", "neobar",
			"degloving", "hpb", "langenbeck", "amnestic", "menactra", "splenorrhaphy", "ssrf", "ws", "fe", "drager", "bromage", "spica"}},
		{"dev57-dev59: pediatric, obstetric and toxicology ICU", []string{"popsicle", "dextrostick", "sbirt", "bifida", "alte",
			"umb", "accreta", "hyst", "mfm", "crofab", "hiet", "moud", "barky", "maint", "wat", "enox", "fontan", "brue", "bakri",
			"sil", "mil", "pree", "elecare", "moro", "payor", "pec"}},
		{"dev3-dev16: acronyms of older batches", []string{"edd", "sem", "biba", "gip", "ida"}},
		{"dev62: radiology, microbiology and shorthand", []string{"bronchograms", "cardiomediastinal", "leuk", "mastoids",
			"pneumobilia", "trimeth", "bfast", "wkd", "bsd", "allscripts"}},
		{"dev60, dev61: transplant and sepsis ICU", []string{"nodat", "hapen", "armboard", "eyemask", "cavitary",
			"superinfection", "dbl", "bk"}},
		{"dev63-dev65: cardiac surgery, delirium and psychiatric ICU, reports", []string{"vh", "lanugo", "decanoate",
			"cogwheeling", "frostnip", "bedbound", "disorg", "mainecare", "ssdi", "ra", "nervosa", "wtr", "geripsych",
			"geri", "li", "roi", "halal", "echogenic", "intraluminal", "compressibility", "clsi", "sulci"}},
		{"dev66-dev68: neurosurgery and stroke, GI bleeds and the liver, long ventilation and ECMO", []string{"sublux",
			"antithrombotics", "plegic", "portosystemic", "ftn", "mispe", "cmds", "mfv", "dampned", "stopcock",
			"recanalize", "cyanoacrylate", "xanthomas", "velcro", "sternocleidomastoids", "dpc", "kurdish", "sorani", "samoan"}},
	} {
		t.Run(tc.batch, func(t *testing.T) {
			for _, w := range tc.words {
				if v.Lookup(w)&Clinical == 0 {
					t.Errorf("%q is not Clinical", w)
				}
			}
		})
	}
}

// TestClinicalFifteenthRound: every word of the fifteenth round (drugs, tests
// and procedures, devices and products, written by family) is Clinical and on
// no name, city or state list, and a sample of each family is there.
func TestClinicalFifteenthRound(t *testing.T) {
	checkClinicalRound(t, "(fifteenth round", "fifteenth round", 1300, []roundSample{
		{"anticoagulants and reversal", []string{"defitelio", "aggrenox", "bevyxxa", "zontivity", "balfaxar"}},
		{"heart failure and amyloid", []string{"finerenone", "vyndamax", "acoramidis", "mavacamten", "sotatercept"}},
		{"vasoactives and sedatives", []string{"remimazolam", "byfavo", "zurnai", "droxidopa", "buprenex"}},
		{"neuro and psych", []string{"ganaxolone", "lecanemab", "efgartigimod", "zilucoplan", "caplyta"}},
		{"diabetes and endocrine", []string{"bexagliflozin", "soliqua", "rezvoglar", "dasiglucagon", "etelcalcetide"}},
		{"anti-infectives", []string{"zevtera", "xacduro", "rezzayo", "lenacapavir", "tecovirimat"}},
		{"monoclonal antibodies", []string{"tezepelumab", "pemgarda", "ublituximab", "mirikizumab", "fitusiran"}},
		{"oncology", []string{"teclistamab", "carvykti", "tarlatamab", "pirtobrutinib", "olutasidenib"}},
		{"GI, renal, hematology", []string{"vonoprazan", "tenapanor", "derisomaltose", "sevenfact", "hemgenix"}},
		{"respiratory", []string{"ensifentrine", "ohtuvayre", "breztri", "trikafta", "glassia"}},
		{"eye and topical", []string{"rocklatan", "lifitegrast", "faricimab", "lantiseptic", "prevantics"}},
		{"cardiac tests", []string{"tetrofosmin", "lvotvti", "farapulse", "aveir", "ziopatches"}},
		{"neuro tests", []string{"embotrap", "neuroform", "microdialysis", "neuroptics", "vemu"}},
		{"GI and pulmonary procedures", []string{"hemospray", "purastat", "pillcam", "cryobiopsy", "tbna"}},
		{"lab tests", []string{"verifynow", "hstnt", "cystatin", "anticcp", "vancotrough"}},
		{"radiology", []string{"pylarify", "flowtriever", "clottriever", "vueway", "loopogram"}},
		{"lines and infusion", []string{"powerhohn", "swabflush", "securacath", "accuvein", "guardiva"}},
		{"dressings and ostomy", []string{"exufiber", "melgisorb", "sensuraflex", "ceraplus", "digniseal"}},
		{"beds and monitors", []string{"procuity", "leafsense", "sarastedy", "carescape", "heartstart"}},
		{"ventilators and airway", []string{"servoi", "oxymizer", "aerogen", "kingvision", "neosucker"}},
		{"supplements and urology", []string{"nephrocaps", "ashwagandha", "florastor", "uribel", "selenious"}},
		{"IV fluids and electrolytes", []string{"lrbolus", "multrys", "tralement", "cagluconate", "mgsulfate"}},
		{"cardiac devices", []string{"vascade", "proglide", "ingevity", "carelink", "bioreactance"}},
		{"assessment scales", []string{"nvpss", "nudesc", "jhfrat", "mulbsta", "nutric"}},
		{"more brands and orders", []string{"gocovri", "ongentys", "gloperba", "nwbat", "carbcontrolled"}},
		{"more tests and procedures", []string{"ffrct", "postdilated", "myelography", "colonoscoped", "angioectasia"}},
		{"pumps and ventilation", []string{"smartpump", "guardrails", "aprvs", "intellivent", "deproned"}},
	})
}

// TestClinicalSixteenthRound: every word of the sixteenth round (outpatient
// clinic and report-style vocabulary, written by domain) is Clinical and on no
// name, city or state list, and a sample of each domain is there.
func TestClinicalSixteenthRound(t *testing.T) {
	checkClinicalRound(t, "(sixteenth round", "sixteenth round", 1400, []roundSample{
		{"anatomy and histology", []string{"acinar", "lepidic", "myometrium", "ectocervical", "trilineage"}},
		{"surgical pathology and cytology", []string{"endometrioid", "cytospins", "thinprep", "malperfusion", "dmmr"}},
		{"staging and grading", []string{"figo", "ajcc", "iaslc", "pirads", "goutallier"}},
		{"hematopathology", []string{"dyserythropoiesis", "emperipolesis", "pseudopelger", "mspike"}},
		{"radiology", []string{"tomosynthesis", "superscan", "tardus", "parvus", "ctdivol"}},
		{"cardiology diagnostics", []string{"eroa", "contracta", "flurpiridaz", "pressurewire"}},
		{"sleep and PFT", []string{"cataplexy", "soremp", "waso", "mslt", "methacholine"}},
		{"OB/prenatal and gynecology", []string{"chorionicity", "succenturiate", "glucola", "pipelle", "fezolinetant"}},
		{"pediatric primary care", []string{"vaxelis", "pentacel", "mchatr", "heeadsss", "adrenarche"}},
		{"PT/OT and sports medicine", []string{"beighton", "hillsachs", "vomis", "quickdash", "iastm"}},
		{"urgent care and occupational health", []string{"fmcsa", "nrcme", "benzoylecgonine", "portacount", "matrixectomy"}},
		{"oncology and radiation oncology", []string{"mfolfirinox", "loncastuximab", "hypofractionated", "isodose", "dibh"}},
		{"ambulatory surgery and anesthesia", []string{"thyromental", "barhemsys", "clorotekal", "latarjet", "remplissage"}},
		{"addiction and behavioral health", []string{"brixadi", "microinduction", "cageaid", "zuranolone", "tfcbt"}},
		{"correctional and EMS", []string{"detainees", "pillline", "dcapbtls", "opqrst", "extrication"}},
	})
}

// TestCuratedNames: the common names the long list lacks or holds out are
// names (with CuratedName), whatever the held-out tenth says, and the curated
// list's everyday words, clinical words, contractions and two-letter words
// are not.
func TestCuratedNames(t *testing.T) {
	v := Vocab()
	for _, w := range []string{"davis", "garcia", "clark", "jackson", "amy", "andrew"} {
		if f := v.Lookup(w); f&(Name|CuratedName) != Name|CuratedName {
			t.Errorf("Lookup(%q) = %#x, want a curated name", w, f)
		}
	}
	for _, w := range []string{"smith", "johnson", "maria"} { // the long list's own
		if f := v.Lookup(w); f&Name == 0 || f&CuratedName != 0 {
			t.Errorf("Lookup(%q) = %#x, want a name of the long list", w, f)
		}
	}
	for _, w := range []string{"i'm", "care", "running", "code", "summer", "roman", "miller", "al", "le", "heimlich", "dopp"} {
		if f := v.Lookup(w); f&CuratedName != 0 {
			t.Errorf("Lookup(%q) = %#x: the curated list should have left it out", w, f)
		}
	}
}

// TestCuratedNamesStayOffEverydayWords: no curated name is an everyday word
// (SUBTLEX's lower-case words, SCOWL's everyday tier) or on the clinical
// list. The generator drops such words when it writes the list; a word added
// to clinical.txt later (`-table` does not rewrite the list) would otherwise
// be a name and clinical shorthand at once.
func TestCuratedNamesStayOffEverydayWords(t *testing.T) {
	v := Vocab()
	names := lines("curated-names.txt.gz")
	for _, n := range names {
		if f := v.Lookup(strings.ToLower(n)); f&(Common|SafeCore|Clinical) != 0 {
			t.Errorf("curated name %q has flags %#x: an everyday or clinical word (rerun the generator or take it off clinical.txt)", n, f)
		}
	}
	if len(names) < 3000 {
		t.Errorf("only %d curated names", len(names))
	}
}
