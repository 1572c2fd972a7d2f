package deid

import (
	"slices"

	"github.com/trustgate/trustgate/internal/deid/lexicon"
)

// Devices, signs, scales and operations named after people or places,
// written as two words ("Jackson-Pratt", "Cheyne-Stokes", "Bair Hugger",
// "Arctic Sun"). Their words are names or places on the lists, so the name
// and place rules take them; the pair itself is clinical vocabulary in
// every note. A name or place span whose every word belongs to such a
// pair, with no name cue before it (a title, relation, "pt", "per"), is not
// marked (eponymSpan, in addToks and markName; a tagger span of one is
// vetoed in appendPlausible); a person called Jackson or a town called
// Arctic stays, written without the pair's other word.

// eponymPairs maps the first word of a pair (lower case) to its second
// words.
var eponymPairs = map[string][]string{
	"jackson":    {"pratt", "table"},
	"b":          {"lynch"}, // "B-Lynch suture placed" (dev106)
	"cheyne":     {"stokes"},
	"passy":      {"muir"},
	"bair":       {"hugger", "huggers"},
	"arctic":     {"sun"},
	"miami":      {"j"},
	"ivor":       {"lewis"},
	"unna":       {"boot", "boots"},
	"flexi":      {"seal"},
	"swan":       {"ganz"},
	"hunt":       {"hess"},
	"glasgow":    {"coma", "blatchford"}, // "Glasgow-Blatchford 13": an upper GI bleed's score (dev235)
	"mallory":    {"weiss"},
	"sengstaken": {"blakemore"},
	"guillain":   {"barre", "barré"},
	"stevens":    {"johnson"},
	"wolff":      {"parkinson"},
	"pleur":      {"evac"},
	"roux":       {"en"},
	"hartmann":   {"pouch"},
	"graham":     {"patch", "crackers", "cracker"}, // "tol graham crackers" (dev146-dev164)
	"sinus":      {"brady", "bradycardia"},
	"richmond":   {"agitation"},
	"minnesota":  {"tube"},
	"heimlich":   {"valve", "maneuver"},
	"kussmaul":   {"resps", "respirations", "breathing"},
	"kerlix":     {"roll", "wrap"},
	"tonic":      {"clonic"}, // a seizure ("TONIC-CLONIC ~90 SEC": dev78)
	// scales, syndromes and classifications (2026-12-06, written from
	// the field, not from notes)
	"house":       {"brackmann"},
	"spetzler":    {"martin"},
	"brown":       {"sequard", "séquard"},
	"arnold":      {"chiari"},
	"budd":        {"chiari"},
	"dandy":       {"walker"},
	"salter":      {"harris"},
	"le":          {"fort"},
	"lambert":     {"eaton"},
	"marcus":      {"gunn"},
	"wernicke":    {"korsakoff"},
	"creutzfeldt": {"jakob"},
	"charcot":     {"marie"},
	"osler":       {"weber"},
	"kocher":      {"langenbeck"},      // an approach to the acetabulum
	"vi":          {"sol"},             // Poly-Vi-Sol, infants' vitamins
	"in":          {"sol"},             // Fer-In-Sol, infants' iron (dev51)
	"dandle":      {"roo"},             // the Dandle ROO positioner (dev51)
	"nas":         {"score", "scores"}, // neonatal abstinence (dev51); "nas" stays off the clinical list
	"adams":       {"stokes"},
	"ramsay":      {"hunt"},
	// (dev37, 2026-12-06)
	"cox":   {"maze"},               // the Cox-Maze ablation
	"blake": {"drain", "drains"},    // a chest drain
	"z":     {"flo", "pak", "pack"}, // the Z-Flo positioner; azithromycin, "Z-pak" (dev90)
	// (dev34, 2026-12-06): "Meds: Vit D, iron", "vit K 10mg given"
	"vit": {"a", "b", "c", "d", "e", "k"},
	// (dev46, dev47): cervical tongs, compression stockings, piperacillin-tazobactam
	"gardner": {"wells"},
	"ted":     {"hose", "hoses", "stockings"},
	"pip":     {"tazo"},
	// (dev67, dev68): the Child-Pugh class, the Avalon Elite dual-lumen ECMO cannula
	"child":  {"pugh"},
	"avalon": {"elite", "dual"},
	// (dev70): CAR-T products, a fusion gene, rods in blasts, a lymphoma
	"tisa":    {"cel"},
	"liso":    {"cel"},
	"cilta":   {"cel"},
	"axi":     {"cel"},
	"ide":     {"cel"},
	"brexu":   {"cel"},
	"pml":     {"rara"},
	"auer":    {"rods", "rod"},
	"burkitt": {"lymphoma", "leukemia"},
	// (dev71): a compartment pressure monitor, a traction frame
	"stryker": {"device", "frame", "bed", "monitor", "needle"},
	// (dev70, dev71): beta-thalassemia, the Morel-Lavallee lesion (review17: not
	// on the clinical list, where "Called Lavallee" would lose its name)
	"beta":  {"thal"},
	"morel": {"lavallee"},
	// (dev72-dev74): the burn chart, a scar scale, a dressing, an open abdomen's bag, a
	// ventricular assist device, shunts
	"lund":      {"browder"},
	"vancouver": {"scar"},
	"ace":       {"wrap", "wraps", "wrapped", "bandage", "bandages", "rub"},
	"bogota":    {"bag"},
	"berlin":    {"heart"},
	"blalock":   {"taussig"},
	"damus":     {"kaye"},
	// (dev75-dev77): a deep neck infection, a chin-to-chest stitch, an
	// implantable doppler, a catatonia scale
	"ludwig": {"angina"},
	"grillo": {"stitch", "stitches", "suture"},
	"cook":   {"swartz"},
	"bush":   {"francis"},
	// (dev84, dev85): an occupational-therapy screen, an energy equation, REM
	// sleep and its behaviour disorder, a cleft-lip bow
	"allen":  {"cognitive", "test", "barbeau", "chart"},
	"harris": {"benedict"},
	"rem":    {"sleep"},
	"logan":  {"bow"},
	// (dev87, dev88): a port needle, an achalasia operation and its wrap, a
	// rhomboid flap, a wound vac's pad
	"huber":   {"needle", "needles"},
	"heller":  {"myotomy"},
	"dor":     {"fundoplication"},
	"limberg": {"flap"},
	"trac":    {"pad"},
	"wong":    {"baker"}, // the faces pain scale (dev87)
	// (dev90): an epilepsy syndrome, a Guillain-Barré variant
	"lennox": {"gastaut"},
	"aman":   {"variant"},
	// (dev94, dev95): a subglottic-stenosis grade, a mandible anomaly, inherited TTP
	"myer":    {"cotton"},
	"pierre":  {"robin"},
	"upshaw":  {"schulman"},
	"elecare": {"jr"}, // an infant formula (dev95)
	// (dev96, dev97): a thyroid-storm score, a chest-compression device, post-hypoxic myoclonus
	"burch": {"wartofsky"},
	"lucas": {"device", "cpr"},
	"lance": {"adams"},
	// (dev130, dev131): radial access (the Allen and Barbeau tests), a
	// coronary catheter's curve, an ECG pattern, a standing aid
	"judkins": {"l", "r", "left", "right"},
	"wellens": {"pattern", "syndrome", "sign", "waves"},
	"sara":    {"stedy", "stedys"},
	// (dev132-dev137): examinations, signs, scales, frames and devices of
	// clinics, surgery centres and the field
	"ortolani":   {"barlow", "neg", "negative", "pos", "positive", "maneuver", "sign"},
	"barlow":     {"ortolani", "neg", "negative", "pos", "positive", "maneuver", "sign"},
	"lachman":    {"neg", "negative", "pos", "positive", "test"},
	"mcmurray":   {"neg", "negative", "pos", "positive", "test"},
	"weber":      {"lateralizes", "midline", "test", "rinne", "a", "b", "c"}, // the ankle fracture's class ("Weber B": every development batch)
	"rinne":      {"ac", "bc", "test", "neg", "negative", "pos", "positive"},
	"dix":        {"hallpike"},
	"ottawa":     {"rules", "rule", "ankle", "knee", "neg", "negative", "pos", "positive"},
	"wilson":     {"frame"},
	"savi":       {"scout"},
	"de":         {"quervain", "quervain's"},
	"doyle":      {"splints", "splint"},
	"boston":     {"sci", "scientific", "bowel"},
	"sentinel":   {"node", "nodes", "lymph"},
	"edinburgh":  {"screen", "score", "scale", "postnatal"},
	"vanderbilt": {"forms", "form", "scale", "scales", "assessment"},
	"stanley":    {"brown"},
	"achilles":   {"symmetric", "tendon", "reflex", "reflexes", "rupture", "tendinopathy"},
	"bethesda":   {"category", "categories", "class", "criteria"},
	"cincinnati": {"positive", "negative", "stroke", "scale", "prehospital"},
	// (dev235): an eye-irrigation lens and the ultrasound's sign of
	// cholecystitis ("Morgan lens not indicated", "sonographic Murphy")
	"morgan":      {"lens"},
	"sonographic": {"murphy", "murphy's"},
	// (every development batch's false alarms, session 39): a vertigo
	// exercise and a test of fetal blood in the mother's
	"brandt":    {"daroff"},
	"kleihauer": {"betke"},
	"cockcroft": {"gault"},
	"semmes":    {"weinstein"},
	"duffy":     {"null", "negative", "positive"},
	// (every development batch's false alarms, session 39): the corona
	// radiata, Stanford type A dissections, the Boston bowel preparation
	// scale, the Bruce treadmill protocol, a St. Jude mechanical valve, the
	// Neer and Hawkins impingement signs, a diabetic (ADA) diet ("cardiac/ADA
	// diet" too: the pair is ADA's and the word after it), a bulky
	// Jones dressing, the Glenn shunt
	"corona":   {"radiata"},
	"stanford": {"type"},
	"bruce":    {"protocol"},
	"jude":     {"mechanical", "valve"},
	"neer":     {"hawkins"},
	"ada":      {"diet"},
	"jones":    {"dressing", "dressings", "fracture"},
	"glenn":    {"shunt", "procedure", "angio"},
	"lal":      {"mattress", "bed", "surface"}, // a low-air-loss mattress ("LAL" stays a surname elsewhere)
	// (dev238-dev240): a knee osteoarthritis grade, a swallowing exercise
	"kellgren": {"lawrence"},
	"masako":   {"exercise", "exercises", "maneuver"},
}

