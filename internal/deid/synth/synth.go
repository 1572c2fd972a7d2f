// Package synth generates synthetic clinical notes with gold PHI spans for
// evaluating the de-identification engine: discharge summaries, consult
// notes, referral letters, lab reports and message threads, each in several
// layouts.
//
// Names and places come from @faker-js/faker word lists (faker.json.gz, see
// gen/extract.mjs), not from the engine's lexicon. Half of all person names
// and a third of the cities are drawn from entries the engine's lexicon does
// NOT contain (absent from its source package or in its held-out tenth, see
// lexicon.HeldOut), so the score shows what context rules find on unseen
// names rather than how well a lexicon recalls itself.
package synth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"unicode/utf8"

	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

//go:embed faker.json.gz
var fakerGz []byte

type wordLists struct {
	Source       string   `json:"source"`
	First        []string `json:"first"`
	Last         []string `json:"last"`
	Cities       []string `json:"cities"`
	CityPrefix   []string `json:"cityPrefix"`
	CitySuffix   []string `json:"citySuffix"`
	StreetSuffix []string `json:"streetSuffix"`
}

// pools splits each list into entries the engine knows and entries it does not.
type pools struct {
	firstIn, firstOut, lastIn, lastOut, cityIn, cityOut []string
	streetSuffix, cityPrefix, citySuffix                []string
}

func loadPools() (*pools, error) {
	zr, err := gzip.NewReader(bytes.NewReader(fakerGz))
	if err != nil {
		return nil, fmt.Errorf("synth word lists: %w", err)
	}
	var w wordLists
	if err := json.NewDecoder(zr).Decode(&w); err != nil {
		return nil, fmt.Errorf("synth word lists: %w", err)
	}
	lex := lexicon.Get()
	p := &pools{streetSuffix: w.StreetSuffix, cityPrefix: w.CityPrefix, citySuffix: w.CitySuffix}
	split := func(list []string, known func(string) bool) (in, out []string) {
		for _, s := range list {
			if s == "Name" { // a faker first name that reads as the label it is
				continue
			}
			if known(strings.ToLower(s)) {
				in = append(in, s)
			} else {
				out = append(out, s)
			}
		}
		return in, out
	}
	isName := func(s string) bool { return lex.Words[s]&lexicon.Name != 0 }
	p.firstIn, p.firstOut = split(w.First, isName)
	p.lastIn, p.lastOut = split(w.Last, isName)
	p.cityIn, p.cityOut = split(w.Cities, func(s string) bool { return lex.Cities[s] })
	return p, nil
}

// Note is one synthetic note with its gold spans (code-point offsets).
type Note struct {
	Text  string      `json:"text"`
	Spans []deid.Span `json:"spans"`
	Kind  string      `json:"kind"`
}

// Generate returns n notes drawn deterministically from seed.
func Generate(seed uint64, n int) ([]Note, error) {
	p, err := loadPools()
	if err != nil {
		return nil, err
	}
	g := &gen{p: p, r: rand.New(rand.NewPCG(seed, 0x5eed))}
	kinds := []struct {
		name string
		fn   func(*builder)
	}{
		{"discharge", g.discharge}, {"consult", g.consult}, {"referral", g.referral},
		{"lab", g.lab}, {"messages", g.messages},
	}
	notes := make([]Note, 0, n)
	for i := range n {
		k := kinds[i%len(kinds)]
		b := &builder{}
		k.fn(b)
		notes = append(notes, Note{Text: b.sb.String(), Spans: b.spans, Kind: k.name})
	}
	return notes, nil
}

// builder writes text and records gold spans in code points.
type builder struct {
	sb    strings.Builder
	runes int
	spans []deid.Span
	// cs, when set, re-cases all text rune by rune (a note written in capitals).
	cs func(string) string
}

func (b *builder) t(parts ...string) *builder {
	for _, s := range parts {
		if b.cs != nil {
			s = b.cs(s)
		}
		b.sb.WriteString(s)
		b.runes += utf8.RuneCountInString(s)
	}
	return b
}

func (b *builder) phi(typ deid.Type, s string) *builder {
	start := b.runes
	b.t(s)
	b.spans = append(b.spans, deid.Span{Start: start, End: b.runes, Type: typ})
	return b
}

// gen draws values.
type gen struct {
	p *pools
	r *rand.Rand
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }
func (g *gen) coin(p float64) bool       { return g.r.Float64() < p }
func (g *gen) digits(n int) string {
	var sb strings.Builder
	for i := range n {
		d := g.r.IntN(10)
		if i == 0 && d == 0 {
			d = 1 + g.r.IntN(9)
		}
		sb.WriteByte(byte('0' + d))
	}
	return sb.String()
}
func (g *gen) letters(n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteByte(byte('A' + g.r.IntN(26)))
	}
	return sb.String()
}

