package deid

import "strings"

// Countries and nationalities are not PHI under Safe Harbor (only
// geographic units smaller than a state are), yet a detector reads a
// capitalised country as a place or a name ("Norway", "NIGERIA", "New
// Zealand"). A span that is exactly one of these words is dropped. Names of
// countries that are also common given names (Jordan, Chad, Georgia, India,
// Israel, Kenya) are left out: for them a name is the likelier reading,
// unless the span is already read as a place (groupSpan).
var countries = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range []string{
		"afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan bahamas bahrain",
		"bangladesh barbados belarus belgium belize benin bhutan bolivia bosnia botswana brazil brunei bulgaria",
		"burundi cambodia cameroon canada chile china colombia comoros congo croatia cuba cyprus czechia",
		"denmark djibouti dominica ecuador egypt eritrea estonia eswatini ethiopia fiji finland france gabon",
		"gambia germany ghana greece grenada guatemala guinea guyana haiti honduras hungary iceland indonesia",
		"iran iraq ireland italy jamaica japan kazakhstan kiribati kosovo kuwait kyrgyzstan laos latvia",
		"lebanon lesotho liberia libya liechtenstein lithuania luxembourg madagascar malawi malaysia maldives",
		"mali malta mauritania mauritius mexico micronesia moldova monaco mongolia montenegro morocco mozambique",
		"myanmar namibia nauru nepal netherlands nicaragua niger nigeria norway oman pakistan palau palestine",
		"panama paraguay peru philippines poland portugal qatar romania russia rwanda samoa senegal serbia",
		"seychelles singapore slovakia slovenia somalia spain sudan suriname sweden switzerland syria taiwan",
		"tajikistan tanzania thailand togo tonga tunisia turkey turkmenistan tuvalu uganda ukraine uruguay",
		"uzbekistan vanuatu venezuela vietnam yemen zambia zimbabwe uk usa uae",
		"afghan albanian algerian american argentine argentinian armenian australian austrian bangladeshi",
		"belgian bolivian bosnian brazilian british bulgarian cambodian cameroonian canadian chilean chinese",
		"colombian congolese croatian cuban cypriot czech danish dutch ecuadorian egyptian english eritrean",
		"estonian ethiopian filipino finnish french german ghanaian greek guatemalan haitian honduran hungarian",
		"icelandic indonesian iranian iraqi irish italian jamaican japanese kenyan korean kuwaiti lebanese",
		"liberian libyan lithuanian malaysian mexican moroccan nepali nepalese nigerian norwegian pakistani",
		"palestinian panamanian peruvian polish portuguese romanian russian rwandan salvadoran saudi scottish",
		"senegalese serbian singaporean slovak somali spanish sudanese swedish swiss syrian taiwanese",
		"tanzanian thai tunisian turkish ugandan ukrainian uzbek venezuelan vietnamese welsh yemeni",
	} {
		for _, w := range strings.Fields(line) {
			m[w] = true
		}
	}
	for _, w := range []string{
		"new zealand", "south africa", "south sudan", "united kingdom", "united states", "sri lanka",
		"el salvador", "costa rica", "saudi arabia", "north korea", "south korea", "czech republic",
		"dominican republic", "hong kong", "sierra leone", "burkina faso", "cape verde", "papua new guinea",
		"north macedonia", "ivory coast", "east timor", "trinidad and tobago", "great britain",
		"marshall islands", "the marshall islands", "puerto rico", "haitian creole", "pacific islander",
	} {
		m[w] = true
	}
	return m
}()

// isCountry reports whether s (a span's text) is a country or nationality,
// in any letter case, with single spaces between words.
func isCountry(s string) bool {
	if len(s) < 2 || len(s) > 24 {
		return false
	}
	// most spans are no country: their length and first letter say so
	if c := s[0] | 0x20; c < 'a' || c > 'z' || !countryStart[len(s)][c-'a'] {
		return false
	}
	var b [24]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == ' ' || c == '\'' || 'a' <= c && c <= 'z':
		default:
			return false
		}
		b[i] = c
	}
	return countries[string(b[:len(s)])]
}

// countryStart[n][c]: a key of countries has n bytes and starts with the
// letter 'a'+c (isCountry's gate).
var countryStart = func() (t [25][26]bool) {
	for w := range countries {
		t[len(w)][w[0]-'a'] = true
	}
	return t
}()

// groupSpan: the span text[s:e] of type t names a group of people or a
// land, never one person or place: a faith (faithAlone), a country or a
// nationality (isCountry), or, read as a place right after "in", a country
// that is also a given name ("parents in India"; not "Blvd South Kenya",
// and not Jordan, also a town of Minnesota and New York): no PHI either way.
func groupSpan(text string, s, e int, t Type) bool {
	if faithAlone(text, s, e) {
		return true
	}
	switch t {
	case TypeLocation:
		return isCountry(text[s:e]) || nameCountry(text[s:e]) && wordBefore(text, s, "in")
	case TypeName, TypeDate:
		return isCountry(text[s:e]) // "speaks Spanish (Venezuela)" typed a date (dev148)
	}
	return false
}