// eponymPair: tokens k and m (m after k, with at most a hyphen or a slash
// between: "Allen/Barbeau")
// are a pair of eponymPairs.
func (sc *scan) eponymPair(k, m int) bool {
	if k < 0 || m >= len(sc.toks) || sc.toks[k].kind != kWord || sc.toks[m].kind != kWord || sc.toks[m].nl {
		return false
	}
	if m == k+2 && !((sc.punct(k+1, '-') || sc.punct(k+1, '/')) && sc.joined(k+1) && sc.joined(m)) || m != k+1 && m != k+2 {
		return false
	}
	w := sc.lower(k)
	if len(w) >= 16 || w[0] < 'a' || w[0] > 'z' || eponymFirst[w[0]-'a']&(1<<len(w)) == 0 {
		return false // (most words: no map look-up)
	}
	seconds, ok := eponymPairs[w]
	if !ok || !slices.Contains(seconds, sc.lower(m)) {
		return false
	}
	if w == "vit" && sc.punct(k-1, ',') && k >= 2 && sc.toks[k-2].kind == kWord && sc.toks[k-2].flags&(lexicon.Name|lexicon.Clinical) == lexicon.Name {
		return false // "Tran, Vit B": a given name and an initial after a surname ("Diuril, Vit D" is a list)
	}
	// a pair of two common names ("Marcus Gunn", "Ramsay Hunt") is a
	// person's name unless hyphenated or before its head ("marcus gunn
	// pupil", "Adams-Stokes")
	return !namePairs[w] || m == k+2 || sc.eponym(m+1)
}

