package deid

import (
	"context"
	"strings"
	"testing"
)

// TestGoldenContext covers the context rules for PHI without a head word or
// a title (rules_context.go), and text around them that must stay.
func TestGoldenContext(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"works at", "Pt works at Costco in the bakery.", "Pt works at [LOCATION] in the bakery."},
		{"works nights at", "She works nights at Kaiser as an aide.", "She works nights at [LOCATION] as an aide."},
		{"teacher at", "Partner is a teacher at Roosevelt Middle.", "Partner is a teacher at [LOCATION]."},
		{"attends", "Attends Bethel AME on Sundays.", "Attends [LOCATION] on Sundays."},
		{"employer label", "Employer: Tyson Foods", "Employer: [LOCATION]"},
		{"employer comma", "I spoke with his employer, Amazon, today.", "I spoke with his employer, [LOCATION], today."},
		{"called from", "Sister called from Walgreens about the Rx.", "Sister called from [LOCATION] about the Rx."},
		{"presents from", "He presents from Villa Rosa nursing home.", "He presents from [LOCATION] nursing home."},
		{"head word from a package", "Referred to the Jewish Family Service.", "Referred to the [LOCATION]."},
		{"park", "Found at Stanley Park by police.", "Found at [LOCATION] by police."},
		{"later mention", "Lives at Birchwood Manor. Return to Birchwood Manor.", "Lives at [LOCATION]. Return to [LOCATION]."},
		{"highway", "Crash on I-94 near exit 3.", "Crash on [LOCATION] near exit 3."},
		{"route", "Takes the Route 9 bus.", "Takes the [LOCATION] bus."},
		{"sentence name", "Tobias states he stopped lithium.", "[NAME] states he stopped lithium."},
		{"sentence name with relation", "Lena (pt's wife) says he drinks.", "[NAME] (pt's wife) says he drinks."},
		{"last, first sentence", "Ahmadi, Farid is a 67M with DM2.", "[NAME] [NAME] is a 67M with DM2."},
		{"relation after", "Rosa Delgado (daughter) 210-555-0119", "[NAME] (daughter) [PHONE]"},
		{"relation comma", "Emergency: Sunil Varma, husband", "Emergency: [NAME], husband"},
		{"nickname", `Her niece Charlotte "Charlie" Vane holds POA.`, `Her niece [NAME] holds POA.`},
		{"hyphenated lower", "Lives with roommate (Jae-won).", "Lives with roommate ([NAME])."},
		{"particle", "Her husband Yusuf al-Hakim drove.", "Her husband [NAME] drove."},
		{"spoke with", "Spoke with Nour about the plan.", "Spoke with [NAME] about the plan."},
		{"possessive business", "Picked up at Kroger's pharmacy.", "Picked up at [LOCATION] pharmacy."},
		{"age with sex", "ED triage: 97F from home.", "ED triage: [AGE]F from home."},
		{"age after name", "Giuseppe Marchetti, 92, presents with cough.", "[NAME], [AGE], presents with cough."},
		{"international phone", "Husband +44 20 7946 0321.", "Husband [PHONE]."},
		{"spaced phone", "Callback 903 555 0165.", "Callback [PHONE]."},
		{"fax in parentheses", "Faxed (fax (970) 555-0133) today.", "Faxed (fax [PHONE]) today."},
		{"weekday abbreviation", "Seen again on Wed.", "Seen again on [DATE]."},
		{"holiday", "Fell on New Year's Eve.", "Fell on [DATE]."},
		{"bracketed date", "[9/14 08:02] mom fell", "[[DATE] 08:02] mom fell"},
		{"year-month", "Seen at UCSF in 2019-03.", "Seen at [LOCATION] in [DATE]."},
		{"in an unknown place", "She moved in with Kayleigh in Fishtown last month.", "She moved in with [NAME] in [LOCATION] last month."},
		{"unknown word before a person's verb", "Yesterday Kwame reports chest pain.", "Yesterday [NAME] reports chest pain."},
		{"unknown word at the start", "Oyelaran was admitted from the SNF.", "[NAME] was admitted from the SNF."},
		// must stay
		{"drug before a verb", "Eliquis was held and Ozempic caused nausea.", "Eliquis was held and Ozempic caused nausea."},
		{"in a language", "Interview done in Spanish today.", "Interview done in Spanish today."},
		{"in a service", "Seen in Cardiology today.", "Seen in Cardiology today."},
		{"in a common word", "Documented in Epic.", "Documented in Epic."},
		{"drug after to", "Switched to Eliquis 5 mg BID.", "Switched to Eliquis 5 mg BID."},
		{"unit after to", "Transferred to ICU for pressors.", "Transferred to ICU for pressors."},
		{"service after to", "Admitted to Medicine.", "Admitted to Medicine."},
		{"payer", "Insurance: Medicaid", "Insurance: Medicaid"},
		{"time word", "Today: afebrile.", "Today: afebrile."},
		{"distance", "Walked 100m without rest.", "Walked 100m without rest."},
		{"lab name", "Performed at Clinical Laboratory.", "Performed at Clinical Laboratory."},
		{"generic care", "Advance Care Planning discussed.", "Advance Care Planning discussed."},
		{"a shunt's direction", "Echo: small PDA, L to R. Plan per neonatology.", "Echo: small PDA, L to R. Plan per neonatology."},
		{"a gaze's side", "L neglect, gaze preference to R. Pupils 3mm equal.", "L neglect, gaze preference to R. Pupils 3mm equal."},
		{"a letter and a line", "AM labs drawn from A-line, sent. CXR done.", "AM labs drawn from A-line, sent. CXR done."},
		{"a letter and a tube", "cholangiogram through T-tube per surgeon.", "cholangiogram through T-tube per surgeon."},
		{"a clinical word hyphenated", "Transfer Note - MICU to Step-Down", "Transfer Note - MICU to Step-Down"},
		{"a town hyphenated", "transferred to Sun-Valley rehab", "transferred to [LOCATION] rehab"},
		{"a state alone", "Mother called from Oregon, asking about visiting hours.", "Mother called from Oregon, asking about visiting hours."},
		{"a state alone in capitals", "PT'S SISTER FLYING IN FROM ARIZONA ON FRIDAY.", "PT'S SISTER FLYING IN FROM ARIZONA ON [DATE]."},
		{"a state that is also a first name", "message from Georgia, the daughter", "message from [NAME], the daughter"},
		{"an initial and a surname after to", "referred to J. Smith for f/u", "referred to [NAME] for f/u"},
		{"a clinical word before a verb", "TCDs today normal velocities. Nimodipine continues. Na 138.", "TCDs today normal velocities. Nimodipine continues. Na 138."},
		{"a device before a verb", "GU: Foley remains d/t pelvic surgery, per surgery.", "GU: Foley remains d/t pelvic surgery, per surgery."},
		{"an everyday word before a verb", "prior w/d seizures x2. Previously did residential rehab.", "prior w/d seizures x2. Previously did residential rehab."},
		{"a name before a verb kept", "Pt stable. Tobias states he is fine.", "Pt stable. [NAME] states he is fine."},
		{"do not after a name's place", "NGT TO LIS DO NOT MANIPULATE. J TUBE W/ TF.", "NGT TO LIS DO NOT MANIPULATE. J TUBE W/ TF."},
		{"a credential that starts a clause", "Anxious at times, requests to talk, RN spent time with pt.", "Anxious at times, requests to talk, RN spent time with pt."},
		{"a name before a credential after to kept", "report to bev, rn at 1900", "report to [NAME], rn at 1900"},
		{"a clinical word before a state's code", "CXR after clamp trial no PTX, CT pulled by trauma PA.", "CXR after clamp trial no PTX, CT pulled by trauma PA."},
		{"a town before a state's code kept", "lives in Hartford, CT with son", "lives in [LOCATION], CT with son"},
		{"a grandmother", "SOCIAL: MOM AND GMA AT BEDSIDE FOR 2100 FEEDS.", "SOCIAL: MOM AND GMA AT BEDSIDE FOR 2100 FEEDS."},
		{"a grandmother's name", "gma rosa at bedside for feeds", "gma [NAME] at bedside for feeds"},
		{"an approach by two names", "SKIN: L ACETABULUM ORIF INCISION (KOCHER-LANGENBECK) W/ STAPLES.", "SKIN: L ACETABULUM ORIF INCISION (KOCHER-LANGENBECK) W/ STAPLES."},
		{"infants' vitamins", "meds: vit d, poly vi sol w/ fe.", "meds: vit d, poly vi sol w/ fe."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := detectTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestLongInputContext feeds the context rules one-line documents built to
// make their loops quadratic (each was once, or could be: a list scan that
// looked back over all spans, a run scan without a bound); a regression shows
// as a test that takes minutes.
func TestLongInputContext(t *testing.T) {
	for _, text := range []string{
		strings.Repeat("Rosa Delgado (daughter), ", 120_000),
		strings.Repeat("works at Costco Kaiser Amazon ", 100_000),
		strings.Repeat("Arturo, Beatriz and Consuelo, ", 100_000),
		strings.Repeat("Lives at Birchwood Manor near Stanley Park. ", 70_000),
		strings.Repeat("New Year's Eve I-94 Route 9 ", 100_000),
		strings.Repeat("Tobias states ", 200_000),
		strings.Repeat("Ba Ca Da Ea-fa Ga ", 150_000),
		strings.Repeat("Springfield, IL ", 200_000),
	} {
		if _, err := New().Detect(context.Background(), text); err != nil {
			t.Fatalf("Detect(%d bytes): %v", len(text), err)
		}
	}
}

// TestContainsByLast: containsByLast answers what strings.Contains does.
func TestContainsByLast(t *testing.T) {
	for _, s := range []string{"", "d", "drug", "drugs", "a drug", "dru g", "ddrug", "gdrug", "st.", "est. st", "s t.", "first. st.", "..st", "st", "g"} {
		for _, w := range []string{"drug", "st.", "g", "ab"} {
			if got, want := containsByLast(s, w), strings.Contains(s, w); got != want {
				t.Errorf("containsByLast(%q, %q) = %v, want %v", s, w, got, want)
			}
		}
	}
}
