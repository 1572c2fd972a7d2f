package deid

import "testing"

// TestGoldenPhones covers phones glued to a cue or opened by a parenthesis
// that does not hold an area code, and the identifiers and lab values of the
// same shapes that must not become phones.
func TestGoldenPhones(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ten digits after a cue", "cell 4107738124", "cell [PHONE]"},
		{"glued to ph:", "Call her back, ph:4107738124.", "Call her back, ph:[PHONE]."},
		{"in parentheses with an extension", "Spoke with the home (410-884-2271 x 212) re sugars.", "Spoke with the home ([PHONE]) re sugars."},
		{"spaced in parentheses", "HCP: NEPHEW (410 970 2258).", "HCP: NEPHEW ([PHONE])."},
		{"a four-digit pager", "call pgr 4417 with questions", "call pgr [PHONE] with questions"},
		{"a four-digit extension", "ext 4417 days", "ext [PHONE] days"},
		// must stay
		{"times a number", "given 1000 x3 doses", "given 1000 x3 doses"},
		{"an identifier's cue", "NPI 1515022151", "NPI [ID]"},
		{"ph the lab value", "ABG: ph 7.32 pco2 48", "ABG: ph 7.32 pco2 48"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