// faiths are capitalised like nationalities and no PHI either ("Pt
// Lutheran, requested communion", "a Baptist church", "Family is
// Catholic"; dev85-dev98). A congregation's or a hospital's name that
// holds one is longer than the one word ("Zion Baptist", "Shady Grove
// Adventist"), and one word after "to", "at" or "from" may be a hospital's
// short name ("transferred to Methodist"): both stay.
var faiths = map[string]bool{
	"lutheran": true, "baptist": true, "catholic": true, "methodist": true, "presbyterian": true,
	"episcopal": true, "episcopalian": true, "pentecostal": true, "mennonite": true, "adventist": true,
	"amish": true, "muslim": true, "jewish": true, "hindu": true, "buddhist": true, "protestant": true,
	"jehovah": true, // "Pt is Jehovah's Witness" (dev106)
}

// faithStart[n][c]: a key of faiths has n bytes and starts with the byte c
// (faithAlone's gate: most spans are no faith, and their length and first
// letter, in either case, say so without a map look-up).
var faithStart = func() (t [13][256]bool) {
	for w := range faiths {
		if len(w) < len(t) { // (a longer one never matches: faithAlone reads 12 bytes at most)
			t[len(w)][w[0]] = true
		}
	}
	return t
}()

// faithAlone: the span text[s:e] is one faith's word (faiths) after a word
// that a sentence about a faith puts there ("Pt Lutheran", "is Catholic",
// "their Lutheran faith", "a Baptist church"; faithLead). After any other
// word the faith's word may end a congregation's name that the rules found
// only in part ("Dungeness Prairie Lutheran", "MT. OLIVE MISSIONARY
// BAPTIST"), and after "to", "at" or "from" it may be a hospital's short
// name ("transferred to Methodist"): both stay.
func faithAlone(text string, s, e int) bool {
	var buf [12]byte // every span passes here: look up without allocating
	if e-s < 4 || e-s > 12 || !faithStart[e-s][text[s]|0x20] || !faiths[string(lowerASCII(buf[:], text[s:e]))] {
		return false
	}
	// in brackets after a word of a visit or a faith: "Chaplain visit
	// requested (Lutheran)" (dev109); not "to OSH (Methodist)", a hospital
	bracket := s > 0 && text[s-1] == '(' && e < len(text) && text[e] == ')'
	p := s
	if bracket {
		p--
	}
	for p > 0 && text[p-1] == ' ' {
		p--
	}
	q := p
	for q > 0 && p-q <= 10 && (text[q-1] >= 'a' && text[q-1] <= 'z' || text[q-1] >= 'A' && text[q-1] <= 'Z' || text[q-1] == '\'') {
		q--
	}
	if q >= p || p >= s || p-q > 10 {
		return false
	}
	w := lowerASCII(buf[:], text[q:p]) // (indexed as string(w): no allocation)
	return faithLead[string(w)] || bracket && bracketLead[string(w)]
}

// bracketLead are the words before a faith in brackets that make it a
// faith, not a hospital's short name (faithAlone).
var bracketLead = map[string]bool{
	"requested": true, "request": true, "religion": true, "faith": true, "chaplain": true, "visit": true,
	"pastor": true, "spiritual": true, "preference": true,
}

// lowerASCII copies w into buf, ASCII letters lower-cased, and returns the
// copy (w no longer than buf).
func lowerASCII(buf []byte, w string) []byte {
	n := copy(buf, w)
	for i := range n {
		if c := buf[i]; 'A' <= c && c <= 'Z' {
			buf[i] = c + 'a' - 'A'
		}
	}
	return buf[:n]
}

// faithLead are the words before a faith's word in a sentence about the
// faith itself (faithAlone).
var faithLead = map[string]bool{
	"a": true, "an": true, "is": true, "are": true, "was": true, "were": true, "pt": true, "pt's": true,
	"patient": true, "family": true, "their": true, "his": true, "her": true, "of": true, "as": true,
	"and": true, "devout": true, "practicing": true, "practising": true, "lifelong": true,
}

// nameCountry: s is a country that is also a given name (the countries'
// comment lists them), less Jordan, a town too.
func nameCountry(s string) bool {
	for _, c := range [...]string{"chad", "georgia", "india", "israel", "kenya"} {
		if strings.EqualFold(s, c) {
			return true
		}
	}
	return false
}

// wordBefore: the word before byte s of text (one space between) is w, in
// any case.
func wordBefore(text string, s int, w string) bool {
	n := len(w)
	if s < n+1 || text[s-1] != ' ' || !strings.EqualFold(text[s-n-1:s-1], w) {
		return false
	}
	if s == n+1 {
		return true
	}
	c := text[s-n-2]
	return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80)
}
