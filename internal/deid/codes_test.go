package deid

import "testing"

// TestWholeCodes: an identifier is tagged as the whole hyphen-joined code,
// so no part of a unique code survives; ranges and ordinary hyphenated
// words stay untouched.
func TestWholeCodes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Account ACC-XYZ-0099 closed.", "Account [ID] closed."},
		{"MRN CANARY-MRN-99173 seen.", "MRN [ID] seen."},
		{"Policy no. HX-77-1234.", "Policy no. [ID]."},
		{"MRN: AB-123456 today.", "MRN: [ID] today."},
		{"BP 120-130 today, HR 60-80.", "BP 120-130 today, HR 60-80."},
		{"COVID-19 test negative.", "COVID-19 test negative."},
		// values with a unit or a decade glued on are no identifier
		{"BP stable 120s/60s overnight.", "BP stable 120s/60s overnight."},
		{"glucoses 130s-170s today.", "glucoses 130s-170s today."},
		{"pull CT if output <150cc/24h.", "pull CT if output <150cc/24h."},
		{"seen in device clinic in 7-10 days.", "seen in device clinic in 7-10 days."},
		{"device serial 88213-44 noted.", "device serial [ID] noted."},
		{"plate 4XKI170 on file.", "plate [ID] on file."},
		// a clock time after a date is no e-mail domain
		{"seen 12/5@2230. stable", "seen [DATE]@2230. stable"},
		{"mail jo.smith@mail.example.org today", "mail [EMAIL] today"},
	} {
		if got := detectTags(t, tc.in); got != tc.want {
			t.Errorf("%q → %q, want %q", tc.in, got, tc.want)
		}
	}
}
