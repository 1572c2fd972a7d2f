package synth

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Real-note styles (issue 13): ICU nursing notes in all capitals, all lower
// case and mixed case, telegraphic shorthand, vital-sign lines, ventilator
// settings, headers and lists, respiratory-care, transfer and social-work
// notes, discharge summaries, radiology and lab reports, phone messages.
// Casing is a property of the note: the whole note, PHI included, is cased
// at once, as real writers do (30 % capitals, 26 % lower case, measured in
// ../shared/docs/deid-real-notes.md). Most lines are clinical shorthand full
// of numbers that are not PHI; a quarter of the notes hold no PHI at all.

//go:embed faker-intl.json.gz
var fakerIntlGz []byte

// intlPools are names and towns of faker's non-English locales
// (gen/extract-intl.mjs): "Júlia", "Wróblewska", "Hoàng", "Aalborg".
type intlPools struct {
	First, Last, Cities []string
}

func loadIntl() (*intlPools, error) {
	zr, err := gzip.NewReader(bytes.NewReader(fakerIntlGz))
	if err != nil {
		return nil, fmt.Errorf("synth intl word lists: %w", err)
	}
	var p intlPools
	if err := json.NewDecoder(zr).Decode(&p); err != nil {
		return nil, fmt.Errorf("synth intl word lists: %w", err)
	}
	return &p, nil
}

// Casing of a note.
const (
	caseMixed = iota
	caseUpper
	caseLower
)

// rs draws the parts of real-style notes.
type rs struct {
	*gen
	intl *intlPools
	// wordNames are first names that are also common English words ("bill", "hope").
	wordNames []string
	casing    int
	// biz: RealStyleOptions.Businesses (business.go).
	biz bool
}

// GenerateRealStyle returns n notes in real clinical-note styles with gold
// spans, drawn deterministically from seed. The Kind of each note names its
// style and casing ("nursing/upper").
func GenerateRealStyle(seed uint64, n int) ([]Note, error) {
	return GenerateRealStyleWith(seed, n, RealStyleOptions{})
}

// GenerateRealStyleWith is GenerateRealStyle with the shapes opts adds; with
// the zero options it returns what GenerateRealStyle returns.
func GenerateRealStyleWith(seed uint64, n int, opts RealStyleOptions) ([]Note, error) {
	p, err := loadPools()
	if err != nil {
		return nil, err
	}
	intl, err := loadIntl()
	if err != nil {
		return nil, err
	}
	lex := lexicon.Get()
	g := &rs{gen: &gen{p: p, r: rand.New(rand.NewPCG(seed, 0x4ea1))}, intl: intl, biz: opts.Businesses}
	for _, f := range append(append([]string{}, p.firstIn...), p.firstOut...) {
		if lex.Words[strings.ToLower(f)]&lexicon.Common != 0 && len(f) > 2 {
			g.wordNames = append(g.wordNames, f)
		}
	}
	kinds := []struct {
		name   string
		weight int
		fn     func(*builder)
	}{
		{"nursing", 40, g.nursing}, {"resp", 6, g.respCare}, {"transfer", 6, g.transferNote},
		{"social", 6, g.socialWork}, {"discharge", 10, g.dischargeRS}, {"radiology", 10, g.radiology},
		{"lab", 6, g.labRS}, {"phone", 10, g.phoneMsg}, {"consult", 6, g.consultRS},
	}
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	notes := make([]Note, 0, n)
	for range n {
		x := g.r.IntN(total)
		k := kinds[0]
		for _, kk := range kinds {
			if x < kk.weight {
				k = kk
				break
			}
			x -= kk.weight
		}
		b := &builder{}
		g.casing = caseMixed
		casing := "mixed"
		switch r := g.r.Float64(); {
		case r < 0.30:
			g.casing, casing, b.cs = caseUpper, "upper", upperRunes
		case r < 0.56:
			g.casing, casing, b.cs = caseLower, "lower", lowerRunes
		}
		k.fn(b)
		text := strings.TrimRight(b.sb.String(), "\n ")
		notes = append(notes, Note{Text: text, Spans: b.spans, Kind: k.name + "/" + casing})
	}
	return notes, nil
}

// upperRunes and lowerRunes change case rune by rune, so offsets in code
// points stay valid.
func upperRunes(s string) string { return strings.Map(unicode.ToUpper, s) }
func lowerRunes(s string) string { return strings.Map(unicode.ToLower, s) }

func (g *rs) oneOf(list ...string) string { return list[g.r.IntN(len(list))] }

// ---- people ---------------------------------------------------------------

func (g *rs) firstName() string {
	switch r := g.r.Float64(); {
	case r < 0.12 && len(g.wordNames) > 0:
		return g.pick(g.wordNames)
	case r < 0.30:
		return g.pick(g.intl.First)
	case r < 0.60:
		return g.pick(g.p.firstOut)
	default:
		return g.pick(g.p.firstIn)
	}
}

