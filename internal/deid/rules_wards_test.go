package deid

import "testing"

// TestGoldenWards covers wards named after a person or place and the drugs,
// settings and devices of the same shape that stay.
func TestGoldenWards(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"capitals", "PT TRANSFERRED TO CARROLL 7 AT 1600. REPORT GIVEN.", "PT TRANSFERRED TO [LOCATION] AT 1600. REPORT GIVEN."},
		{"on, since", "Pt on Tilghman 6 since 11/20.", "Pt on [LOCATION] since [DATE]."},
		{"full stop", "PT TRANSFERRED TO HALSEY 5. REPORT GIVEN.", "PT TRANSFERRED TO [LOCATION]. REPORT GIVEN."},
		// must stay
		{"drug after to", "Switched to Levo 5 at 0300.", "Switched to Levo 5 at 0300."},
		{"drug after on", "on hydral 10. bp stable", "on hydral 10. bp stable"},
		{"decimal dose", "Started on Natrecor 0.01 mcg.", "Started on Natrecor 0.01 mcg."},
		{"setting", "WEANED TO PS 5.", "WEANED TO PS 5."},
		{"dose with a unit", "Increased to Lasix 40 mg.", "Increased to Lasix 40 mg."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestGoldenTownState covers "from Town, ST" in each casing and the
// credentials and words that look like state codes.
func TestGoldenTownState(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"capitals", "PT'S BROTHER CALLED FROM ROCKY MOUNT, NC AT 0915.", "PT'S BROTHER CALLED FROM [LOCATION], NC AT 0915."},
		{"lower case", "pt's daughter called from lake worth, fl, will fly up", "pt's daughter called from [LOCATION], fl, will fly up"},
		{"lower-case pa", "mother drove from hanover, pa.", "mother drove from [LOCATION], pa."},
		// must stay
		{"ok after a place word", "pt home from work, ok per wife", "pt home from work, ok per wife"},
		{"PA aware", "Discussed with team in ICU, PA aware.", "Discussed with team in ICU, PA aware."},
		{"in bed, ok", "pt in bed, ok.", "pt in bed, ok."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
