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
		// must stay
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
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