// namePairs: first words of eponymPairs whose pair also reads as a person's
// first name and surname.
var namePairs = map[string]bool{"marcus": true, "ramsay": true, "adams": true, "lambert": true, "salter": true,
	"bush": true, "cook": true} // "Spoke to Bush Francis (son)" (review19)

// eponymFirst: bit n of entry c is set when a first word of eponymPairs has
// n letters and starts with 'a'+c.
var eponymFirst = func() (f [26]uint16) {
	for w := range eponymPairs {
		f[w[0]-'a'] |= 1 << len(w)
	}
	return f
}()

// inEponym: word token k is one word of an eponym pair.
// (or, alone in the possessive, names a disease or sign: possessiveEponyms,
// with no person after it: "parkinson's", not "Horner's son").
func (sc *scan) inEponym(k int) bool {
	if !sc.inSet(k, eponymAnySet) && !sc.inSet(k-1, eponymFirstSet) && !sc.inSet(k-2, eponymFirstSet) {
		return false // (most words: every test below asks for one of these)
	}
	return sc.eponymPair(k, k+1) || sc.eponymPair(k, k+2) || sc.eponymPair(k-1, k) || sc.eponymPair(k-2, k) ||
		sc.inSet(k, scoredEponymSet) && sc.scoreRightAfter(k) && !sc.personCueAt(k) ||
		sc.inSet(k, possessiveEponymSet) && sc.possessive(k+1) && !sc.personAfterPossessive(k+3) ||
		sc.cardiacOp(k) || sc.inSet(k, loneEponymSet) && sc.eponymContext(k) && !sc.personCueAt(k)
}

