package deid

import (
	"strings"
	"testing"
)

// lineTags tags one line of a nursing note: the line follows a line of
// ordinary shorthand in the same casing (all capitals, all lower case or
// mixed), so that the rules see the note's casing as they would in a real
// note, and only the tagged line is returned.
func lineTags(t *testing.T, line string) string {
	t.Helper()
	fill := "Pt resting in bed, VSS, no distress noted overnight. Will continue to monitor closely, family at bedside.\n"
	switch {
	case strings.ToUpper(line) == line:
		fill = strings.ToUpper(fill)
	case strings.ToLower(line) == line:
		fill = strings.ToLower(fill)
	}
	out := detectTags(t, fill+line)
	return out[strings.IndexByte(out, '\n')+1:]
}

// TestGoldenDates covers the date shapes of nursing shorthand (runs of dates
// glued together, dates glued to a time, a cue word or a month word,
// ordinals and day and month names after a cue, in each casing) and the
// clinical numbers of the same shapes that must stay.
func TestGoldenDates(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"range glued", "abx 3/2-3/5 then stopped", "abx [DATE]-[DATE] then stopped"},
		{"range across months", "11/30-12/2 in MICU", "[DATE]-[DATE] in MICU"},
		{"range with years", "11/3/97-11/5/97 ON VANC", "[DATE]-[DATE] ON VANC"},
		{"range with an arrow", "zosyn 3/2->3/5, then po", "zosyn [DATE]->[DATE], then po"},
		{"range with a tilde", "HELD 3/2~3/5", "HELD [DATE]~[DATE]"},
		{"list glued by a comma", "cultures 3/2,3/4 neg", "cultures [DATE],[DATE] neg"},
		{"date glued to a time", "bcx x2 3/2@0800 pending", "bcx x2 [DATE]@0800 pending"},
		{"date and year glued to a time", "SEEN 3/2/97@1400 BY GI", "SEEN [DATE]@1400 BY GI"},
		{"glued to a cue word", "ON3/2 PT INTUBATED", "ON[DATE] PT INTUBATED"},
		{"glued to since", "no bm since3/2/97", "no bm since[DATE]"},
		{"whole date glued to a word", "DOB06/03/2019 per ID band", "DOB[DATE] per ID band"},
		{"1/2 as a heading", "1/2: extubated to 4L NC", "[DATE]: extubated to 4L NC"},
		{"date and time after a lab value", "BUN 71 6/25 @ 1445 ECHO EF 30%", "BUN 71 [DATE] @ 1445 ECHO EF 30%"},
		{"day dash month", "3-NOV CT HEAD NEG", "[DATE] CT HEAD NEG"},
		{"day glued to month", "3NOV CT HEAD NEG", "[DATE] CT HEAD NEG"},
		{"day month year glued", "cath 03nov97 showed 3vd", "cath [DATE] showed 3vd"},
		{"month dash day", "Nov-3 CT head neg", "[DATE] CT head neg"},
		{"ordinal after on the", "ON THE 3RD EXTUBATED", "ON THE [DATE] EXTUBATED"},
		{"ordinal after since the", "since the 21st no bm", "since the [DATE] no bm"},
		{"dash date after an event", "INTUBATED 3-9 AT OSH", "INTUBATED [DATE] AT OSH"},
		{"lower-case weekday in a mixed note", "Family will visit on monday.", "Family will visit on [DATE]."},
		{"lower-case weekday since", "No BM since saturday.", "No BM since [DATE]."},
		{"lower-case month in a mixed note", "Had MI in june, stent placed.", "Had MI in [DATE], stent placed."},
		{"lower-case march after in", "Had MI in march, stent placed.", "Had MI in [DATE], stent placed."},
		{"early month", "Fell early january at home.", "Fell early [DATE] at home."},
		{"mid-month", "pt had mi mid-june per wife", "pt had mi mid-[DATE] per wife"},
		{"weekday before a part of the day", "wed am pt to IR", "[DATE] am pt to IR"},
		{"sat after a cue", "plan for peg on sat", "plan for peg on [DATE]"},
		{"SAT after a cue", "FAMILY TO VISIT THIS SAT", "FAMILY TO VISIT THIS [DATE]"},
		{"SAT after visit", "WIFE WILL VISIT SAT.", "WIFE WILL VISIT [DATE]."},
		{"day first", "Escort flight 28/11 via Dulles.", "Escort flight [DATE] via [LOCATION]."},
		{"holiday after a cue", "Pt went to rehab in august and returned before christmas.", "Pt went to rehab in [DATE] and returned before [DATE]."},
		// shapes of the third batch of development notes (dev3.txt)
		{"range in parentheses", "VANC (5/2-5/6, D/C'D)", "VANC ([DATE]-[DATE], D/C'D)"},
		{"range in parentheses closed", "cefepime (11/1-11/3), then zosyn", "cefepime ([DATE]-[DATE]), then zosyn"},
		{"date and year before a clock time", "ABG 6/2/21 0415: 7.30/50/70", "ABG [DATE] 0415: 7.30/50/70"},
		{"date after HD", "ESRD, LAST HD 11/28, MISSED FRI", "ESRD, LAST HD [DATE], MISSED [DATE]"},
		{"date after POD", "drain out pod 8/14 per team", "drain out pod [DATE] per team"},
		{"date alone in parentheses after a value", "cr 2.4 (1/3) -> 1.9", "cr 2.4 ([DATE]) -> 1.9"},
		{"next date of a list", "bcx 1/2, 1/3: ngtd", "bcx [DATE], [DATE]: ngtd"},
		{"next date of a list with and", "CXR 2/9 and 2/11 clear", "CXR [DATE] and [DATE] clear"},
		{"date after a shortened weekday", "Seen in clinic Sat 2/3.", "Seen in clinic [DATE]."},
		{"date after sat in capitals", "DC HOME SAT 1/4 AM", "DC HOME [DATE] AM"},
		{"dash date after a procedure done", "S/P MVR 6-12, ON COUMADIN", "S/P MVR [DATE], ON COUMADIN"},
		{"approximate date", "sutures out ~6/18 at clinic", "sutures out ~[DATE] at clinic"},
		{"tues after for", "d/c planned for tues, ride arranged", "d/c planned for [DATE], ride arranged"},
		{"weds alone", "will return weds with clothes", "will return [DATE] with clothes"},
		{"fri before a clock time", "FAMILY MTG FRI 1500", "FAMILY MTG [DATE] 1500"},
		{"mon after call", "CALL MON WITH RESULTS", "CALL [DATE] WITH RESULTS"},
		{"sun after since", "NO BM SINCE SUN", "NO BM SINCE [DATE]"},
		{"wed after a procedure", "plan: egd wed, npo after mn", "plan: egd [DATE], npo after mn"},
		{"may after in, capitals", "WT 70 KG IN MAY", "WT 70 KG IN [DATE]"},
		{"short month after in, lower case", "last a1c in feb was 7.9", "last a1c in [DATE] was 7.9"},
		{"sept after since", "NO CHEMO SINCE SEPT", "NO CHEMO SINCE [DATE]"},
		{"month after mid and a hyphen", "last a1c mid-feb, 8.1", "last a1c mid-[DATE], 8.1"},
		{"month and an apostrophe year", "s/p MVR Nov '17 at OSH", "s/p MVR [DATE] at OSH"},
		{"month of a year", "had a stroke in june of 2016", "had a stroke in [DATE]"},
		{"xmas", "ADMITTED XMAS EVE", "ADMITTED [DATE] EVE"},
		{"holiday of two words in lower case", "home by labor day hopefully", "home by [DATE] hopefully"},
		{"christmas eve in capitals", "FELL ON CHRISTMAS EVE AT HOME", "FELL ON [DATE] AT HOME"},
		// must stay
		{"half normal saline", "ivf 1/2 ns at 100/hr", "ivf 1/2 ns at 100/hr"},
		{"half normal saline glued", "D5 1/2NS AT 75", "D5 1/2NS AT 75"},
		{"dextrose and a half", "d5 1/2 at 80/hr", "d5 1/2 at 80/hr"},
		{"half maintenance", "ivf at 1/2 maintenance", "ivf at 1/2 maintenance"},
		{"three-quarter strength feeds", "TF 3/4 STRENGTH AT 40", "TF 3/4 STRENGTH AT 40"},
		{"packs per day", "smokes 1/2 ppd", "smokes 1/2 ppd"},
		{"lymph nodes", "0/14 lymph nodes involved", "0/14 lymph nodes involved"},
		{"gram stain count", "bcx 2/2 gpc in clusters", "bcx 2/2 gpc in clusters"},
		{"values before a unit", "CT 90/70/50 CC/HR", "CT 90/70/50 CC/HR"},
		{"pupil sizes", "PUPILS 4/3 BRISK", "PUPILS 4/3 BRISK"},
		{"equal pupils", "pupils 2/2 sluggish", "pupils 2/2 sluggish"},
		{"reflexes", "DTR 1/4 at knees", "DTR 1/4 at knees"},
		{"train of four", "TOF 2/4 on cis", "TOF 2/4 on cis"},
		{"strength of a limb", "R HEMIPARESIS 3/5 RUE", "R HEMIPARESIS 3/5 RUE"},
		{"strength after mae", "mae 4/5 x4", "mae 4/5 x4"},
		{"murmur grade", "Heart: RRR, 2/6 systolic murmur.", "Heart: RRR, 2/6 systolic murmur."},
		{"murmur grade before murmur", "lungs clear. 3/6 murmur at apex", "lungs clear. 3/6 murmur at apex"},
		{"pain score later on the line", "pain 7/10, morphine 2 mg iv, now 3/10", "pain 7/10, morphine 2 mg iv, now 3/10"},
		{"sat a trial", "OFF SEDATION FOR SAT AT 0900", "OFF SEDATION FOR SAT AT 0900"},
		{"mon a monitor", "will cont to mon closely", "will cont to mon closely"},
		{"weekday schedule of three", "HD Tue/Thu/Sat", "HD Tue/Thu/Sat"},
		{"weekday schedule after on", "held on Mon/Thu", "held on Mon/Thu"},
		{"may a verb", "this may help", "this may help"},
		{"approximately a half", "~1/2 of meals", "~1/2 of meals"},
		{"dash range after a procedure", "s/p ivf 1-2 L", "s/p ivf 1-2 L"},
		{"dash range of doses after a procedure", "S/P LASIX 20-40 MG", "S/P LASIX 20-40 MG"},
		{"time after eta", "son driving in, ETA 2215", "son driving in, ETA 2215"},
		{"time after an order", "RESTRAINTS PER ORDER, RENEWED 0800", "RESTRAINTS PER ORDER, RENEWED 0800"},
		{"time after since on an ID line", "ID: afebrile since 1400, cx pending", "ID: afebrile since 1400, cx pending"},
		{"lone apostrophe year", "MI '09, stents", "MI '09, stents"},
		{"weekday pair is a schedule", "Warfarin 5 mg daily except 7.5 mg Mon/Fri.", "Warfarin 5 mg daily except 7.5 mg Mon/Fri."},
		{"sat the verb", "Pt sat up in chair.", "Pt sat up in chair."},
		{"last sat", "Last sat 94% on 2L.", "Last sat 94% on 2L."},
		{"sat after on", "ON SAT 88-92 ON 4L", "ON SAT 88-92 ON 4L"},
		{"march the verb", "Pt will march in place with PT.", "Pt will march in place with PT."},
		{"may the verb", "Plan: may extubate in am.", "Plan: may extubate in am."},
		{"ordinal floor", "TO GO TO THE 3RD FLOOR", "TO GO TO THE 3RD FLOOR"},
		{"ordinal dose", "since the 2nd dose of lasix", "since the 2nd dose of lasix"},
		{"count of cultures", "2/2 blood cultures positive", "2/2 blood cultures positive"},
		{"count of bottles", "bcx 2/2 bottles gpc", "bcx 2/2 bottles gpc"},
		{"counts glued", "bcx 2/2,3/3 bottles", "bcx 2/2,3/3 bottles"},
		{"ratio", "i:e ratio 2/1", "i:e ratio 2/1"},
		{"apgars", "apgars 8/9 at delivery", "apgars 8/9 at delivery"},
		{"ventilator range", "PS 10/5-15/5 OVERNIGHT", "PS 10/5-15/5 OVERNIGHT"},
		{"fraction range", "1/2-3/4 tab po prn", "1/2-3/4 tab po prn"},
		{"strength range", "motor 4/5-5/5 bilat", "motor 4/5-5/5 bilat"},
		{"spinal level", "L4/5 disc bulge", "L4/5 disc bulge"},
		{"count glued to x", "x2/3 sites", "x2/3 sites"},
		{"half strength", "TF at 1/2 strength", "TF at 1/2 strength"},
		{"half tab", "1/2 tab po", "1/2 tab po"},
		{"half without a year glued", "x1/2 dose", "x1/2 dose"},
		{"day first after a measure", "BIPAP AT NIGHT 14/6.", "BIPAP AT NIGHT 14/6."},
		{"cpap", "CPAP 5/5", "CPAP 5/5"},
		{"bp range", "BP 105-128/48-61", "BP 105-128/48-61"},
		{"sats range", "sats 98-100%", "sats 98-100%"},
		{"abg", "ABG 7.32/45/88", "ABG 7.32/45/88"},
		{"lab value", "K 3.9 repleted", "K 3.9 repleted"},
		{"dash range without a cue", "rr 12-14 unlabored", "rr 12-14 unlabored"},
		{"beds counted", "Night quiet overall. CCU 12/12 beds full, 2 holds in ED.", "Night quiet overall. CCU 12/12 beds full, 2 holds in ED."},
		{"a fifth of vodka", "PT REPORTS LAST DRINK 2 DAYS PTA, 1/5 VODKA DAILY X 10 YRS.", "PT REPORTS LAST DRINK 2 DAYS PTA, 1/5 VODKA DAILY X 10 YRS."},
		{"a fifth of whiskey", "usually drinks a 1/5 of whiskey daily", "usually drinks a 1/5 of whiskey daily"},
		{"bottles grown", "id: bcx gpc in clusters 2/2, mrsa. vanc started.", "id: bcx gpc in clusters 2/2, mrsa. vanc started."},
		{"always", "corrections officer at bedside 24/7 per policy.", "corrections officer at bedside 24/7 per policy."},
		{"the 24th of July after a cue", "admitted on 24/7 from home", "admitted on [DATE] from home"},
		{"a chest drain's chamber on its line", "bad air leak 2/7 on water seal, now 1/7. CXR @ 2200 stable.", "bad air leak 2/7 on water seal, now 1/7. CXR @ 2200 stable."},
		{"a chest drain's chamber named after", "small air leak w/ cough (1/7 on pleur-evac chamber).", "small air leak w/ cough (1/7 on pleur-evac chamber)."},
		{"a date after a leak and a cue", "air leak noted 3/7, pt seen 4/7 by surgery", "air leak noted 3/7, pt seen [DATE] by surgery"},
		{"a trial on settings after on", "PEEP 8 FIO2 40%, SBT DONE 30 MIN ON 5/5, FAILED DUE TO TACHYPNEA.", "PEEP 8 FIO2 40%, SBT DONE 30 MIN ON 5/5, FAILED DUE TO TACHYPNEA."},
		{"pressure support", "CURRENTLY ON PRESSURE SUPPORT 10/5 FIO2 30% AT NIGHT.", "CURRENTLY ON PRESSURE SUPPORT 10/5 FIO2 30% AT NIGHT."},
		{"a date after on without a trial", "extubated on 5/5 per team", "extubated on [DATE] per team"},
		{"bottles that grew an organism", "vanc iv q12, trough 14. blood cx 1/2 mssa - repeat cx drawn.", "vanc iv q12, trough 14. blood cx 1/2 mssa - repeat cx drawn."},
		{"a culture's date", "blood cx 1/2 pending", "blood cx [DATE] pending"},
		{"a chest tube placed on a date", "Chest tube placed 2/7 on water seal.", "Chest tube placed [DATE] on water seal."},
		{"a leak in an earlier sentence", "No air leak. 3/7 CXR clear.", "No air leak. [DATE] CXR clear."},
		{"a date before a drink word", "Admitted 1/5 etoh withdrawal.", "Admitted [DATE] etoh withdrawal."},
		{"a last drink's date", "Last drink 1/5 vodka per wife.", "Last drink [DATE] vodka per wife."},
		{"a fifth a day", "drinks 1/5 vodka per day", "drinks 1/5 vodka per day"},
		{"a culture's date before positive", "Blood cx 3/4 positive for GPC", "Blood cx [DATE] positive for GPC"},
		{"a neonatal ventilator's pressures", "RESP: NIMV 20/6 RATE 20 FIO2 30-35%.", "RESP: NIMV 20/6 RATE 20 FIO2 30-35%."},
		{"pressure control", "VENT UNCHANGED PC 18/5 R 35 FIO2 30%.", "VENT UNCHANGED PC 18/5 R 35 FIO2 30%."},
		{"a bag's pressures", "Bagged w/ neopuff 20/5 x1 min w/ good chest rise.", "Bagged w/ neopuff 20/5 x1 min w/ good chest rise."},
		{"a flow in litres a minute", "REMAINS ON LFNC 1/8 LPM 100%. SATS 93-100%.", "REMAINS ON LFNC 1/8 LPM 100%. SATS 93-100%."},
		{"haemoglobin over haematocrit", "Heme: H/H 11/33. Plt 88.", "Heme: H/H 11/33. Plt 88."},
		{"a drain of five chambers", "+AIRLEAK 1/5. CXR: SM L APICAL PTX.", "+AIRLEAK 1/5. CXR: SM L APICAL PTX."},
		{"strength of the lowers", "MAE 5/5 UPPERS, 5/5 LOWERS. NO PARESTHESIAS.", "MAE 5/5 UPPERS, 5/5 LOWERS. NO PARESTHESIAS."},
		{"bottles that grew e coli", "plan po abx in am. blood cx 1/2 e coli same sensitivities", "plan po abx in am. blood cx 1/2 e coli same sensitivities"},
		{"a stroke scale item", "L FACIAL DROOP, L ARM DRIFT 2/4, LLE 3/5.", "L FACIAL DROOP, L ARM DRIFT 2/4, LLE 3/5."},
		{"a pacer's output", "PACER SET DDD 90 MA 10/10. TURNED DOWN TO 80.", "PACER SET DDD 90 MA 10/10. TURNED DOWN TO 80."},
		{"objects counted", "anomic aphasia (naming 4/6 objects), R hand weakness 4/5", "anomic aphasia (naming 4/6 objects), R hand weakness 4/5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
