package deid

import "testing"

// TestRealDensityWords covers ordinary clinical text that the rules took
// for places in the development notes written at the PHI density of real
// notes (dev12–dev16), with invented examples, next to the places of the
// same shapes that must still be found.
func TestRealDensityWords(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// a street address does not run over the end of a sentence
		{"dose then a sentence", "Solumedrol 40 IV q8h. Will place back on BiPAP HS.", "Solumedrol 40 IV q8h. Will place back on BiPAP HS."},
		{"a street with an initial kept", "lives at 2217 E. Lanvale St with son", "lives at [LOCATION] with son"},
		// a suffix in capitals after lower-case words is an abbreviation
		{"heart block", "Tele: SR 60s, new 1st degree AV block PR 0.24", "Tele: SR 60s, new 1st degree AV block PR 0.24"},
		{"a street in lower case kept", "lives at 813 riverside Ave. with wife", "lives at [LOCATION] with wife"},
		// a town that is an everyday word needs a cue
		{"central line", "A-line d/c'd, site c/d/i. Central line d/c'd 1400", "A-line d/c'd, site c/d/i. Central line d/c'd 1400"},
		{"a town after from kept", "Pt transferred from Central this am", "Pt transferred from [LOCATION] this am"},
		// a month and day joined by "-" after a word that books an event
		{"discharge date with a dash", "plan: d/c home 12-9 if stable.", "plan: d/c home [DATE] if stable."},
		{"follow-up date with a dash", "f/u w/ pcp 12-14. rx sent", "f/u w/ pcp [DATE]. rx sent"},
		{"a range after home stays", "home o2 2-4 L at baseline", "home o2 2-4 L at baseline"},
		{"a rate range stays", "RR 12-14, sats 95%", "RR 12-14, sats 95%"},
	}
	checkLineTags(t, tests)
}