// eponymContext: word token k stands among clinical words: after a
// header's colon, a bracket, a "+" or "/", or a clinical word ("Incision:
// Pfannenstiel", "(Pfannenstiel)", "sutures + Bakri", "through Bakri"),
// or before a number, a clinical word or a device's verb ("Bakri 350 mL",
// "Couvelaire uterus", "Bakri in place", "KLEIHAUER SENT"). "Paged Bakri,
// no response" and "Pfannenstiel, Emily RN" stay names (review20).
func (sc *scan) eponymContext(k int) bool {
	if p := k - 1; p >= 0 && !sc.toks[k].nl {
		if sc.punct(p, ':') || sc.punct(p, '(') || sc.punct(p, '+') || sc.punct(p, '/') {
			return true
		}
		if sc.toks[p].kind == kWord && (sc.toks[p].flags&(lexicon.Clinical|lexicon.Name) == lexicon.Clinical && !sc.inSet(p, roleWordSet) || sc.is(p, "through") || sc.is(p, "via") || sc.is(p, "w")) {
			return true
		}
	}
	n := k + 1
	if n >= len(sc.toks) || sc.toks[n].nl {
		return false
	}
	switch sc.toks[n].kind {
	case kNum, kAlnum:
		return true
	case kWord:
		w := sc.lower(n)
		return sc.toks[n].flags&(lexicon.Clinical|lexicon.Name) == lexicon.Clinical && !roleWords[w] || eponymNext[w]
	}
	return sc.punct(n, ',') && n+1 < len(sc.toks) && sc.toks[n+1].kind == kWord && sc.toks[n+1].flags&(lexicon.Clinical|lexicon.Name) == lexicon.Clinical
}

// eponymNext follow a lone eponym used as a thing: a device's or a test's
// verb, the organ of a sign, or what an incision is closed with ("Bakri in
// place", "KLEIHAUER SENT", "Couvelaire uterus", "pfannenstiel w/
// dermabond").
var eponymNext = map[string]bool{
	"in": true, "removed": true, "placed": true, "sent": true, "deflated": true, "inflated": true,
	"intact": true, "drain": true, "draining": true, "pending": true, "uterus": true, "w": true, "with": true,
	"balloon": true, // "UTEROTONICS. BAKRI BALLOON PLACED" (dev106)
}

// personCueAt: a cue around token k makes it a person: a name cue before
// it, a role, rank or minister's title right before it ("PASTOR
// PFANNENSTIEL", "Attending Bakri") or a credential after it ("Kleihauer,
// RN").
func (sc *scan) personCueAt(k int) bool {
	if p := sc.prevWord(k); p >= 0 && p == k-1 && (sc.inSet(p, roleSet) || sc.inSet(p, clergySet) || sc.inSet(p, roleWordSet) || sc.inSet(p, physicianRankSet)) {
		return true
	}
	return sc.nameCueBefore(k) || sc.credAfter(k) || sc.punct(k+1, ',') && sc.credAfter(k+1)
}

// physicianRanks come before a doctor's name ("Attending Bakri": review20).
var physicianRanks = map[string]bool{
	"attending": true, "resident": true, "fellow": true, "intern": true, "surgeon": true, "obgyn": true,
}

// clergy come before a minister's name ("CHAPLAIN X", "rev X").
var clergy = map[string]bool{
	"chaplain": true, "rev": true, "reverend": true, "deacon": true, "rabbi": true, "imam": true, "priest": true,
}

// scoredEponyms name a scale after its author, written with its score
// right after it ("Berg 38/56", "BERG 51/56", "Berg >48", "Tinetti 18/28",
// "Snellen 20/40": dev126, dev129), or its waveform class ("Barbeau A":
// dev130); a Mr Berg is written without a number after him
// (scoreRightAfter). Asked by token (scoredEponymSet): candidate asks it
// of most words through inEponym.
var scoredEponyms = map[string]bool{
	"berg": true, "tinetti": true, "snellen": true, "barbeau": true, "alvarado": true, "midas": true,
	"apfel": true, "epworth": true, "moca": true,
}

