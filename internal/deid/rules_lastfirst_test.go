package deid

import "testing"

// TestGoldenLastFirst covers "LAST,FIRST" headers without a label and after
// a patient label, in each casing, and the lists of the same shape that stay.
func TestGoldenLastFirst(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"capitals, no space", "KOWALCZYK,TERESA   MRN 11830492", "[NAME]   MRN [ID]"},
		{"capitals, space", "HUERTA, ANACLETO       MRN 8854102", "[NAME]       MRN [ID]"},
		{"hyphenated surname, age", "MENDOZA-TIBURCIO,ARACELI, 52F, SEPTIC SHOCK", "[NAME], 52F, SEPTIC SHOCK"},
		{"mixed case after Pt", "Pt Ferreira, Luiz DOB 1/4/1950 seen today", "Pt [NAME] DOB [DATE] seen today"},
		{"alone on a line", "Wojciechowski,Helena\nnursing progress note", "[NAME]\nnursing progress note"},
		{"given name that is a word", "HERMANN-CUMMERATA,PATIENCE\n7225361", "[NAME]\n[ID]"},
		// must stay
		{"system list", "NEURO,CV STABLE", "NEURO,CV STABLE"},
		{"system list mixed", "Neuro, Resp: unchanged", "Neuro, Resp: unchanged"},
		{"drug list", "Tylenol, Motrin prn", "Tylenol, Motrin prn"},
		{"drug pair glued", "HYDRAL,NITRO\nBP STABLE", "HYDRAL,NITRO\nBP STABLE"},
		{"drug list capitals", "HEPARIN, INSULIN 12 UNITS", "HEPARIN, INSULIN 12 UNITS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