func (g *rs) lastName() string {
	var s string
	switch r := g.r.Float64(); {
	case r < 0.25:
		s = g.pick(g.intl.Last)
	case r < 0.60:
		s = g.pick(g.p.lastOut)
	default:
		s = g.pick(g.p.lastIn)
	}
	switch {
	case g.coin(0.05):
		s += "-" + g.pick(g.p.lastOut)
	case g.coin(0.03):
		s = "O'" + s
	case g.coin(0.02):
		s = "Mc" + s
	}
	return s
}

// nameCase: in a mixed-case note, a name is sometimes written in capitals
// or lower case by itself (38 % / 21 % of names in real notes are).
func (g *rs) nameCase(s string) string {
	if g.casing != caseMixed {
		return s
	}
	switch r := g.r.Float64(); {
	case r < 0.12:
		return upperRunes(s)
	case r < 0.20:
		return lowerRunes(s)
	}
	return s
}

// doctor writes a titled reference to a clinician: "dr smithers", "DR. E. WELSH".
func (g *rs) doctor(b *builder) {
	title := g.oneOf("Dr. ", "Dr ", "dr ", "dr. ", "DR ", "Dr.")
	if title == "Dr." && !g.coin(0.3) {
		title = "Dr. "
	}
	b.t(title)
	switch g.r.IntN(6) {
	case 0:
		b.phi(name, g.nameCase(g.firstName()+" "+g.lastName()))
	case 1:
		b.phi(name, g.nameCase(string(rune('A'+g.r.IntN(26)))+". "+g.lastName()))
	default:
		b.phi(name, g.nameCase(g.lastName()))
	}
}

// staffFirst writes a nurse or therapist by first name and credential: "STACEY RN".
func (g *rs) staffFirst(b *builder) {
	b.phi(name, g.nameCase(g.firstName()))
	b.t(g.oneOf(" RN", ", RN", " RRT", " PT", " (RT)", " from resp", " NP", " SW"))
}

var relations = []string{"wife", "husband", "son", "daughter", "dtr", "sister", "brother", "niece", "nephew", "mother", "father", "friend", "partner", "grandson", "granddaughter", "daughter-in-law", "son in law", "neighbor", "hcp", "girlfriend", "boyfriend", "fiance", "cousin", "aunt", "roommate"}

// relative writes a family member with a cue: "son bill", "pt's wife MARGIE", "HCP rosa delgado".
func (g *rs) relative(b *builder) {
	rel := g.pick(relations)
	b.t(g.oneOf("", "", "pt's ", "pts ", "her ", "his ", "pt ")).t(rel, g.oneOf(" ", " ", " ", ", ", "- "))
	if g.coin(0.3) {
		b.phi(name, g.nameCase(g.firstName()+" "+g.lastName()))
	} else {
		b.phi(name, g.nameCase(g.firstName()))
	}
}

// patientName writes the patient by title: "mr.renzi", "MRS KOWALCZYK".
func (g *rs) patientName(b *builder) {
	b.t(g.oneOf("mr.", "mr. ", "mrs. ", "ms ", "Mr. ", "Mrs ", "MR ", "MRS. ", "Ms. ", "mr "))
	b.phi(name, g.nameCase(g.lastName()))
}

// fullInPhrase writes an unknown full name in an ordinary phrasing.
func (g *rs) fullInPhrase(b *builder) {
	f, l := g.nameCase(g.firstName()), g.nameCase(g.lastName())
	switch g.r.IntN(7) {
	case 0:
		b.t("Patient ").phi(name, f+" "+l).t(" (MRN ").phi(deid.TypeID, g.digits(7)).t(")")
	case 1:
		b.t("Pt ").phi(name, f+" "+l).t(fmt.Sprintf(", %d%s", 20+g.r.IntN(69), g.oneOf("M", "F", " yo m", " y/o f")))
	case 2:
		b.t("spoke with ").phi(name, f+" "+l).t(g.oneOf(" and his wife", " and her husband", " and family", ""))
	case 3:
		b.phi(name, l+", "+f)
		switch g.r.IntN(3) {
		case 0:
			b.t(" DOB ").phi(deid.TypeDate, g.dateNumeric())
		case 1:
			b.t(fmt.Sprintf(", %d %s, ", 20+g.r.IntN(69), g.oneOf("F", "M", "yo F", "y/o m")))
		default:
			b.t(g.oneOf(" is a ", " was seen ", " returns "))
		}
	case 4:
		b.t("Admitted ").phi(name, f+" "+l).t(" to ward ", fmt.Sprint(1+g.r.IntN(9)), g.oneOf("A", "B", "C", "W", "E"))
	case 5:
		b.t("seen with ").phi(name, f+" "+l).t(" at bedside")
	default:
		b.phi(name, f+" "+l).t(g.oneOf(" is a ", " was seen, ", " reports ", " states "))
	}
}