// scoreRightAfter: the token after k, on its line, is a number, or ">",
// "<", ":" or "of" and then a number ("Berg 41", "Berg >48", "Berg: 38",
// "Berg of 38"), or "balance" or "score"; after "barbeau", a class from A
// to D in its place.
func (sc *scan) scoreRightAfter(k int) bool {
	n := k + 1
	if n >= len(sc.toks) || sc.toks[n].nl {
		return false
	}
	if sc.punct(n, '>') || sc.punct(n, '<') || sc.is(n, "of") || sc.punct(n, ':') {
		n++
		if n >= len(sc.toks) || sc.toks[n].nl {
			return false
		}
	}
	if sc.is(k, "barbeau") {
		// the Barbeau test's four waveforms: "R RADIAL BARBEAU A", "(Barbeau A)" (dev130)
		w := sc.lower(n)
		return sc.toks[n].kind == kWord && len(w) == 1 && w[0] >= 'a' && w[0] <= 'd'
	}
	return sc.toks[n].kind == kNum || sc.is(n, "balance") || sc.is(n, "score")
}

// loneEponyms are surnames that name an incision, a device or a sign by
// themselves in obstetric notes ("Incision: Pfannenstiel", "Bakri in
// place", "Couvelaire uterus", "KLEIHAUER SENT": dev59, dev78). The
// clinical list cannot make one safe: off the list it is a candidate, and
// on it (bakri) a capitalised one in a mixed-case line is still read as a
// name. Only among clinical words (eponymContext), and never beside a
// person's cue (personCueAt: "PT'S PASTOR PFANNENSTIEL"). Asked by token
// (loneEponymSet).
var loneEponyms = map[string]bool{"pfannenstiel": true, "bakri": true, "couvelaire": true, "kleihauer": true}

// cardiacOps name a heart operation after its surgeon ("s/p Glenn",
// "NORWOOD W/ SANO", "PRE-GLENN", "Ross procedure"); their names are also
// given names, surnames and towns, so each is an operation only beside a
// word of its course or another operation (cardiacOp). Asked by token
// (cardiacOpSet).
var cardiacOps = map[string]bool{
	"glenn": true, "norwood": true, "sano": true, "starnes": true, "mustard": true, "ross": true, "konno": true,
	"kawashima": true, "nikaidoh": true, "yasui": true, "warden": true, "bentall": true, "jatene": true,
	"rastelli": true, "senning": true, "fontan": true, "damus": true, "bt": true,
	"hartmann": true, // and one of the bowel ("s/p Hartmann", "colostomy (Hartmann)": dev164)
}

// eponymFirsts are the first words of eponymPairs, and eponymAny those and
// every other word that can make a token an eponym's (inEponym's gate).
var eponymFirsts, eponymAny = func() (first, all map[string]bool) {
	first, all = map[string]bool{}, map[string]bool{}
	for w := range eponymPairs {
		first[w], all[w] = true, true
	}
	for _, m := range []map[string]bool{possessiveEponyms, scoredEponyms, loneEponyms, cardiacOps} {
		for w, ok := range m {
			all[w] = all[w] || ok
		}
	}
	return first, all
}()

// cardiacOpBefore and cardiacOpAfter come before and after an operation's
// name ("bidirectional Glenn", "failing Fontan", "Glenn POD 6", "sano flow").
var cardiacOpBefore = map[string]bool{
	"sp": true, "post": true, "pre": true, "stage": true, "bidirectional": true, "bdg": true, "hemi": true,
	"completion": true, "failing": true, "failed": true, "classic": true, "modified": true,
	"extracardiac": true, "fenestrated": true, "hlhs": true,
	"colostomy": true, "colectomy": true, // "END COLOSTOMY (HARTMANN)"
}

var cardiacOpAfter = map[string]bool{
	"procedure": true, "shunt": true, "operation": true, "op": true, "circulation": true, "physiology": true,
	"pressure": true, "pressures": true, "fenestration": true, "takedown": true, "conduit": true, "baffle": true,
	"repair": true, "pathway": true, "anomaly": true, "revision": true, "pod": true, "flow": true,
	"candidate": true, "palliation": true, "completion": true, "stage": true,
	"reversal": true, "pouch": true, // "Hartmann reversal", "Hartmann pouch"
}

