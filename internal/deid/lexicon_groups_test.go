package deid

import "testing"

// TestClinicalGroups: the groups of clinical vocabulary of the seventh
// round (lexicon/clinical.txt: drugs and their short forms, contrast agents,
// wound-care products, devices and makers, organisms, laboratory tests,
// shorthand) are no PHI by themselves, for the rules and as another
// detector's spans, in any letter case; a title or relation before one
// still makes it a name, and the names and places left out of the groups
// (Kling, Candida, Norco) stay found.
func TestClinicalGroups(t *testing.T) {
	rules := []struct{ name, in, want string }{
		{"wound care and maker", "Medihoney to sacral wound. MEDTRONIC rep at bedside.", "Medihoney to sacral wound. MEDTRONIC rep at bedside."},
		{"serologies", "HBsAg neg, Quantiferon pending, HeartMate alarms none.", "HBsAg neg, Quantiferon pending, HeartMate alarms none."},
		{"shorthand", "Outpt f/u; ADLs with set-up, fmla papers given.", "Outpt f/u; ADLs with set-up, fmla papers given."},
		{"title before a drug word", "Discussed with Dr. Rosuva today.", "Discussed with Dr. [NAME] today."},
		{"relation before a known name", "Her son Neo called at 1400.", "Her son [NAME] called at 1400."},
		{"surname left out", "Seen by nurse Kling at 0800.", "Seen by nurse [NAME] at 0800."},
		{"given name left out", "Wife Candida at bedside.", "Wife [NAME] at bedside."},
		{"town left out", "Lives in Norco with daughter.", "Lives in [LOCATION] with daughter."},
	}
	for _, tc := range rules {
		t.Run(tc.name, func(t *testing.T) {
			if got := detectTags(t, tc.in); got != tc.want {
				t.Errorf("\n in   %q\n got  %q\n want %q", tc.in, got, tc.want)
			}
		})
	}
	spans := []struct {
		name, text, part string
		typ              Type
		want             string // what is kept ("" when dropped)
	}{
		{"organism as name", "Blood cx: Staphylococcus epidermidis 1/2 bottles.", "Staphylococcus epidermidis", TypeName, ""},
		{"serology as name", "HBsAg neg, RPR nonreactive.", "RPR", TypeName, ""},
		{"drug as name", "Started Andexanet bolus at 1300.", "Andexanet", TypeName, ""},
		{"drug short form in capitals", "ATORVA 40 MG QHS, BUSPIRONE 10 MG BID", "ATORVA", TypeName, ""},
		{"generic in capitals", "ATORVA 40 MG QHS, BUSPIRONE 10 MG BID", "BUSPIRONE", TypeName, ""},
		{"contrast as name", "CT with Omnipaque 100 ml at 0900.", "Omnipaque", TypeName, ""},
		{"device as phone", "HeartMate 3 flow 4.5, PI 3.2.", "HeartMate", TypePhone, ""},
		{"skin finding as name", "Periwound skin intact, TBSA 12%.", "Periwound", TypeName, ""},
		{"maker as organisation", "MEDTRONIC REP TO INTERROGATE", "MEDTRONIC", TypeLocation, ""},
		{"relation before a known name kept", "her son Neo at bedside", "Neo", TypeName, "Neo"},
		{"title before a known name kept", "plan per Dr Neo today", "Neo", TypeName, "Neo"},
	}
	r := DefaultRules()
	for _, tc := range spans {
		t.Run(tc.name, func(t *testing.T) { checkPlausible(t, r, tc.text, tc.part, tc.typ, tc.want) })
	}
}