// typist writes an author or typist code at the end of a report.
func (g *rs) typist(b *builder) {
	ini := g.letters(2 + g.r.IntN(2))
	switch g.r.IntN(5) {
	case 0:
		b.phi(name, ini).t(":").phi(name, lowerRunes(g.lastName()))
	case 1:
		b.phi(name, ini).t("/").phi(name, lowerRunes(g.letters(2)))
	case 2:
		b.t("-").phi(name, ini)
	case 3:
		b.phi(deid.TypeID, lowerRunes(g.letters(2))+g.digits(2))
	default:
		b.t(g.oneOf("Dictated by: ", "Transcribed: ", "D: ")).phi(name, ini)
	}
}

// ---- places ---------------------------------------------------------------

func (g *rs) town() string {
	if g.coin(0.25) {
		return g.pick(g.intl.Cities)
	}
	return g.city()
}

// hospitalRS returns a hospital or care facility, or its abbreviation.
func (g *rs) hospitalRS() string {
	switch g.r.IntN(12) {
	case 0:
		return g.letters(2 + g.r.IntN(2)) // GH, BWH
	case 1:
		return "St. " + g.firstName() + "'s"
	case 2:
		return g.oneOf("st ", "St ", "Saint ") + g.firstName()
	case 3:
		return g.town() + g.oneOf(" General", " Memorial", " Regional", " Community Hospital")
	case 4:
		return g.lastName() + g.oneOf(" Manor", " Rehab", " House", " Nursing Home", " Nursing and Rehab", " Hospice", " Center", " Place")
	case 5:
		return g.oneOf("Sacred Heart", "Good Samaritan", "Mercy", "Holy Cross", "Providence", "Hope Lodge", "Union Memorial", "Shady Grove", "Mount Sinai", "Beth Israel")
	case 6:
		return g.lastName() // levindale, keswick: a facility by one word
	default:
		return g.hospital()
	}
}

// ward returns a ward named after a person or place: "Quartermain 2", "WEST 4".
func (g *rs) ward() string {
	if g.coin(0.3) {
		return g.oneOf("West", "East", "North", "South") + " " + fmt.Sprint(1+g.r.IntN(12))
	}
	return g.lastName() + " " + fmt.Sprint(1+g.r.IntN(12))
}

// place writes a place with a cue: "TRANS TO GH", "from baltimore rehab", "lives in towson".
func (g *rs) place(b *builder) {
	loc := deid.TypeLocation
	switch g.r.IntN(9) {
	case 0:
		b.t(g.oneOf("trans to ", "transfer to ", "transferred to ", "tx to ", "to go to ")).phi(loc, g.nameCase(g.hospitalRS()))
	case 1:
		b.t(g.oneOf("transferred from ", "from ", "admitted from ", "arrived from ", "sent from ")).phi(loc, g.nameCase(g.hospitalRS()))
	case 2:
		b.t(g.oneOf("transfer to ", "bed on ", "trans to ", "to ")).phi(loc, g.nameCase(g.ward()))
	case 3:
		b.t(g.oneOf("lives in ", "lives alone in ", "from ", "driving in from ", "calling from ", "home in ")).phi(loc, g.nameCase(g.town()))
	case 4:
		st := g.street()
		b.t(g.oneOf("pharmacy: ", "called ")).phi(loc, g.oneOf("CVS", "Walgreens", "Rite Aid")+" on "+st[strings.IndexByte(st, ' ')+1:])
	case 5:
		b.t(g.oneOf("lives at ", "address ")).phi(loc, g.nameCase(g.street()))
	case 6:
		b.t(g.oneOf("pcp at ", "f/u at ", "rehab at ", "works at ", "d/c to ")).phi(loc, g.nameCase(g.hospitalRS()))
	case 7:
		b.t("screened for ").phi(loc, g.nameCase(g.hospitalRS())).t(" and ").phi(loc, g.nameCase(g.hospitalRS()))
	default:
		b.phi(loc, g.nameCase(g.town())).t(g.oneOf(" rehab", " ems", " fire rescue", " police"))
	}
}

// ---- dates, phones, ids -------------------------------------------------

func (g *rs) dateNumeric() string {
	m, d, y := 1+g.r.IntN(12), 1+g.r.IntN(28), 1930+g.r.IntN(95)
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("%d/%d/%02d", m, d, y%100)
	case 1:
		return fmt.Sprintf("%02d/%02d/%d", m, d, y)
	default:
		return fmt.Sprintf("%d/%d/%d", m, d, y)
	}
}