// cardiacOp: word token k names a heart operation: one of cardiacOps with
// a word of its course or another operation within three tokens on its
// line, only marks, "w" or "with" between; another operation counts only
// across a mark or "w/"/"with" ("s/p norwood/bt", "NORWOOD W/ SANO",
// "Glenn POD 6"); "Glenn at bedside", "Ross, RN" and "Glenn and Ross at
// bedside" stay names.
func (sc *scan) cardiacOp(k int) bool {
	if !sc.inSet(k, cardiacOpSet) {
		return false
	}
	for d := -1; d <= 1; d += 2 {
		between := false // a mark or "w/" between k and m
		for m := k + d; m >= 0 && m < len(sc.toks) && (m-k)*d <= 3; m += d {
			if d < 0 && sc.toks[m+1].nl || d > 0 && sc.toks[m].nl {
				break // (its line only)
			}
			t := &sc.toks[m]
			if t.kind == kPunct {
				if c := sc.text[t.s]; c == '.' || c == ',' || c == ';' || c == ':' {
					break
				}
				between = true
				continue
			}
			if t.kind != kWord {
				break
			}
			w := sc.lower(m)
			if sc.inSet(m, cardiacOpSet) && between || d < 0 && (cardiacOpBefore[w] || w == "p" && sc.punct(m-1, '/') && sc.is(m-2, "s")) || d > 0 && cardiacOpAfter[w] {
				return true
			}
			if w != "w" && w != "with" {
				break
			}
			between = true
		}
	}
	return false
}

// personAfterPossessive: token k, after "X's", is a relation or what a
// person has ("Hoffman's daughter", "Horner's son", "Osler's family").
func (sc *scan) personAfterPossessive(k int) bool {
	if k >= len(sc.toks) || sc.toks[k].kind != kWord || sc.toks[k].nl {
		return false
	}
	if sc.toks[k].kw&(setRelation|setCue1) != 0 {
		return true
	}
	switch sc.lower(k) {
	case "family", "house", "home", "room", "phone", "number", "car", "friend", "friends", "kids", "children", "parents",
		"wife", "husband", "son", "daughter", "mother", "father", "mom", "dad", "sister", "brother", "partner", "office", "np", "pa", "rn", "md":
		return true
	}
	return false
}

// possessiveEponyms name a disease, sign, operation or aphasia in the
// possessive with no head after it ("hx of parkinson's", "+ Hoffmann's R",
// "s/p Hartmann's", "r horner's"); surnames and first names common in
// their own right (Murphy, Addison, Barrett, Todd, Bell, Hoffman, Ewing,
// Osler, Whipple) are left out, so that "Murphy's wife" and "Ewing's
// account" stay names.
var possessiveEponyms = map[string]bool{
	"hartmann": true, "hoffmann": true, "parkinson": true, "horner": true, "broca": true,
	"wernicke": true, "babinski": true, "crohn": true, "alzheimer": true, "cushing": true, "hashimoto": true,
	"hodgkin": true, "kawasaki": true, "meniere": true, "raynaud": true, "sjogren": true, "tourette": true,
	"wilms": true, "burkitt": true, "chvostek": true, "trousseau": true, "homan": true, "homans": true,
	"kernig": true, "brudzinski": true, "mcburney": true, "rovsing": true, "kussmaul": true, "korsakoff": true,
	"dupuytren": true, "peyronie": true, "zenker": true, "meckel": true, "hirschsprung": true,
	"asperger": true, "munchausen": true, "dressler": true, "virchow": true, "fournier": true, "kehr": true,
	"kaposi": true, "behcet": true, "takayasu": true, "wegener": true,
	"ludwig":   true, // "LUDWIG'S ANGINA" (dev75)
	"cullen":   true, // "Grey Turner's sign noted L flank, Cullen's periumbilical" (dev67)
	"richter":  true, // "CLL w/ Richter's transformation" (dev70)
	"ebstein":  true, // "4 wk old w/ ebstein's (mild)" (dev74)
	"petersen": true, // "internal hernia through Petersen's defect" (dev88)
	"todd":     true, // "no Todd's paralysis" (dev90); "Todd's wife" stays a name
	"dakin":    true, // "Kerlix moistened with Dakin's 1/8 strength" (dev91)
	"lemierre": true, // "Lemierre's syndrome" (dev91)
	"wilson":   true, // "bridge for wilson's, possible tomorrow" (dev105); "Wilson's wife" stays a name
}

// eponymSpan: every word of tokens first..last belongs to an eponym pair
// (and there is one), or the span is one word after a size in French, a
// drain or catheter named after its maker ("15FR BLAKE", "14 Fr Malecot").
func (sc *scan) eponymSpan(first, last int) bool {
	return sc.eponymWords(first, last, "") || first == last && sc.frenchBefore(first) || sc.graded(first, last)
}