// person is one person of a note, mentioned in several forms.
type person struct{ first, middle, last string }

func (g *gen) person() person {
	first, last := g.pick(g.p.firstIn), g.pick(g.p.lastIn)
	if g.coin(0.5) {
		first = g.pick(g.p.firstOut)
	}
	if g.coin(0.5) {
		last = g.pick(g.p.lastOut)
	}
	switch {
	case g.coin(0.06): // double-barrelled surname
		last += "-" + g.pick(g.p.lastOut)
	case g.coin(0.04):
		last = "O'" + last
	}
	p := person{first: first, last: last}
	switch {
	case g.coin(0.2):
		p.middle = string(rune('A' + g.r.IntN(26)))
	case g.coin(0.08):
		p.middle = string(rune('A'+g.r.IntN(26))) + "."
	}
	return p
}

func (p person) full() string {
	if p.middle != "" {
		return p.first + " " + p.middle + " " + p.last
	}
	return p.first + " " + p.last
}

func (g *gen) city() string {
	switch {
	case g.coin(0.33):
		return g.pick(g.p.cityOut)
	case g.coin(0.25):
		// faker's made-up towns: "Port Kaylee", "Lake Brendanfurt"
		if g.coin(0.5) {
			return g.pick(g.p.cityPrefix) + " " + g.pick(g.p.firstIn)
		}
		return g.pick(g.p.lastOut) + g.pick(g.p.citySuffix)
	default:
		return g.pick(g.p.cityIn)
	}
}

var states = []string{"CA", "WI", "MA", "NY", "TX", "OH", "FL", "IL", "WA", "GA", "NC", "MI", "AZ", "CO", "MN", "OR"}

func (g *gen) street() string {
	name := g.pick(g.p.lastIn)
	switch g.r.IntN(4) {
	case 0:
		name = g.pick(g.p.lastOut)
	case 1:
		name = g.pick(g.p.firstIn)
	case 2:
		name = []string{"Oak", "Maple", "Park", "Main", "Cedar", "Elm", "Washington", "Lake", "Hill", "Riverside", "5th", "2nd", "Church"}[g.r.IntN(13)]
	}
	suffix := g.pick([]string{"Street", "St.", "Avenue", "Ave", "Road", "Rd", "Drive", "Lane", "Boulevard", "Blvd", "Court", "Way", "Place", "Terrace", "Circle", "Parkway"})
	if g.coin(0.3) {
		suffix = g.pick(g.p.streetSuffix)
	}
	s := g.digits(1+g.r.IntN(4)) + " " + name + " " + suffix
	if g.coin(0.2) {
		s += g.pick([]string{", Apt ", " Suite ", ", Unit "}) + g.digits(1+g.r.IntN(3))
	}
	return s
}

// address writes "street, city, ST zip" in one of several layouts; the state is not PHI.
func (g *gen) address(b *builder) {
	b.phi(deid.TypeLocation, g.street())
	b.t(g.pick([]string{", ", "\n", " "}))
	b.phi(deid.TypeLocation, g.city())
	b.t(", ", g.pick(states), " ")
	zip := g.digits(5)
	if g.coin(0.15) {
		zip += "-" + g.digits(4)
	}
	b.phi(deid.TypeLocation, zip)
}

func (g *gen) hospital() string {
	last, first, city := g.pick(append(g.p.lastIn, g.p.lastOut...)), g.pick(g.p.firstIn), g.city()
	switch g.r.IntN(9) {
	case 0:
		return last + " Memorial Hospital"
	case 1:
		return city + " General Hospital"
	case 2:
		return "St. " + first + "'s Medical Center"
	case 3:
		return last + " Clinic"
	case 4:
		return city + " Health Center"
	case 5:
		return "University of " + city + " Medical Center"
	case 6:
		return last + " Rehabilitation Institute"
	case 7:
		return last + " Family Practice"
	default:
		return last + " Regional Hospital"
	}
}

