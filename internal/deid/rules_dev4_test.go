package deid

import "testing"

// TestGoldenDev4 covers the shapes of rules_dev4.go: ages over 89 stated
// after a verb or a relation or spelt out, wards with a lettered floor or
// after a label or "at", a street's direction initial and the "at" between a
// facility and its town, with the phrasings that must stay (measures after
// "is", young ages, durations and percentages in words, units).
func TestGoldenDev4(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// ages stated after a verb, a relation or in words
		{"age after pt is", "Pt is 93, widowed, lives with her niece.", "Pt is [AGE], widowed, lives with her niece."},
		{"age after a relation is", "HIS FATHER IS 96 AND STILL DRIVES", "HIS FATHER IS [AGE] AND STILL DRIVES"},
		{"age after she was", "she was 91 when she moved in", "she was [AGE] when she moved in"},
		{"age after turns", "PT TURNS 100 NEXT WEEK, PARTY PLANNED", "PT TURNS [AGE] NEXT WEEK, PARTY PLANNED"},
		{"age in brackets after a relation", "Lives with husband (92) in a ranch house.", "Lives with husband ([AGE]) in a ranch house."},
		{"spelt age after is", "PT IS NINETY-SIX, HOH", "PT IS [AGE], HOH"},
		{"spelt age before years", "pt is a pleasant ninety-one year old man", "pt is a pleasant [AGE] year old man"},
		{"spelt age alone after pt", "pt ninety, confused at baseline", "pt [AGE], confused at baseline"},
		{"spelt age with a space", "pt is ninety seven, lives alone", "pt is [AGE], lives alone"},
		{"decade in words", "Mother is in her late nineties and frail.", "Mother is in her late [AGE] and frail."},
		{"age and sex before a history", "HPI: 93 M with fever and cough", "HPI: [AGE] M with fever and cough"},
		{"age after who is", "her sister, who is 95, visits daily", "her sister, who is [AGE], visits daily"},
		{"ordinal birthday", "Family brought cake for his 96th birthday.", "Family brought cake for his [AGE]th birthday."},
		{"turned at a line's second word", "Turned 100 last week per daughter", "Turned [AGE] last week per daughter"},
		// must stay
		{"temperature and sex letter", "TMAX 101 F WITH CHILLS", "TMAX 101 F WITH CHILLS"},
		{"a 30th day stays", "day 91 of 120 of abx", "day 91 of 120 of abx"},
		{"an ordinal that is no birthday", "her 92nd visit this year", "her 92nd visit this year"},
		{"heart rate is", "HR is 92, BP 118/64", "HR is 92, BP 118/64"},
		{"saturation is", "pt is 94% on 2L", "pt is 94% on 2L"},
		{"temperature is", "pt is 98.7 oral", "pt is 98.7 oral"},
		{"weight is", "she is 95 kg today", "she is 95 kg today"},
		{"young age is", "Pt is 67, retired", "Pt is 67, retired"},
		{"ninety minutes", "held for ninety minutes, then resumed", "held for ninety minutes, then resumed"},
		{"ninety percent", "pt is ninety percent better per wife", "pt is ninety percent better per wife"},
		{"glucose in brackets", "glucose (94) this am", "glucose (94) this am"},
		// wards
		{"ward with a lettered floor", "PT MOVED TO HARKAWAY 6B AT 1400", "PT MOVED TO [LOCATION] AT 1400"},
		{"ward after a label", "Unit: Quillfeather 9, rm 912", "Unit: [LOCATION], rm 912"},
		{"ward after at", "report called to charge rn at Ostrander 3A.", "report called to charge rn at [LOCATION]."},
		{"ward before bedside", "Location: Pelletier 4 bedside", "Location: [LOCATION] bedside"},
		{"setting after at stays", "sats 92% at PEEP 8, fio2 40%", "sats 92% at PEEP 8, fio2 40%"},
		{"bed number stays", "Bed: 12, window side", "Bed: 12, window side"},
		// streets and facilities
		{"direction initial before a street", "Lives on S. Calloway St near the park.", "Lives on [LOCATION] near the park."},
		{"direction initial in lower case", "found on e. pemberly ave at 0300", "found on [LOCATION] at 0300"},
		{"facility at its town", "Transferred from Riverside Medical Center at Pocomoke this am.", "Transferred from [LOCATION] this am."},
		{"facility at a time stays apart", "Seen at Ridgeway Clinic at 1400 today.", "Seen at [LOCATION] at 1400 today."},
		// phones from abroad written with 00, extensions with a dash
		{"phone with 00 and a country code", "Brother in Lyon, tel 0033 4 78 55 21 09, speaks English.", "Brother in [LOCATION], tel [PHONE], speaks English."},
		{"phone with 00 in capitals", "SON CELL 00353 86 221 4407 (IRELAND)", "SON CELL [PHONE] (IRELAND)"},
		{"extension with a dash", "CALL HER AT WORK 410-555-0148 X 3-2270", "CALL HER AT WORK [PHONE]"},
		{"national number with a trunk zero", "Daughter's mobile 07911 482301, in Leeds till May", "Daughter's mobile [PHONE], in [LOCATION] till [DATE]"},
		{"national number in groups", "SISTER CELL 0423 118 905 (AUSTRALIA)", "SISTER CELL [PHONE] (AUSTRALIA)"},
		{"country code before a dotted number", "Son's cell +1 301.555.0182, calls evenings", "Son's cell [PHONE], calls evenings"},
		{"area code and seven digits", "call wife at home 410 5550177 after 6", "call wife at home [PHONE] after 6"},
		{"extension alone", "Clinic RN at extension 5521 for questions.", "Clinic RN at extension [PHONE] for questions."},
		{"extension alone with a colon", "Pharmacy ext:3318 re: heparin", "Pharmacy ext:[PHONE] re: heparin"},
		{"a volume after a zero stays", "given 0900 500 ml bolus", "given 0900 500 ml bolus"},
		{"a lab run after a cue stays", "call 0400 labs 138 4.1", "call 0400 labs 138 4.1"},
		{"lab value with 00 stays", "sent 0030 labs: k 4.1 na 139", "sent 0030 labs: k 4.1 na 139"},
		// streets in lower case, interstates, British postcodes
		{"street without a number in lower case", "pt found down on glenhaven mill rd by neighbor", "pt found down on [LOCATION] by neighbor"},
		{"street of everyday words in lower case", "his church is on cedar hill ave; pastor aware", "his church is on [LOCATION]; pastor aware"},
		{"street with a direction initial in lower case", "lives off s. wolcott ave with her son", "lives off [LOCATION] with her son"},
		{"everyday street with a direction initial", "found at n. cherry grove ave at 0200", "found at [LOCATION] at 0200"},
		{"interstate in capitals", "ROLLOVER ON I-83 SOUTHBOUND, EXTRICATED", "ROLLOVER ON [LOCATION] SOUTHBOUND, EXTRICATED"},
		{"interstate in lower case", "mvc on i-270 near exit 9", "mvc on [LOCATION] near exit 9"},
		{"british postcode after the town", "Home: 4 Larch Close, Harrogate HG2 9RT. GP letter sent.", "Home: [LOCATION], [LOCATION] [LOCATION]. GP letter sent."},
		{"a dose is no postcode", "GAVE B12 1MG IM, TOLERATED", "GAVE B12 1MG IM, TOLERATED"},
		{"settings after on stay", "pt on bipap overnight, off at 0600", "pt on bipap overnight, off at 0600"},
		{"a road in a phrase stays", "pt on the road to recovery per wife", "pt on the road to recovery per wife"},
		{"chest tube stays", "cont on ct to sxn -20", "cont on ct to sxn -20"},
		// places grown: "Greater", a store number, a German house number,
		// two streets of a crossing, an acronym defined after a place; a
		// hyphenated surname
		{"greater before a place", "Seen at Greater Annapolis Medical Center last spring.", "Seen at [LOCATION] last spring."},
		{"greater before a place in capitals", "TRANSFERRED FROM GREATER ELKTON MEDICAL CENTER TODAY", "TRANSFERRED FROM [LOCATION] TODAY"},
		{"flat before a street in lower case", "pt from home, unit 12c, 450 cedarcrest rd. lives alone", "pt from home, [LOCATION]. lives alone"},
		{"a clause is no street", "HER FATHER IS 96 AND IN MAPLE GARDENS SINCE MAY", "HER FATHER IS [AGE] AND IN MAPLE GARDENS SINCE [DATE]"},
		{"street of everyday words with a number", "pt lives at 88 maple grove ave with son", "pt lives at [LOCATION] with son"},
		{"a clause is no street, with a town", "HIS AUNT IS 94 AND IN CHARLESTON GARDENS NOW", "HIS AUNT IS [AGE] AND IN [LOCATION] NOW"},
		{"university after a place found", "PT IS A JANITOR AT TOWSON STATE UNIVERSITY", "PT IS A JANITOR AT [LOCATION]"},
		{"school stays without a name", "pt wants to go back to school in the fall", "pt wants to go back to school in the fall"},
		{"station stays without a name", "RETURNED TO NURSES STATION, SITTER AT BS", "RETURNED TO NURSES STATION, SITTER AT BS"},
		{"store number", "Refills go to Walgreens #10422 now.", "Refills go to [LOCATION] now."},
		{"german house number", "Letters go to Hauptstraße 17 now.", "Letters go to [LOCATION] now."},
		{"german street read as a name", "Her home: Am Lindenhof, Birkenweg 8, Kassel.", "Her home: Am [LOCATION], [NAME]."},
		{"crossing of two streets", "Struck at Harford Rd and Taylor Ave by a car.", "Struck at [LOCATION] by a car."},
		{"acronym after a place", "Transferred from Union Memorial Hospital (UMH) overnight.", "Transferred from [LOCATION] ([LOCATION]) overnight."},
		{"acronym that is no initials stays", "Transferred from Union Memorial Hospital (ICU) overnight.", "Transferred from [LOCATION] (ICU) overnight."},
		{"hyphenated surname", "daughter penny abernathy-quist wants to take pt home", "daughter [NAME] wants to take pt home"},
		{"hyphenated surname in capitals", "CONTACT: MOM DESIREE CASH-WINFIELD 443 555 0101", "CONTACT: MOM [NAME] [NAME] [PHONE]"},
		{"a hyphenated test stays", "CHEST X-RAY AND NON-CONTRAST CT DONE", "CHEST X-RAY AND NON-CONTRAST CT DONE"},
		{"month and year after a full stop", "LAST ECHO 06.2025 WITH EF 40%", "LAST ECHO [DATE] WITH EF 40%"},
		{"a value with decimals stays", "INR 2.4, PTT 32.5", "INR 2.4, PTT 32.5"},
		// a middle initial after a "LAST, FIRST" header
		{"middle initial in a header", "NAME: HOLLINGSWORTH, DESMOND R    MRN 5581203", "NAME: [NAME]    MRN [ID]"},
		{"middle initial with a full stop", "Patient: Abernathy-Quist, Lorna M. DOB 3/3/1950", "Patient: [NAME] DOB [DATE]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