// romanGrade: w (lower case) is a classification's grade in Roman numerals:
// II, III or IV, the first two with an optional subtype letter ("iii",
// "iiia", "iib"), and VI to VIII (the Rancho levels). "I" and "V" are too
// often a pronoun or an initial and count only where gradeAt lets them;
// "via", "iva" and "vic" are words or names, and "Vi" a name only where no
// word stands before it on its line (gradeAt).
func romanGrade(w string) bool {
	switch w {
	case "ii", "iii", "iv", "iia", "iib", "iic", "iiia", "iiib", "iiic",
		"vi", "vii", "viii": // the Rancho Los Amigos levels of a brain injury ("Rancho VII", dev126)
		return true
	}
	return false
}

// gradeAt: token k, on the line of the word before it, is a grade in Roman
// numerals ("HAWKINS III", "pipkin iv"), or "type", "grade", "class" or
// "stage" and one or a digit ("Su type II"), and what follows the grade
// ends the phrase: the line's end, punctuation, or what the grade is of
// ("fracture", "malformation", the "s" of "s/p"). "Maria IV team aware"
// keeps its name, as does "Maria V." (an initial: no full stop after a
// lone "I" or "V"). It returns the grade's last token, or -1.
func (sc *scan) gradeAt(k int) int {
	if k >= len(sc.toks) || sc.toks[k].nl || sc.toks[k].kind != kWord {
		return -1
	}
	g := -1
	switch w := sc.lower(k); w {
	case "type", "grade", "class", "stage", "level": // "Rancho level VI" (dev126)
		if n := k + 1; n < len(sc.toks) && !sc.toks[n].nl && (sc.toks[n].kind == kNum && sc.toks[n].e-sc.toks[n].s == 1 || sc.toks[n].kind == kWord && romanGrade(sc.lower(n))) {
			g = n
		}
	case "i", "v":
		if sc.punct(k+1, '.') {
			return -1
		}
		g = k
	default:
		if romanGrade(w) {
			g = k
		}
	}
	if g < 0 {
		return -1
	}
	// a range of grades: "RANCHO IV-V", "Rancho VI-VII" (dev126)
	if r := g + 2; r < len(sc.toks) && sc.punct(g+1, '-') && sc.joined(g+1) && sc.joined(r) && sc.toks[r].kind == kWord &&
		(romanGrade(sc.lower(r)) || sc.is(r, "v") || sc.is(r, "i")) {
		g = r
	}
	n := g + 1
	if n >= len(sc.toks) || sc.toks[n].nl || sc.toks[n].kind == kPunct || gradedThings[sc.lower(n)] || sc.is(n, "s") && sc.punct(n+1, '/') {
		return g
	}
	return -1
}

// gradedThings are what a classification's grade is of ("Gustilo IIIA
// fracture", "Chiari I malformation").
var gradedThings = map[string]bool{
	"fracture": true, "fractures": true, "fx": true, "fxs": true, "malformation": true, "injury": true,
	"lesion": true, "tear": true, "dislocation": true, "defect": true, "deformity": true, "open": true,
}

// graded: tokens first..last are a classification named after its author
// and its grade, or the word alone with the grade after it ("HAWKINS III",
// "pipkin iv", "(GUSTILO IIIA)", "Su type II", "Chiari I"), or a grade
// alone ("IIIA"): no name or place unless a name cue stands before ("Dr.
// Hawkins III"). A person's suffix follows a full name ("John Hawkins III"),
// which is two words.
func (sc *scan) graded(first, last int) bool {
	if sc.toks[first].kind != kWord {
		return false
	}
	if first == last && len(sc.lower(first)) >= 3 && romanGrade(sc.lower(first)) {
		return true // "IIIA" alone
	}
	g := sc.gradeAt(first + 1)
	if g < 0 {
		g = sc.digitGradeAt(first)
	}
	if g < 0 || last > g {
		return false
	}
	return !sc.nameCueBefore(first)
}