// date writes one date in a random format; the whole date (year included) is the span.
func (g *gen) date() string {
	y := 1990 + g.r.IntN(35)
	m := 1 + g.r.IntN(12)
	d := 1 + g.r.IntN(28)
	mon := []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}[m-1]
	switch g.r.IntN(15) {
	case 12:
		return fmt.Sprintf("%02d-%s-%04d", d, mon[:3], y) // 12-Mar-2019
	case 13:
		return fmt.Sprintf("%d%s of %s", d, deid.OrdinalSuffix(d), mon)
	case 14:
		return fmt.Sprintf("%s %d", []string{"Mon", "Tue", "Wed", "Thu", "Fri"}[g.r.IntN(5)]+",", d) + " " + mon[:3]
	case 0:
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	case 1:
		return fmt.Sprintf("%02d/%02d/%04d", m, d, y)
	case 2:
		return fmt.Sprintf("%d/%d/%02d", m, d, y%100)
	case 3:
		return fmt.Sprintf("%02d-%02d-%02d", m, d, y%100)
	case 4:
		return fmt.Sprintf("%02d.%02d.%02d", m, d, y%100)
	case 5:
		return fmt.Sprintf("%s %d%s", mon[:3], d, deid.OrdinalSuffix(d))
	case 6:
		return fmt.Sprintf("%s %d, %d", mon, d, y)
	case 7:
		return fmt.Sprintf("%d %s %d", d, mon[:3], y)
	case 8:
		return fmt.Sprintf("%d/%d", m, d)
	case 9:
		return fmt.Sprintf("%s %d", mon, y)
	case 10:
		return fmt.Sprintf("%s. %d", mon[:3], d)
	default:
		return fmt.Sprintf("%d/%d/%d", m, d, y)
	}
}

func (g *gen) phone() string {
	a, b, c := g.digits(3), g.digits(3), g.digits(4)
	switch g.r.IntN(7) {
	case 5:
		return "1-" + a + "-" + b + "-" + c
	case 6:
		return a + "-" + b + "-" + c + " ext. " + g.digits(3)
	case 0:
		return "(" + a + ") " + b + "-" + c
	case 1:
		return a + "-" + b + "-" + c
	case 2:
		return a + "." + b + "." + c
	case 3:
		return "+1 " + a + " " + b + " " + c
	default:
		return "(" + a + ")" + b + "-" + c
	}
}

// identifier returns a cue and an ID value of one of the Safe Harbor kinds.
func (g *gen) identifier() (string, string) {
	switch g.r.IntN(13) {
	case 10:
		return "Med Rec #: ", g.digits(6)
	case 11:
		return "License plate ", g.digits(1) + g.letters(3) + g.digits(3)
	case 12:
		return "DEA # ", g.letters(2) + g.digits(7)
	case 0:
		return "MRN: ", g.digits(7 + g.r.IntN(2))
	case 1:
		return "MRN #", g.digits(7)
	case 2:
		return "SSN: ", g.digits(3) + "-" + g.digits(2) + "-" + g.digits(4)
	case 3:
		return "Account No. ", "ACCT-" + g.digits(8)
	case 4:
		return "Member ID: ", g.letters(3) + g.digits(9)
	case 5:
		return "Driver's license: ", g.letters(1) + g.digits(7)
	case 6:
		return "Vehicle VIN ", g.letters(2) + g.digits(3) + g.letters(2) + g.digits(10)
	case 7:
		return "pacemaker serial number ", "SN" + g.digits(8)
	case 8:
		return "NPI ", g.digits(10)
	default:
		return "Health plan beneficiary number: ", g.digits(4) + "-" + g.digits(4) + "-" + g.digits(3)
	}
}

// oldAge returns an age over 89 with its wording; the number alone is the span.
func (g *gen) oldAge(b *builder) {
	v := fmt.Sprint(90 + g.r.IntN(15))
	switch g.r.IntN(6) {
	case 4:
		b.t("a ").phi(deid.TypeAge, v).t(" y/o")
	case 5:
		b.t("in her ").phi(deid.TypeAge, "90").t("s") // the decade, not the "s", is the span
	case 0:
		b.t("a ").phi(deid.TypeAge, v).t("-year-old")
	case 1:
		b.phi(deid.TypeAge, v).t(" yo")
	case 2:
		b.t("aged ").phi(deid.TypeAge, v)
	default:
		b.t("Age: ").phi(deid.TypeAge, v)
	}
}

var drugs = []string{"Lisinopril", "Metformin", "Atorvastatin", "Heparin", "Sotalol", "Zestril", "Clonidine", "Lasix", "Coumadin", "Warfarin", "Amiodarone", "Tylenol", "Keflex", "Vancomycin", "Prednisone", "Insulin Glargine", "Eliquis", "Plavix"}
var problems = []string{"atrial fibrillation", "community-acquired pneumonia", "CHF exacerbation", "COPD exacerbation", "diabetic ketoacidosis", "cellulitis of the left leg", "NSTEMI", "urinary tract infection", "acute kidney injury", "syncope"}
var services = []string{"Cardiology", "Nephrology", "Orthopedics", "Physical Therapy", "Infectious Disease", "Social Work", "Pulmonology", "Neurology"}

func lower(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			out = append(out, c+'a'-'A')
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			out = append(out, c)
		}
	}
	return string(out)
}

// WriteJSONL writes notes one JSON object per line.
func WriteJSONL(w io.Writer, notes []Note) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, n := range notes {
		if err := enc.Encode(n); err != nil {
			return err
		}
	}
	return bw.Flush()
}
