package deid

import "testing"

// TestGoldenDev11 covers the wards, days, holidays and business names the
// eleventh development batch found missing (rules_dev11.go), with invented
// examples (none is dev11's), next to the everyday and clinical words of the
// same shapes that must stay.
func TestGoldenDev11(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// a ward written as a floor and a direction
		{"floor and direction after to", "PT MOVED TO 7 NORTH AT 1600, REPORT GIVEN", "PT MOVED TO [LOCATION] AT 1600, REPORT GIVEN"},
		{"floor and direction after from, lower case", "came up from 2 east at 2200 on 2l", "came up from [LOCATION] at 2200 on 2l"},
		{"floor and direction in a header after a dash", "Nursing Progress Note - 8 West", "Nursing Progress Note - [LOCATION]"},
		{"floor and direction after med/surg", "Med/Surg 9 North, bed 14", "Med/Surg [LOCATION], bed 14"},
		{"a direction of travel stays", "drove 3 miles east on the highway", "drove 3 miles east on the highway"},
		{"a distance west of a town stays", "lives 10 west of town", "lives 10 west of town"},
		{"an interstate's direction stays", "MVC on I-55 south near exit 4", "MVC on [LOCATION] south near exit 4"},
		// a shortened weekday before "the" and an ordinal
		{"sat the ordinal", "son's wedding sat the 19th in town", "son's wedding [DATE] the [DATE] in town"},
		{"SUN THE ordinal in capitals", "WANTS PASS FOR SUN THE 4TH", "WANTS PASS FOR [DATE] THE [DATE]"},
		{"a saturation stays", "sat 91% on 3l, the 2nd abg better", "sat 91% on 3l, the 2nd abg better"},
		{"an ordinal floor stays", "pt sat the 3rd floor lobby for an hour", "pt sat the 3rd floor lobby for an hour"},
		// feasts that date an event
		{"ash wednesday", "no meat since Ash Wednesday per pt", "no meat since [DATE] per pt"},
		{"mardi gras in capitals", "FELL FROM A FLOAT ON MARDI GRAS", "FELL FROM A FLOAT ON [DATE]"},
		{"fat tuesday in lower case", "no etoh since fat tuesday per wife", "no etoh since [DATE] per wife"},
		{"all saints day", "grave visit on All Saints Day, then SOB", "grave visit on [DATE], then SOB"},
		{"all day stays", "npo all day, all meds held", "npo all day, all meds held"},
		// two-word heads of care and business names
		{"a nursing home by name", "ADMITTED FROM WHISPERING CEDARS NURSING HOME W/ FEVER", "ADMITTED FROM [LOCATION] W/ FEVER"},
		{"a care center named by an everyday word", "SOCIAL: PT FROM GOOSEBERRY CARE CENTER, REPORT CALLED.", "SOCIAL: PT FROM [LOCATION], REPORT CALLED."},
		{"the same in lower case", "social: pt from gooseberry care center, report called.", "social: pt from [LOCATION], report called."},
		{"a kind of care center", "PT FROM WOUND CARE CENTER TODAY.", "PT FROM WOUND CARE CENTER TODAY."},
		{"an article before a nursing home", "PLAN: DISCHARGE TO A NURSING HOME.", "PLAN: DISCHARGE TO A NURSING HOME."},
		{"another nursing home", "family wants transfer to another nursing home.", "family wants transfer to another nursing home."},
		{"a funeral home by name", "family chose Broussard-Vidal Funeral Home in town", "family chose [LOCATION] in town"},
		{"a funeral home after a cue", "BODY RELEASED TO LEBLANC-HURST FUNERAL HOME 0400", "BODY RELEASED TO [LOCATION] 0400"},
		{"a nursing home of no one stays", "sent back to his nursing home today", "sent back to his nursing home today"},
		{"home health of no one stays", "d/c home with home health to follow", "d/c home with home health to follow"},
		{"a fire rescue by name after by", "FOUND DOWN, BROUGHT BY OKALOOSA FIRE RESCUE", "FOUND DOWN, BROUGHT BY [LOCATION]"},
		{"fire rescue of no one stays", "brought in by fire rescue at 0200", "brought in by fire rescue at 0200"},
		{"a company after at", "WORKS AT CHENIER RICE CO, DAY SHIFT", "WORKS AT [LOCATION], DAY SHIFT"},
		{"a company with a full stop after for", "pt drives a truck for Bellamy Timber Co. out of town", "pt drives a truck for [LOCATION]. out of town"},
		{"cardiac output stays", "CO 5.1, CI 2.6 after bolus from co 3.9", "CO 5.1, CI 2.6 after bolus from co 3.9"},
		{"a towing firm in lower case", "works for vermilion bay towing on the tugs", "works for [LOCATION] on the tugs"},
		{"an ambulance firm after by", "transferred by Gulfwind Ambulance at 1300", "transferred by [LOCATION] at 1300"},
		{"an ambulance of no one stays", "arrived by ambulance from home", "arrived by ambulance from home"},
		{"a road department", "RETIRED FROM TANGIPAHOA PARISH ROAD DEPT IN 2019", "RETIRED FROM [LOCATION] IN 2019"},
		{"a school district", "Teaches 3rd grade for Covington County School District", "Teaches 3rd grade for [LOCATION]"},
		// a parenthesis opens a business's name
		{"home health in parentheses", "D/C HOME W/ HH (SUGAR CANE HOME HEALTH) FRI.", "D/C HOME W/ HH ([LOCATION]) [DATE]."},
		{"a company in parentheses", "hurt at work (Delacroix Marine Co.) on a crane", "hurt at work ([LOCATION].) on a crane"},
		{"home health of no one in parentheses stays", "set up (home health, new referral) today", "set up (home health, new referral) today"},
		// a whole date with a four-digit year after a measure word
		{"a footer's transcription date after T", "D: 11/02/2026 T: 11/03/2026", "D: [DATE] T: [DATE]"},
		{"a dash date with its year after HR", "HR: 4-9-1951 per old chart", "HR: [DATE] per old chart"},
		{"a temperature after T stays", "T: 37.9 HR 104 BP 98/52", "T: 37.9 HR 104 BP 98/52"},
		// a hospital's name ending in "Regional" or "General" at the end of its clause
		{"regional after from in capitals", "ARRIVED FROM CHICOT REGIONAL W/ NSTEMI", "ARRIVED FROM [LOCATION] W/ NSTEMI"},
		{"regional in parentheses before in", "transferred (Bonfouca Regional in Slidell) 11/2", "transferred ([LOCATION] in [LOCATION]) [DATE]"},
		{"general surgery stays", "FROM ED, GENERAL SURGERY AWARE", "FROM ED, GENERAL SURGERY AWARE"},
		{"regional of no one stays", "sent to regional for cath", "sent to regional for cath"},
		// a care home's kind in capitals after its name
		{"an snf by name", "D/C TO MOSSY OAK SNF IN AM", "D/C TO [LOCATION] IN AM"},
		{"snf of no one stays", "d/c to snf vs home w/ hh", "d/c to snf vs home w/ hh"},
		// a congregation's name before its denomination
		{"a congregation in capitals", "PT IS USHER AT SWEET CANAAN MISSIONARY BAPTIST CHURCH", "PT IS USHER AT [LOCATION]"},
		{"a congregation in lower case", "sings in the choir at bethany grove methodist church", "sings in the choir at [LOCATION]"},
		{"a denomination after her local stays generic", "attends her local baptist church on sundays", "attends her local [LOCATION] on sundays"},
		// a day written as a word after "the"
		{"spelled ordinal after on the", "clinic visit on the twenty-third, no changes", "clinic visit on the [DATE], no changes"},
		{"spelled ordinal of a month", "ADMITTED THE NINTH OF MARCH W/ SOB", "ADMITTED THE [DATE] W/ SOB"},
		{"spelled ordinal after since the", "no bm since the ninth.", "no bm since the [DATE]."},
		{"an attempt stays", "intubated on the second attempt by anesthesia", "intubated on the second attempt by anesthesia"},
		// a weekday with its full stop before a part of the day
		{"weekday full stop then a part of the day", "cultures drawn Sun. PM, pending", "cultures drawn [DATE]. PM, pending"},
		// dates joined by a plus
		{"two dates joined by a plus", "BCX 11/28+11/29 NGTD", "BCX [DATE]+[DATE] NGTD"},
		{"reflexes with a plus stay", "DTR 2+/4 BILAT, 1+/4 EDEMA", "DTR 2+/4 BILAT, 1+/4 EDEMA"},
		// a shortened weekday after "past" or alone in parentheses
		{"sat after this past", "fell this past sat in the yard", "fell this past [DATE] in the yard"},
		{"a weekday in parentheses", "ADMITTED OVER THE WEEKEND (SUN) W/ SOB", "ADMITTED OVER THE WEEKEND ([DATE]) W/ SOB"},
		{"a saturation in parentheses stays", "O2 sat (sat) low on 2l", "O2 sat (sat) low on 2l"},
		// a month before "the" and an ordinal
		{"month the ordinal", "lap chole Nov the 19th at OSH", "lap chole [DATE] the [DATE] at OSH"},
		{"may the ordinal time stays", "pt may the 2nd time try to stand", "pt may the 2nd time try to stand"},
		// a highway after "on" or "off" in capitals or lower case
		{"a highway in capitals", "LIVES IN A TRAILER OFF HWY 61 PAST THE LEVEE", "LIVES IN A TRAILER OFF [LOCATION] PAST THE LEVEE"},
		{"a highway in lower case", "mvc on highway 84 around 2200", "mvc on [LOCATION] around 2200"},
		{"a highway's lanes stay", "hwy 1 to 2 lanes closed", "hwy 1 to 2 lanes closed"},
		// apartments written short
		{"apts after a name", "PT LIVES AT CYPRESS LANDING APTS", "PT LIVES AT [LOCATION]"},
		// a street whose suffix is "Dr"
		{"a street in capitals ending in DR", "O2 DELIVERED TO 318 MAGNOLIA BEND DR, HOUMA", "O2 DELIVERED TO [LOCATION], [LOCATION]"},
		{"a street ending in Dr with an apartment", "Lives at 902 Cottonwood Dr, Apt 7C with sister", "Lives at [LOCATION] with sister"},
		{"a dose given per dr stays", "LASIX 40 IV GIVEN PER DR.", "LASIX 40 IV GIVEN PER DR."},
		{"a ward and a doctor's name stay apart", "SEEN ON 5 NORTH BY DR ABERNATHY", "SEEN ON [LOCATION] BY DR [NAME]"},
	}
	checkLineTags(t, tests)
}

// checkLineTags runs a golden table: each line's tags (lineTags) must be want.
func checkLineTags(t *testing.T, tests []struct{ name, in, want string }) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
