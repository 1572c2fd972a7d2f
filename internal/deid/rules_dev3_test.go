package deid

import "testing"

// TestGoldenDev3 covers the non-date shapes of rules_dev3.go: places and
// businesses named by a run of words and a head word after a place cue, in
// any casing, and a name after a staff role, with the phrasings that must
// stay (generic places, services, units).
func TestGoldenDev3(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"hospital in capitals", "TRANSFERRED FROM HOLLOWAY CREEK HOSPITAL ON 3/2", "TRANSFERRED FROM [LOCATION] ON [DATE]"},
		{"hospital in lower case", "referral faxed to pendleton specialty hospital today", "referral faxed to [LOCATION] today"},
		{"regional after at", "thrombolysis at carrow regional, then flown here", "thrombolysis at [LOCATION], then flown here"},
		{"general after to", "He will take her to Ashcombe General tonight.", "He will take her to [LOCATION] tonight."},
		{"hospice", "81 YO F FROM BRAMBLEWOOD HOSPICE WITH UTI", "81 YO F FROM [LOCATION] WITH UTI"},
		{"a business head completes a name found", "81 YO F FROM BRAMBLEWOOD ASSISTED LIVING WITH UTI", "81 YO F FROM [LOCATION] WITH UTI"},
		{"a business head in lower case completes it", "dc back to bramblewood assisted living when stable", "dc back to [LOCATION] when stable"},
		{"a possessive business keeps its head outside", "Picked up at Kroger's pharmacy.", "Picked up at [LOCATION] pharmacy."},
		{"a lower-case description after a name stays outside", "Follow-up at Quenby Brexley clinic next week.", "Follow-up at [LOCATION] clinic next week."},
		// towns of two words or more that are everyday words, after a cue
		{"town in capitals", "PT'S SON CAME FROM MIDDLE RIVER TODAY", "PT'S SON CAME FROM [LOCATION] TODAY"},
		{"town in lower case", "son drove in from front royal, here until 2100", "son drove in from [LOCATION], here until 2100"},
		{"town after in", "LIVES ALONE IN GLEN ARM, NO STEPS", "LIVES ALONE IN [LOCATION], NO STEPS"},
		{"town after to", "wants to go home to sparrows point after rehab", "wants to go home to [LOCATION] after rehab"},
		{"town whose first word was found", "ADMITTED FROM PERRY HALL HOME AFTER FALL", "ADMITTED FROM [LOCATION] HOME AFTER FALL"},
		{"town with a capital in mixed case", "Fiancee called from Ocean City at 2100.", "Fiancee called from [LOCATION] at 2100."},
		// a business named before "on" and its street: one place
		{"pharmacy on a street", "Refill sent to Wexford Pharmacy on Caldwell Rd. Callback tomorrow.", "Refill sent to [LOCATION]. Callback tomorrow."},
		{"business and street after from", "picked up from Quest on Joppa Rd this am", "picked up from [LOCATION] this am"},
		{"chain on a street after at", "the pharmacy at Rite Aid on Harford Rd gave him metoprolol", "the pharmacy at [LOCATION] gave him metoprolol"},
		{"no cue: the street only", "Crash on Pulaski Hwy, restrained driver.", "Crash on [LOCATION], restrained driver."},
		{"a unit before on stays", "Transferred to ICU on Caldwell Rd campus", "Transferred to ICU on [LOCATION] campus"},
		// ages over 89 after a name and before a sex; rates of a rhythm are no ages
		{"age and sex after a name", "Decedent: Vandermolen, Tjitske, 98 F. Autopsy limited.", "Decedent: [NAME], [AGE] F. Autopsy limited."},
		{"age and sex in words", "Ruiz, Anabel, 93 female, admitted from home", "[NAME], [AGE] female, admitted from home"},
		{"sinus rate", "cv: sinus 90s. map 65-70 on levo", "cv: sinus 90s. map 65-70 on levo"},
		{"tachycardia rate", "INDICATION: 49F, tachycardia 120s, SpO2 88%", "INDICATION: 49F, tachycardia 120s, SpO2 88%"},
		{"temperature stays", "TMAX 101 F, 98 F NOW", "TMAX 101 F, 98 F NOW"},
		{"an age in her 90s stays an age", "pt in her 90s, afib 110s", "pt in her [AGE]s, afib 110s"},
		// must stay: everyday words after the same cues
		{"saline", "500CC BOLUS IN NORMAL SALINE", "500CC BOLUS IN NORMAL SALINE"},
		{"bed to chair", "OOB FROM BED TO CHAIR WITH ASSIST X2", "OOB FROM BED TO CHAIR WITH ASSIST X2"},
		{"high nineties", "sats in high 90s on 2l", "sats in high 90s on 2l"},
		{"lower case phrase in mixed case", "Family remains in good hope for recovery.", "Family remains in good hope for recovery."},
		{"a single everyday town word", "IN NO DISTRESS, MOVED TO LIBERTY OF CHAIR", "IN NO DISTRESS, MOVED TO LIBERTY OF CHAIR"},
		{"ltach", "ACCEPTED TO FERNHILL LTACH, TRANSFER IN AM", "ACCEPTED TO [LOCATION], TRANSFER IN AM"},
		{"employer", "EMPLOYER OKAFOR ROOFING CALLED, SW AWARE", "EMPLOYER [LOCATION] CALLED, SW AWARE"},
		{"tavern with a possessive", "FOUND OUTSIDE MCGILLICUDDY'S TAVERN AT 0200", "FOUND OUTSIDE [LOCATION] AT 0200"},
		{"marina", "pt works at pelham marina as a mechanic", "pt works at [LOCATION] as a mechanic"},
		{"name after rn", "RN PHILIPPA FROM HOME HEALTH CALLED", "RN [NAME] FROM HOME HEALTH CALLED"},
		{"route in capitals", "MOTORCYCLE VS TRUCK ON RT 32 AT 0200", "MOTORCYCLE VS TRUCK ON [LOCATION] AT 0200"},
		{"route with a full stop", "struck walking along rte. 22 at night", "struck walking along [LOCATION] at night"},
		{"an age is still an age", "pt in her 90s, lives alone", "pt in her [AGE]s, lives alone"},
		// must stay
		{"decade after an arrow", "afib 130s -> 90s on dilt", "afib 130s -> 90s on dilt"},
		{"decade after an arrow in capitals", "500CC BOLUS X2 -> SBP 100S", "500CC BOLUS X2 -> SBP 100S"},
		{"decade after a long arrow", "HR 120s-->90s after lopressor", "HR 120s-->90s after lopressor"},
		{"right side", "CHEST TUBE ON RT 20 CM SXN", "CHEST TUBE ON RT 20 CM SXN"},
		{"right and litres", "pt on rt 2 l nc", "pt on rt 2 l nc"},
		{"the hospital", "PT WANTS TO GO TO THE HOSPITAL CHAPEL", "PT WANTS TO GO TO THE HOSPITAL CHAPEL"},
		{"outside hospital", "transferred from outside hospital on 3/2", "transferred from outside hospital on [DATE]"},
		{"community hospital", "TRANSFERRED FROM COMMUNITY HOSPITAL FOR CATH", "TRANSFERRED FROM COMMUNITY HOSPITAL FOR CATH"},
		{"generic assisted living", "lives at assisted living, walks with cane", "lives at assisted living, walks with cane"},
		{"service clinic", "F/U AT CARDIOLOGY CLINIC IN 2 WKS", "F/U AT CARDIOLOGY CLINIC IN 2 WKS"},
		{"missed dialysis", "hyperkalemia due to missed dialysis x2", "hyperkalemia due to missed dialysis x2"},
		{"unit and ambulance", "Received pt from MICU via ambulance at 1420.", "Received pt from MICU via ambulance at 1420."},
		{"rn aware", "RN AWARE, WILL REASSESS", "RN AWARE, WILL REASSESS"},
		{"sw consult", "sw consult placed for placement", "sw consult placed for placement"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestDev3Words: dev3Words is dev3Trigger's switch word for word, so
// that the bit xDev3 lets scanDev3 skip the other words: every word of
// it gets its answer, and no other word of up to eight bytes gets one
// (every keyword, extra word and lexicon word is tried, and all words of
// one to three letters).
func TestDev3Words(t *testing.T) {
	for w, want := range dev3Words {
		if got := dev3Trigger(w); got != want || got == trigNone {
			t.Errorf("dev3Trigger(%q) = %d, dev3Words says %d", w, got, want)
		}
	}
	words := []string{}
	for w := range keywordBits {
		words = append(words, w)
	}
	for w := range extraBits {
		words = append(words, w)
	}
	const az = "abcdefghijklmnopqrstuvwxyz"
	for _, a := range az {
		words = append(words, string(a))
		for _, b := range az {
			words = append(words, string(a)+string(b))
			for _, c := range az {
				words = append(words, string(a)+string(b)+string(c))
			}
		}
	}
	for _, w := range append(words, "tues", "weds", "thur", "thurs", "xmas", "from", "via", "outside",
		"through", "thru", "near", "employer", "rte", "hwy", "highway", "slp", "mond", "frid", "sunday", "rn's") {
		if _, ok := dev3Words[w]; !ok && dev3Trigger(w) != trigNone {
			t.Errorf("dev3Trigger(%q) = %d, not in dev3Words", w, dev3Trigger(w))
		}
	}
}