// dateRS writes a date in nursing-note habits: glued to punctuation, month/year, bare m/d.
func (g *rs) dateRS(b *builder) {
	m, d, y := 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(100)
	dt := deid.TypeDate
	switch g.r.IntN(10) {
	case 0:
		b.phi(dt, fmt.Sprintf("%d/%d", m, d)).t(g.oneOf("-admitted", "-", "...", "--", ":"))
	case 1:
		b.t(g.oneOf("echo ", "cath ", "last seen ", "dx ")).phi(dt, fmt.Sprintf("%d/%02d", m, y)).t(g.oneOf(" showing", "", ","))
	case 2:
		b.t(g.oneOf("since ", "on ", "(", "from ")).phi(dt, fmt.Sprintf("%d/%d", m, d)).t(g.oneOf("", ")", " "))
	case 3:
		b.phi(dt, fmt.Sprintf("%d/%d/%02d", m, d, y)).t(g.oneOf("...", ".", ";", ""))
	case 4:
		b.t(g.oneOf("in ", "since ", "last ")).phi(dt, g.oneOf("january", "february", "march", "april", "june", "july", "august", "september", "october", "november", "december"))
	case 5:
		b.t(g.oneOf("on ", "last ", "since ")).phi(dt, g.oneOf("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "Mon", "Tues", "Thurs", "Fri"))
	case 6:
		b.phi(dt, fmt.Sprintf("%d/%d", m, d)).t(g.oneOf(" @ ", " at ")).t(fmt.Sprintf("%02d%02d", g.r.IntN(24), 15*g.r.IntN(4)))
	default:
		b.t(g.oneOf("on ", "", "date ")).phi(dt, g.date())
	}
}

// phoneRS writes a phone or pager in nursing-note habits.
func (g *rs) phoneRS(b *builder) {
	ph := deid.TypePhone
	num := g.phoneDigits()
	switch g.r.IntN(9) {
	case 0:
		b.phi(name, g.nameCase(g.firstName())).t(g.oneOf("---", "--", "-", ": ", " @ ")).phi(ph, num)
	case 1:
		b.t(g.oneOf("CELLULAR-", "cell-", "CELL#", "home#", "h)", "c)")).phi(ph, num)
	case 2:
		b.t(g.oneOf("pager ", "beeper #", "pgr ", "p")).phi(ph, g.digits(5))
	case 3:
		b.t(g.oneOf("x", "ext ", "X ")).phi(ph, fmt.Sprintf("%d-%s", 1+g.r.IntN(9), g.digits(4)))
	case 4:
		b.t(g.oneOf("tel ", "phone ", "call ")).phi(ph, g.oneOf("+44 7700 "+g.digits(6), "01"+g.digits(3)+" "+g.digits(6), "+49 30 "+g.digits(8), "+33 6 "+g.digits(2)+" "+g.digits(2)+" "+g.digits(2)+" "+g.digits(2)))
	case 5:
		b.t(g.oneOf("(", ", ", " - ", "faxed to ", "to ", "at ", "")).phi(ph, num).t(g.oneOf(")", "", ".", ","))
	default:
		b.t(g.oneOf("phone ", "# ", "tel ", "cell ", "can be reached at ", "call back ")).phi(ph, num)
	}
}

func (g *rs) phoneDigits() string {
	a, x, c := g.digits(3), g.digits(3), g.digits(4)
	switch g.r.IntN(5) {
	case 0:
		return a + " " + x + "-" + c
	case 1:
		return a + " " + x + " " + c
	case 2:
		return "(" + a + ")" + x + "-" + c
	default:
		return g.phone()
	}
}

// ---- clinical shorthand (no PHI) -----------------------------------------

func (g *rs) n(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *rs) rng(lo, hi, step int) string {
	a := g.n(lo, hi)
	return fmt.Sprintf("%d-%d", a, a+step*g.n(1, 3))
}

func (g *rs) bp() string {
	s, d := g.n(85, 170), g.n(40, 95)
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf("%d-%d/%d-%d", s, s+g.n(5, 30), d, d+g.n(5, 20))
	case 1:
		return fmt.Sprintf("%d0s/%d0s", s/10, d/10)
	case 2:
		return fmt.Sprintf("%ds-%ds/%ds", s/10*10, s/10*10+20, d/10*10)
	default:
		return fmt.Sprintf("%d/%d", s, d)
	}
}

var drips = []string{"levo", "neo", "propofol", "fentanyl", "versed", "heparin", "insulin", "nitro", "dopa", "dobutamine", "milrinone", "amio", "dilt", "precedex", "nicardipine", "vasopressin", "lasix", "esmolol", "protonix", "cisatracurium"}

func (g *rs) vitals() string {
	return g.oneOf(
		fmt.Sprintf("VS: T %d.%d, HR %d, BP %s, RR %d, SAT %d%% %s", g.n(96, 101), g.n(0, 9), g.n(50, 130), g.bp(), g.n(10, 32), g.n(86, 100), g.oneOf("RA", "2L", "4L NC", "40% FM", "on vent")),
		fmt.Sprintf("hr %s %s, bp %s, sats %s%% on %dl nc", g.rng(55, 120, 10), g.oneOf("nsr", "st", "sb", "afib", "sr w/ occ pvc's", "a-paced"), g.bp(), g.rng(88, 97, 1), g.n(1, 6)),
		fmt.Sprintf("BP in %s %d0s, HR %d0s, afebrile", g.oneOf("low", "high", "mid"), g.n(8, 16), g.n(5, 12)),
		fmt.Sprintf("vss. tmax %d.%d. u/o %s cc/hr.", g.n(98, 102), g.n(0, 9), g.rng(20, 80, 10)),
		fmt.Sprintf("MAP >%d, CVP %s, CI %d.%d", g.n(55, 70), g.rng(4, 14, 2), g.n(1, 3), g.n(0, 9)),
	)
}

func (g *rs) vent() string {
	return g.oneOf(
		fmt.Sprintf("CPAP %d/%d FIO2 %d%%", g.n(5, 10), g.n(5, 8), 10*g.n(3, 6)),
		fmt.Sprintf("PS %d/%d, RR %s, VT %s", g.n(5, 15), g.n(5, 10), g.rng(12, 28, 2), g.rng(300, 550, 50)),
		fmt.Sprintf("AC %dx%d PEEP %d FIO2 %d%%", 50*g.n(7, 12), g.n(10, 28), g.n(5, 16), 10*g.n(3, 10)),
		fmt.Sprintf("cmv %dx%d peep %d fio2 .%d", 50*g.n(7, 12), g.n(10, 24), g.n(5, 12), g.n(3, 9)),
		fmt.Sprintf("bipap %d/%d %d%%", g.n(10, 18), g.n(5, 10), 10*g.n(3, 10)),
		fmt.Sprintf("ABG %d.%d/%d/%d", 7, g.n(20, 49), g.n(30, 70), g.n(55, 140)),
		fmt.Sprintf("SIMV %d x %d, PS %d, PEEP %d. RSBI %d", g.n(8, 14), 50*g.n(8, 11), g.n(5, 15), g.n(5, 10), g.n(30, 120)),
	)
}

func (g *rs) labsLine() string {
	return g.oneOf(
		fmt.Sprintf("K %d.%d, MG %d.%d, REPLETED W/ %dMEQ KCL", 3, g.n(0, 9), 1, g.n(4, 9), 20*g.n(1, 3)),
		fmt.Sprintf("hct %d.%d -> %d.%d, plt %d, inr %d.%d", g.n(21, 35), g.n(0, 9), g.n(21, 35), g.n(0, 9), g.n(20, 400), 1, g.n(0, 9)),
		fmt.Sprintf("bmp: %d/%d.%d/%d/%d/%d/%d.%d/%d", g.n(128, 148), 3+g.r.IntN(2), g.n(0, 9), g.n(95, 110), g.n(18, 30), g.n(8, 60), g.n(0, 4), g.n(0, 9), g.n(70, 300)),
		fmt.Sprintf("WBC %d.%d, lactate %d.%d, trop %d.%02d", g.n(3, 25), g.n(0, 9), g.n(0, 6), g.n(0, 9), 0, g.n(1, 99)),
		fmt.Sprintf("FS BS %s, COVERED W/ %dU HUMALOG PER SS", g.rng(90, 300, 20), g.n(2, 10)),
		fmt.Sprintf("Na %d (135-145), Cr %d.%d, BUN %d", g.n(120, 150), g.n(0, 4), g.n(0, 9), g.n(8, 90)),
	)
}

func (g *rs) meds() string {
	return g.oneOf(
		fmt.Sprintf("%s %dmg iv x%d with good effect", g.oneOf("mso4", "dilaudid", "ativan", "haldol", "lopressor", "lasix", "zofran"), g.n(1, 80), g.n(1, 3)),
		fmt.Sprintf("ON %s %d.%dMCG/KG/MIN, TITRATED FOR MAP >%d", upperRunes(g.pick(drips)), g.n(0, 20), g.n(0, 9), g.n(55, 70)),
		fmt.Sprintf("%s gtt at %d u/hr, ptt %d", g.oneOf("heparin", "insulin"), 100*g.n(5, 15), g.n(40, 110)),
		fmt.Sprintf("lasix %dmg iv with %dcc uo", 10*g.n(2, 100), 100*g.n(3, 20)),
		fmt.Sprintf("pain %d/10, percocet %d tabs po", g.n(0, 10), g.n(1, 2)),
		fmt.Sprintf("TF %s @ %dcc/hr, residuals <%d", g.oneOf("jevity 1.2", "promote", "nepro", "osmolite"), 5*g.n(6, 16), 10*g.n(3, 20)),
		fmt.Sprintf("to receive po %s %dmg in am", g.oneOf("lopressor", "coumadin", "captopril", "kcl"), g.n(5, 50)),
		fmt.Sprintf("%s %dmg x%d, %dcc ns bolus x%d", g.oneOf("kcl", "mag", "calcium"), g.n(1, 40), g.n(1, 3), 250*g.n(1, 4), g.n(1, 2)),
	)
}

var shorthand = []string{
	"a+ox3, mae, follows commands", "perrl 3mm brisk", "sedated, rass -2", "opens eyes to voice", "c/o incisional pain",
	"ls clear bilat, diminished @ bases", "sx for small amts thick tan sputum", "coarse bs, cpt done", "+bs, abd soft, nt/nd",
	"foley draining clear yellow urine", "tol clears, no bm", "skin intact, turned q2h", "pt went into afib this am",
	"pt remains intubated and sedated", "no acute events overnight", "slept in naps", "oob to chair x2, tolerated well",
	"groin site c/d/i, no hematoma, +pp bilat", "ct to -20 sxn, no airleak", "incision c/d/i, staples intact",
	"pan cultured, on vanco/zosyn", "plan to wean vent as tol", "?extubate in am", "cont to monitor", "md aware",
	"team aware, no new orders", "ett 3 cm above the carina", "ngt to lis with bilious output", "1:1 sitter overnight",
	"trach care done", "epicardial wires capped", "aline dampened, re-zeroed", "peg with tf at goal", "wound vac intact at -125",
}

// clinicalLine writes one line of shorthand without PHI.
func (g *rs) clinicalLine(b *builder) {
	if g.biz && g.coin(0.06) {
		g.bizNegative(b)
		b.t(g.oneOf(".", "", ".", " "))
		return
	}
	switch g.r.IntN(10) {
	case 6, 7, 8, 9:
		g.clinicalSentence(b)
		if g.coin(0.4) {
			b.t(" ")
			g.clinicalSentence(b)
		}
	case 0:
		b.t(g.vitals())
	case 1:
		b.t(g.vent())
	case 2:
		b.t(g.labsLine())
	case 3:
		b.t(g.meds())
	default:
		b.t(g.pick(shorthand))
		if g.coin(0.5) {
			b.t(g.oneOf(". ", "; ", ", "), g.pick(shorthand))
		}
	}
	b.t(g.oneOf(".", "", ".", " "))
}

// phiSentence writes one sentence that holds PHI, in nursing habits.
func (g *rs) phiSentence(b *builder) {
	switch g.r.IntN(14) {
	case 0, 1:
		g.relative(b)
		b.t(g.oneOf(" in to visit", " at bedside", " called for update", " updated by rn", " called, updated", " visited this evening", " is hcp"))
		if g.coin(0.3) {
			b.t(", ")
			g.phoneRS(b)
		}
	case 2:
		b.t(g.oneOf("per ", "spoke with ", "paged ", "called ", "discussed with ", "")).t("")
		g.doctor(b)
		b.t(g.oneOf("", " aware", " in to see pt", ", no new orders", " re plan"))
	case 3:
		g.patientName(b)
		b.t(g.oneOf(" returned from or", " back from ct", " resting comfortably", " is aware of plan", " refused meds"))
	case 4:
		g.place(b)
		b.t(g.oneOf("", " in am", " when bed available", " tomorrow", " today"))
	case 5:
		g.dateRS(b)
		b.t(g.oneOf(" admitted to ccu", " cath showed 3vd", " echo ef 30%", "", " team aware"))
	case 6:
		b.t(g.oneOf("contact: ", "hcp ", "emergency contact ", "")).t("")
		g.phoneRS(b)
	case 7:
		g.fullInPhrase(b)
	case 8:
		g.doctor(b)
		b.t(g.oneOf(" and ", " & ", ", ")).t("")
		g.staffFirst(b)
		b.t(" at bedside")
	case 9:
		g.relative(b)
		b.t(" driving in ")
		g.place(b)
	case 10:
		b.t("report given to ")
		g.staffFirst(b)
	case 11:
		b.t(g.oneOf("pt is a ", "")).phi(deid.TypeAge, fmt.Sprint(90+g.r.IntN(12))).t(g.oneOf(" yo", " y/o", " year old", "yo"))
	case 12:
		b.t(g.oneOf("MRN ", "mrn# ", "acct ")).phi(deid.TypeID, g.digits(6+g.r.IntN(3)))
	default:
		g.relative(b)
		b.t(g.oneOf(" states pt lives in ", " lives in ", " is from ")).phi(deid.TypeLocation, g.nameCase(g.town()))
	}
	b.t(g.oneOf(".", ". ", "", "."))
}

// ---- note kinds -----------------------------------------------------------

var systems = []string{"NEURO", "CV", "RESP", "GI", "GU", "ID", "SKIN", "HEME", "RENAL", "ENDO", "PAIN", "LINES"}

func (g *rs) nursingHeader(b *builder) {
	unit := g.oneOf("MICU", "CCU", "CSRU", "TSICU", "SICU", "NEURO ICU", "CVICU", "MICU A", "NICU", "")
	hdr := g.oneOf("NPN", "Nursing Progress Note", "nursing note", "RN note", "NSG NOTE", "Nursing Note")
	shift := g.oneOf("7P-7A", "7A-7P", "1900-0700", "0700-1900", "3-11", "11-7", "7-3", "")
	b.t(strings.TrimSpace(unit+" "+hdr+" "+shift), "\n")
}

func (g *rs) nursing(b *builder) {
	if g.coin(0.08) { // a LAST,FIRST header without label, then an MRN line
		b.phi(name, g.nameCase(upperRunes(g.lastName())+","+upperRunes(g.firstName()))).t("\n").phi(deid.TypeID, g.digits(7)).t("\n")
	}
	g.nursingHeader(b)
	phiLines := g.r.IntN(5)
	if g.coin(0.25) {
		phiLines = 0
	}
	lines := 3 + g.r.IntN(7)
	sys := g.r.Perm(len(systems))
	telegraph := g.coin(0.25) // one paragraph, no system labels
	for i := range lines {
		if !telegraph {
			b.t(systems[sys[i%len(sys)]], g.oneOf(": ", ": ", "- ", ":"))
		}
		g.clinicalLine(b)
		if phiLines > 0 && g.coin(0.45) {
			b.t(" ")
			g.phiSentence(b)
			phiLines--
		}
		b.t(g.oneOf("\n", "\n", " "))
	}
	g.extra(b)
	for phiLines > 0 {
		b.t(g.oneOf("SOCIAL: ", "FAMILY: ", "PLAN: ", "DISPO: ", "", "social- "))
		g.phiSentence(b)
		if g.coin(0.5) {
			b.t(" ")
			g.phiSentence(b)
		}
		b.t("\n")
		phiLines--
	}
	switch {
	case g.coin(0.15):
		g.staffFirst(b)
		b.t("\n")
	case g.coin(0.1):
		b.phi(name, g.nameCase(lowerRunes(g.letters(2+g.r.IntN(2))))).t("\n") // initials as a signature
	}
}

func (g *rs) respCare(b *builder) {
	b.t(g.oneOf("RESP CARE NOTE: ", "resp therapy\n", "Respiratory Care: ", "RT NOTE\n"))
	for range 2 + g.r.IntN(4) {
		b.t(g.vent(), g.oneOf(". ", ", ", "\n"))
		if g.coin(0.3) {
			b.t(g.pick(shorthand), ". ")
		}
	}
	if g.coin(0.6) {
		b.t("\n")
		b.phi(name, g.nameCase(g.firstName()+" "+g.lastName()))
		b.t(g.oneOf(" RRT", " RT", ", RRT"))
	}
}

func (g *rs) transferNote(b *builder) {
	b.t(g.oneOf("ADMIT NOTE", "Transfer note", "TRANSFER SUMMARY", "nursing admission note", "ED to ICU handoff"), "\n")
	b.t(g.oneOf("pt is a ", "PT IS ", "")).t(fmt.Sprintf("%d yo %s ", g.n(19, 88), g.oneOf("m", "f", "man", "woman")))
	b.t(g.oneOf("transferred from ", "from ", "admitted from ", "sent from "))
	if g.biz && g.coin(0.15) {
		b.phi(deid.TypeLocation, g.business(g.r.IntN(3)))
	} else {
		b.phi(deid.TypeLocation, g.nameCase(g.hospitalRS()))
	}
	b.t(g.oneOf(" with ", " for ", " w/ "), g.pick(problems), ".\n")
	for range 2 + g.r.IntN(4) {
		g.clinicalLine(b)
		b.t("\n")
	}
	for range 1 + g.r.IntN(3) {
		g.phiSentence(b)
		b.t("\n")
	}
	g.extra(b)
}

func (g *rs) socialWork(b *builder) {
	b.t(g.oneOf("Social work note", "SOCIAL WORK", "Case management note", "CM note", "Chaplain note"), "\n")
	b.t(g.oneOf("Met with pt and ", "met w/ pt's ", "Spoke with ")).t("")
	g.relative(b)
	b.t(". ")
	for range 2 + g.r.IntN(3) {
		if g.coin(0.7) {
			g.phiSentence(b)
		} else {
			b.t(g.oneOf("discussed rehab vs snf", "provided list of snfs", "pt has medicaid, no copay", "family overwhelmed, support given", "will follow up tomorrow"), ". ")
			g.clinicalSentence(b)
		}
		b.t(g.oneOf(" ", "\n"))
	}
	g.extra(b)
}

func (g *rs) dischargeRS(b *builder) {
	b.t(g.oneOf("Discharge Summary", "DISCHARGE SUMMARY", "discharge summary - addendum"), "\n")
	if g.coin(0.7) {
		b.t(g.oneOf("Name: ", "Patient: ", "Pt: ")).phi(name, g.nameCase(g.lastName()+", "+g.firstName())).t(g.oneOf("   MRN: ", "  Unit No: ")).phi(deid.TypeID, g.digits(7)).t("\n")
		b.t("Admission Date: ").phi(deid.TypeDate, g.dateNumeric()).t("   Discharge Date: ").phi(deid.TypeDate, g.dateNumeric()).t("\n")
	}
	b.t("Attending: ")
	b.phi(name, g.nameCase(g.firstName()+" "+g.lastName())).t(", MD\n")
	b.t("HPI: ")
	g.fullInPhrase(b)
	b.t(fmt.Sprintf(" with %s, EF %s%%, who presented with %s.\n", g.pick(problems), g.rng(15, 60, 5), g.pick(problems)))
	b.t("Hospital course: ")
	for range 2 + g.r.IntN(3) {
		g.clinicalLine(b)
		b.t(" ")
		if g.coin(0.4) {
			g.phiSentence(b)
			b.t(" ")
		}
	}
	g.extra(b)
	b.t("\nFollow-up: ")
	g.doctor(b)
	b.t(" at ").phi(deid.TypeLocation, g.nameCase(g.hospitalRS())).t(" on ")
	b.phi(deid.TypeDate, g.date())
	b.t(".\n")
}

func (g *rs) radiology(b *builder) {
	b.t(g.oneOf("CHEST, PORTABLE AP", "CT HEAD W/O CONTRAST", "Radiology Report\nUS RUQ", "CTA CHEST", "MRI BRAIN", "XRAY PORTABLE CHEST"))
	if g.coin(0.4) {
		b.t(" ").phi(deid.TypeDate, g.dateNumeric())
	}
	b.t("\n", g.oneOf("Indication: ", "HISTORY: ", "Clinical indication: "), fmt.Sprintf("%d yo with %s.\n", g.n(20, 88), g.pick(problems)))
	b.t("Comparison: ")
	if g.coin(0.7) {
		b.phi(deid.TypeDate, g.date())
	} else {
		b.t("none")
	}
	b.t(".\nFindings: ", g.oneOf("ETT 4.5 cm above the carina. No pneumothorax.", "No acute infarct. Ventricles normal in size.", "CBD 4 mm. Gallbladder sludge.", "Small left pleural effusion, unchanged.", "6 mm RUL nodule."))
	b.t(fmt.Sprintf(" Measures %d x %d mm.\n", g.n(2, 40), g.n(2, 40)))
	g.clinicalSentence(b)
	b.t("\n")
	b.t("Impression: ")
	g.clinicalSentence(b)
	b.t("\n")
	if g.coin(0.5) {
		b.t("Discussed with ")
		g.doctor(b)
		b.t(" at ", fmt.Sprintf("%02d:%02d", g.n(0, 23), g.n(0, 59)), ".\n")
	}
	b.t(g.oneOf("Dictated by: ", "Electronically signed by: ", "Reading physician: "))
	b.phi(name, g.nameCase(g.firstName()+" "+g.lastName())).t(", MD\n")
	if g.coin(0.6) {
		g.typist(b)
		b.t("  D: ").phi(deid.TypeDate, g.dateNumeric()).t(fmt.Sprintf(" %02d:%02d", g.n(0, 23), g.n(0, 59)))
	}
}

func (g *rs) labRS(b *builder) {
	b.t(g.oneOf("LAB REPORT\n", "lab\n", "Labs:\n"))
	if g.coin(0.6) {
		b.t("Patient: ").phi(name, g.nameCase(upperRunes(g.lastName())+","+upperRunes(g.firstName()))).t("   MRN: ").phi(deid.TypeID, g.digits(7)).t("\n")
		b.t("Collected: ").phi(deid.TypeDate, g.dateNumeric()).t(fmt.Sprintf(" %02d:%02d\n", g.n(0, 23), g.n(0, 59)))
	}
	for range 3 + g.r.IntN(4) {
		b.t(g.labsLine(), "\n")
	}
	if g.coin(0.5) {
		b.t("Verified by ").phi(name, g.letters(2)).t(". Performing lab: ").phi(deid.TypeLocation, g.nameCase(g.hospitalRS())).t("\n")
	}
}

func (g *rs) phoneMsg(b *builder) {
	b.t(g.oneOf("Phone message", "PHONE NOTE", "Telephone encounter", "Message left for patient"))
	if g.coin(0.6) {
		b.t(" ").phi(deid.TypeDate, g.dateNumeric())
	}
	b.t("\n", g.oneOf("Caller: ", "Call from ", "Spoke with ", "Received call from "))
	b.phi(name, g.nameCase(g.firstName()+" "+g.lastName())).t(g.oneOf(" (daughter)", " (husband)", ", pt's son,", "", " at pharmacy"))
	b.t(" ")
	g.phoneRS(b)
	b.t(".\n", g.oneOf("Reason: ", "Re: "), g.meds(), ".\n")
	if g.coin(0.7) {
		b.t("Routed to ")
		g.doctor(b)
		b.t(". ")
	}
	if g.coin(0.5) {
		g.phiSentence(b)
	}
	g.extra(b)
	b.t("\n-- ")
	g.staffFirst(b)
}

func (g *rs) consultRS(b *builder) {
	b.t(g.oneOf("CARDIOLOGY CONSULT", "ID consult follow-up", "Endocrine consult", "Renal consult note"), "\n")
	b.t("Requested by ")
	g.doctor(b)
	b.t(fmt.Sprintf(" for %s.\n", g.pick(problems)))
	for range 2 + g.r.IntN(3) {
		g.clinicalLine(b)
		b.t("\n")
	}
	if g.coin(0.5) {
		g.phiSentence(b)
		b.t("\n")
	}
	b.phi(name, g.nameCase(g.firstName()+" "+g.lastName())).t(", MD, pager ").phi(deid.TypePhone, g.digits(5)).t("\n")
}