// digitGradeAt: word token k is one of digitGraded and a grade of one or two
// digits follows it on its line ("Wagner 3 diabetic foot ulcer", "HURLEY 3",
// "Tanner 3-4", "Gleason 7"), not a count ("Wagner 3 times") nor a value
// (a unit, a decimal or a fraction after it). It returns the grade's last
// token, or -1.
func (sc *scan) digitGradeAt(k int) int {
	g := k + 1
	if !sc.inSet(k, digitGradedSet) || g >= len(sc.toks) || sc.toks[g].nl || sc.toks[g].kind != kNum || sc.numLen(g) > 2 || !sc.toks[g].sp {
		return -1
	}
	if r := g + 2; r < len(sc.toks) && sc.punct(g+1, '-') && sc.joined(g+1) && sc.joined(r) && sc.toks[r].kind == kNum && sc.numLen(r) <= 2 {
		g = r // "Tanner 3-4"
	}
	n := g + 1
	if n < len(sc.toks) && !sc.toks[n].nl && (sc.joined(n) && (sc.punct(n, '/') || sc.punct(n, '.') && n+1 < len(sc.toks) && sc.toks[n+1].kind == kNum && sc.joined(n+1)) ||
		sc.toks[n].kind == kWord && (sc.in(n, setMeasure) || durationUnits[sc.lower(n)])) {
		return -1
	}
	return g
}

// digitGraded are classifications and scores named after their authors
// whose grades are written in digits (dev166: "Wagner 3", "HURLEY 3").
var digitGraded = map[string]bool{
	"wagner": true, "hurley": true, "tanner": true, "gleason": true, "fisher": true, "rutherford": true,
	"fontaine": true, "breslow": true,
}

// eponymWords: a word of tokens first..last belongs to an eponym pair and
// every other word is no PHI of type typ as far as the rules know
// (plausibleTok; with typ "", there is no other word): "MALLORY-WEISS TEAR"
// typed a name by the tagger, a tear being no part of a name. No name cue
// stands before.
func (sc *scan) eponymWords(first, last int, typ Type) bool {
	words, joined := false, false
	for k := first; k <= last; k++ {
		if sc.toks[k].kind != kWord || k > first && sc.is(k, "s") && sc.punct(k-1, '\'') {
			continue // (the "s" of "Petersen's": dev88)
		}
		if k > first && sc.toks[k].e-sc.toks[k].s == 1 && sc.toks[k-1].kind == kWord && sc.inEponym(k-1) {
			continue // a class or a side after the eponym, not an initial: "Barbeau B.", "Allen/Barbeau R hand" (dev130)
		}
		if sc.inEponym(k) {
			words = true
			joined = joined || sc.eponymPair(k, k+2)
		} else if typ == "" || sc.plausibleTok(k, typ) {
			return false
		}
	}
	// (the cue last: most spans hold no pair) a person so named: "daughter
	// Mallory Weiss", "Dr. Jackson Pratt"; not a hyphenated pair with no
	// title or relation right before ("per Lund-Browder"; "Ms.
	// Stevens-Johnson" and "daughter Gardner-Wells" stay) or an operation
	// after a word of its course ("Infant post Norwood")
	if words && sc.toks[first].flags&lexicon.City != 0 && sc.resultAfter(last) && sc.placeCue(first) > 0 {
		return false // a town after a place cue before a test's result: "from Ottawa negative for flu" (review), not "Ottawa negative"
	}
	return words && (joined && !sc.titleOrRelationBefore(first) || sc.opAfterCourse(first) || !sc.nameCueBefore(first))
}

// resultAfter: the word after token k is a test's result ("neg",
// "negative", "pos", "positive").
func (sc *scan) resultAfter(k int) bool {
	return sc.is(k+1, "neg") || sc.is(k+1, "negative") || sc.is(k+1, "pos") || sc.is(k+1, "positive")
}

// titleOrRelationBefore: the word right before token k (a full stop between
// them allowed) is a title or a relation ("Ms. Stevens-Johnson", "daughter
// Gardner-Wells").
func (sc *scan) titleOrRelationBefore(k int) bool {
	p := k - 1
	if sc.punct(p, '.') {
		p--
	}
	return p >= 0 && sc.toks[p].kind == kWord && sc.toks[p].kw&(setTitle|setRelation) != 0
}

// opAfterCourse: word token k is one of cardiacOps right after a word of
// its course or another operation ("post Norwood", "s/p glenn",
// "norwood/bt").
func (sc *scan) opAfterCourse(k int) bool {
	if !sc.inSet(k, cardiacOpSet) {
		return false
	}
	p := sc.prevWord(k)
	if p < 0 {
		return false
	}
	w := sc.lower(p)
	return cardiacOpBefore[w] || sc.inSet(p, cardiacOpSet) && p < k-1 || w == "p" && sc.punct(p-1, '/') && sc.is(p-2, "s")
}
