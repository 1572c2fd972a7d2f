package deid

import "testing"

// TestGoldenDev6 covers the date shapes the sixth development batch found
// missing (rules_dev6.go), with invented examples (none is dev6's), next to
// the clinical numbers of the same shapes that must stay.
func TestGoldenDev6(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// a month and day joined by a full stop after an event
		{"dot date after on", "MVR REPAIR ON 11.9. DRAINS OUT", "MVR REPAIR ON [DATE]. DRAINS OUT"},
		{"dot date after extubated before a time", "extubated 10.14 0930 to 4l nc", "extubated [DATE] 0930 to 4l nc"},
		{"dot date after d/c'd", "CEFTRIAXONE D/C'D 9.22, AFEBRILE", "CEFTRIAXONE D/C'D [DATE], AFEBRILE"},
		{"dot date after dc'd", "heparin gtt dc'd 8.3 per ir", "heparin gtt dc'd [DATE] per ir"},
		{"a decimal after a measure stays", "HGB 11.2 -> 9.8, ON 2.5 L NC", "HGB 11.2 -> 9.8, ON 2.5 L NC"},
		{"a decimal dose after on stays", "pt on 12.5 mg coreg bid", "pt on 12.5 mg coreg bid"},
		{"a decimal alone stays", "K 3.9, MG 2.1, PHOS 3.3", "K 3.9, MG 2.1, PHOS 3.3"},
		{"a trend after since stays", "wbc 14.2 since 11.8 yesterday", "wbc 14.2 since 11.8 yesterday"},
		// a shortened weekday that ends a plan
		{"mon after likely", "Dispo: rehab, likely Mon.", "Dispo: rehab, likely [DATE]."},
		{"MON after a question mark", "TRACH ? MON.", "TRACH ? [DATE]."},
		{"sat after d/c", "poss d/c sat, pending cx", "poss d/c [DATE], pending cx"},
		{"SUN at the end of a line after over", "DTR WILL DRIVE OVER SUN\nNO CHANGES", "DTR WILL DRIVE OVER [DATE]\nNO CHANGES"},
		{"cardiac monitor stays", "REMAINS ON CARDIAC MON.", "REMAINS ON CARDIAC MON."},
		{"sat as a verb stays", "PT SAT. TOLERATED WELL", "PT SAT. TOLERATED WELL"},
		{"a plan word before a value stays", "likely sat 88% on ra", "likely sat 88% on ra"},
		{"sat after a place found", "Son flying in from Denver Sat.", "Son flying in from [LOCATION] [DATE]."},
		// a misspelt month
		{"a month with a letter left out", "CT chest Novmber 3 was clear", "CT chest [DATE] was clear"},
		{"a month with two letters swapped", "LAST SEEN OCOTBER 14 BY PCP", "LAST SEEN [DATE] BY PCP"},
		{"a month with a letter changed", "colonoscopy Augast 9, polyp removed", "colonoscopy [DATE], polyp removed"},
		{"a word near no month stays", "Member 2 of the care team", "Member 2 of the care team"},
		// a weekday with a full stop before its date
		{"weekday full stop then a slashed date", "Seen in clinic Wed. 10/14 for a wound check.", "Seen in clinic [DATE] for a wound check."},
		{"weekday full stop and comma before a month", "Return Fri., Oct. 9 at noon", "Return [DATE] at noon"},
		// months with their full stop
		{"aug with its full stop after in", "Last A1c was in Aug., 7.9%.", "Last A1c was in [DATE]., 7.9%."},
		{"dec with its full stop after since", "NO HD SINCE DEC.", "NO HD SINCE [DATE]."},
		{"month after about", "smoke-free since about feb", "smoke-free since about [DATE]"},
		{"augmentin stays", "d/c home on aug 875 bid", "d/c home on aug 875 bid"},
		{"may after about stays", "about may need a bipap", "about may need a bipap"},
		// ranges
		{"second day of a range in a month", "Admitted Sept 14-19 for CHF.", "Admitted [DATE]-[DATE] for CHF."},
		{"a range of two dates after bipap", "Needed BiPAP 10/27-10/29 at the OSH.", "Needed BiPAP [DATE]-[DATE] at the OSH."},
		{"a pressure range stays", "BIPAP 10/5-12/5 TRIALED", "BIPAP 10/5-12/5 TRIALED"},
		{"a small setting range stays", "cpap 5/5-5/8 tolerated", "cpap 5/5-5/8 tolerated"},
		// places: a name's tail over "and", a room above a business, a
		// congregation, a post office, a DME supplier
		{"nursing and rehab in capitals", "ADMITTED FROM FAIRHAVEN NURSING AND REHAB W/ UTI", "ADMITTED FROM [LOCATION] W/ UTI"},
		{"rehabilitation and nursing center", "RESIDENT OF GLENBROOK REHABILITATION AND NURSING CENTER", "RESIDENT OF [LOCATION]"},
		{"a hospital and a rehab consult stay apart", "TRANSFERRED FROM SINAI HOSPITAL AND REHAB CONSULTED", "TRANSFERRED FROM [LOCATION] AND REHAB CONSULTED"},
		{"a business after above", "LIVES ABOVE MCGINTY'S TAVERN W/ BROTHER", "LIVES ABOVE [LOCATION] W/ BROTHER"},
		{"above a value stays", "HOB ABOVE 30 DEGREES, SBP ABOVE 160", "HOB ABOVE 30 DEGREES, SBP ABOVE 160"},
		{"a congregation by its denomination", "SHE VOLUNTEERS AT SHARON GROVE METHODIST ON SUNDAYS", "SHE VOLUNTEERS AT [LOCATION] ON SUNDAYS"},
		{"a congregation after mt.", "wife plays organ at Mt. Olivet United Methodist", "wife plays organ at [LOCATION]"},
		{"the denomination alone stays", "MEETS W/ CHAPLAIN AT THE METHODIST CHAPEL", "MEETS W/ CHAPLAIN AT THE METHODIST CHAPEL"},
		{"a town's post office", "WORKS AT THE DENTON POST OFFICE", "WORKS AT THE [LOCATION]"},
		{"the post office stays", "STOPPED AT THE POST OFFICE ON THE WAY", "STOPPED AT THE POST OFFICE ON THE WAY"},
		{"a DME supplier", "O2 from Lincoln Apex DME, 2L", "O2 from [LOCATION], 2L"},
		// heads after a place found
		{"an elementary school named without school", "DTR ATTENDS WILSON ELEMENTARY, GR 2", "DTR ATTENDS [LOCATION], GR 2"},
		{"urgent care in capitals", "SENT VIA WAYNESBORO URGENT CARE FOR CP", "SENT VIA [LOCATION] FOR CP"},
		{"retirement community", "PT FROM SUNNYSIDE RETIREMENT COMMUNITY, BASELINE A&OX2", "PT FROM [LOCATION], BASELINE A&OX2"},
		{"a plant after a company", "EMPLOYED AT MCKEE FOODS PLANT IN DENTON", "EMPLOYED AT [LOCATION] IN [LOCATION]"},
		{"community alone stays outside", "lives in Denton community with her son", "lives in [LOCATION] community with her son"},
		// holidays with a possessive or without the apostrophe, the new year
		{"mother's day", "Visited her son on Mother's Day and fell.", "Visited her son on [DATE] and fell."},
		{"father's day in capitals", "LAST DRINK FATHER'S DAY PER WIFE", "LAST DRINK [DATE] PER WIFE"},
		{"valentines day without the apostrophe", "engaged on valentines day", "engaged on [DATE]"},
		{"new year's alone", "No ETOH since New Year's.", "No ETOH since [DATE]."},
		{"new years without the apostrophe", "quit smoking new years", "quit smoking [DATE]"},
		{"mother alone stays", "MOTHER'S BEDSIDE, DAY 3 OF ABX", "MOTHER'S BEDSIDE, DAY 3 OF ABX"},
		// month and day glued, a spelled day, ranges of months, parts of a month
		{"month and day glued in capitals", "SEEN NOV28 BY GI", "SEEN [DATE] BY GI"},
		{"month and day glued in lower case", "last dose dec3 per pt", "last dose [DATE] per pt"},
		{"a code of letters and digits stays", "SENT TO LAB BOX4 AT 0300", "SENT TO LAB BOX4 AT 0300"},
		{"a day written as a word after its month", "Surgery was December second.", "Surgery was [DATE]."},
		{"a day of two words after its month", "born January twenty-first", "born [DATE]"},
		{"a range of months", "Flares Jan-Feb 2026 per dtr", "Flares [DATE]-[DATE] per dtr"},
		{"the beginning of a month", "no chemo since beginning of Jan", "no chemo since beginning of [DATE]"},
		{"a weekday with a full stop before a date", "appt on Weds. 12/9 w/ ENT", "appt on [DATE] w/ ENT"},
		// a range of days within a month, a weekday taken for a name, a date
		// glued to its label by a colon
		{"a slashed date and the last day of its range", "at the OSH 11/28-30 for CAP", "at the OSH [DATE]-[DATE] for CAP"},
		{"a setting range stays", "PS 10/5-8 tolerated", "PS 10/5-8 tolerated"},
		{"a score range stays", "pain 3/10-8 after pt", "pain 3/10-8 after pt"},
		{"the last ordinal of a range in a month", "Fevers Dec 1st-2nd at home", "Fevers [DATE]-[DATE] at home"},
		{"a dash date before @ and a time", "abx started 12-1 @ 1800", "abx started [DATE] @ 1800"},
		{"a measured dash pair before @ stays", "RR 12-16 @ 0400", "RR 12-16 @ 0400"},
		{"a range of ordinals", "Away 3rd-5th Dec, no meds", "Away [DATE]-[DATE], no meds"},
		{"thurs before a date in parentheses", "CT Thurs (12/3) neg", "CT [DATE] ([DATE]) neg"},
		{"a date glued after a label's colon", "Last BM:12/2, soft", "Last BM:[DATE], soft"},
		{"a pressure glued after its colon stays", "BP:120/80 HR:88", "BP:120/80 HR:88"},
		// a place named in everyday words before a weak head
		{"a distribution center in everyday words", "PT WORKS AT DOLLAR TREE DISTRIBUTION CENTER", "PT WORKS AT [LOCATION]"},
		{"an inn in everyday words", "STAYING AT THE RED ROOF INN ON RT 11", "STAYING AT THE [LOCATION] ON [LOCATION]"},
		{"senior apartments in everyday words", "PT LIVES AT OAK MEADOW SENIOR APARTMENTS", "PT LIVES AT [LOCATION]"},
		{"a college after attends", "SON ATTENDS BLUE RIDGE COMMUNITY COLLEGE", "SON ATTENDS [LOCATION]"},
		{"health & rehab in everyday words", "D/C TO HERITAGE HILLS HEALTH & REHAB", "D/C TO [LOCATION]"},
		{"health and rehab in lower case", "d/c to heritage hills health and rehab", "d/c to [LOCATION]"},
		{"home health and rehab stays", "orders from home health and rehab", "orders from home health and rehab"},
		{"attends therapy stays", "PT ATTENDS PT 3X/WK", "PT ATTENDS PT 3X/WK"},
		{"a mental health clinic stays", "F/U AT MENTAL HEALTH CLINIC", "F/U AT MENTAL HEALTH CLINIC"},
		{"a service clinic stays", "AT HIGH RISK OB CLINIC", "AT HIGH RISK OB CLINIC"},
		{"our and a lower-case clinic stay outside", "Next visit at our Birch Hollow clinic on Tues.", "Next visit at our [LOCATION] clinic on [DATE]."},
		{"a transplant clinic stays", "seen at bone marrow transplant clinic", "seen at bone marrow transplant clinic"},
		{"a heart failure clinic stays", "F/U TO HEART FAILURE CLINIC", "F/U TO HEART FAILURE CLINIC"},
		// cues
		{"dash date after filled", "- amlodipine 5 daily, filled 11-17", "- amlodipine 5 daily, filled [DATE]"},
		{"weekday then the ordinal", "appt Fri the 21st w/ GI", "appt [DATE] the [DATE] w/ GI"},
	}
	checkLineTags(t, tests)
}
