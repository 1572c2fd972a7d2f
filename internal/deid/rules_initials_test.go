package deid

import "testing"

// TestGoldenInitials covers the initials and typist codes that sign notes,
// and the short clinical words in the same positions that stay.
func TestGoldenInitials(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"last line capitals", "IMPRESSION: WORSENING L BASILAR OPACITY.\nRNW", "IMPRESSION: WORSENING L BASILAR OPACITY.\n[NAME]"},
		{"last line lower case", "will cont to monitor.\njlm", "will cont to monitor.\n[NAME]"},
		{"typist pair", "NO HEMORRHAGE.\nLKP/ts", "NO HEMORRHAGE.\n[NAME]/[NAME]"},
		{"typist pair after a credential", "Tancredi Bellomo, MD    JFO/tz", "[NAME], MD    [NAME]/[NAME]"},
		{"author code after a credential", "No consolidation.\nBartholomew Ilunga, MD  DK27", "No consolidation.\n[NAME], MD  [ID]"},
		{"author code alone", "will cont to monitor.\nkq41", "will cont to monitor.\n[ID]"},
		{"typist code and name", "KMB:trask  D: 04/01/2021\nreport follows", "[NAME]:[NAME]  D: [DATE]\nreport follows"},
		{"called by", "Read back, called by BMK.", "Read back, called by [NAME]."},
		{"printed by", "Printed 12/02/2023 07:14 by ymr at the desk", "Printed [DATE] 07:14 by [NAME] at the desk"},
		{"transcribed", "Ayelet Ben-Haim, MD   transcribed mrc", "[NAME], MD   transcribed [NAME]"},
		// must stay
		{"service by", "Line placed by IR.", "Line placed by IR."},
		{"ct by", "Read by CT, no bleed.", "Read by CT, no bleed."},
		{"by mouth", "Meds given by mouth.", "Meds given by mouth."},
		{"last line clinical", "PLAN: CONT CURRENT MGMT.\nDNR", "PLAN: CONT CURRENT MGMT.\nDNR"},
		{"last line credential", "will cont to monitor.\nRN", "will cont to monitor.\nRN"},
		{"system header", "GI:abd soft, +bs", "GI:abd soft, +bs"},
		{"last line a dose", "PLAN: CONT LASIX.\nK 40MEQ", "PLAN: CONT LASIX.\nK 40MEQ"},
		{"last line a vent setting", "ABG PENDING.\nPS 10/5", "ABG PENDING.\nPS 10/5"},
		{"study pair", "FOR AM FILMS:\nCXR/KUB", "FOR AM FILMS:\nCXR/KUB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := detectTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
