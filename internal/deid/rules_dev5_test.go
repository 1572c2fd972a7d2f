package deid

import "testing"

// TestGoldenDev5 covers the shapes of rules_dev5.go (invented examples, none
// from dev5): a month and day joined by a dash with a zero-padded part or
// before a clock time, shortened weekdays beside another weekday or after
// "HD", "MLK Day", and the clinical numbers and words of the same shapes
// that must stay.
func TestGoldenDev5(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// dash dates
		{"dash date with a padded day", "FOLEY REMOVED 11-03, VOIDING QS", "FOLEY REMOVED [DATE], VOIDING QS"},
		{"dash date with a padded month", "repeat echo 03-17 showed ef 40%", "repeat echo [DATE] showed ef 40%"},
		{"dash date before a clock time", "Family meeting 11-9 1530 with palliative.", "Family meeting [DATE] 1530 with palliative."},
		{"a padded range of a measure stays", "PEEP 05-08, FIO2 40%", "PEEP 05-08, FIO2 40%"},
		{"a measured range before a time stays", "RR 12-16 0400 ABG SENT", "RR 12-16 0400 ABG SENT"},
		{"a dash pair alone stays", "drains 10-12 cc overnight", "drains 10-12 cc overnight"},
		{"an unpadded dash pair stays", "pain 3-4 after dilaudid", "pain 3-4 after dilaudid"},
		// weekdays
		{"mon beside another weekday", "D/C HOME MON OR WED PER TEAM", "D/C HOME [DATE] OR [DATE] PER TEAM"},
		{"sun after another weekday", "visitors fri and sun only", "visitors [DATE] and [DATE] only"},
		{"weekday after HD", "next HD Sat at the outpatient unit", "next HD [DATE] at the outpatient unit"},
		{"monitor before and stays", "CONT CARDIAC MON AND TELE", "CONT CARDIAC MON AND TELE"},
		{"sat before or stays", "sat or fio2 changes called to rt", "sat or fio2 changes called to rt"},
		{"HD sat value stays", "HD sat 91% on 2l", "HD sat 91% on 2l"},
		// holidays
		{"mlk day", "Dressing change due after MLK Day weekend.", "Dressing change due after [DATE] weekend."},
		{"MLK DAY in capitals", "RTC AFTER MLK DAY", "RTC AFTER [DATE]"},
		// a head after a place found, an assisted living, a factory
		{"clinic after a place in capitals", "SEEN AT ROCKVILLE IR CLINIC LAST WEEK", "SEEN AT [LOCATION] LAST WEEK"},
		{"school after a place in lower case", "son is at frostburg middle school this year", "son is at [LOCATION] this year"},
		{"lanes after a town stay one place (a guard)", "PT FELL AT HAGERSTOWN LANES DURING LEAGUE NIGHT", "PT FELL AT [LOCATION] DURING LEAGUE NIGHT"},
		{"assisted living after everyday words", "ADMITTED FROM MAPLE CROSSING ASSISTED LIVING YESTERDAY", "ADMITTED FROM [LOCATION] YESTERDAY"},
		{"a factory after at the", "works nights at the pretzel factory in dunmore", "works nights at the [LOCATION] in [LOCATION]"},
		{"a lower-case clinic after a mixed-case place stays outside", "Followed at Quarrington Oaks clinic for HTN.", "Followed at [LOCATION] clinic for HTN."},
		{"a factory setting stays", "pump reset to factory settings by biomed", "pump reset to factory settings by biomed"},
		// streets without a number in capitals, a street named after a place, a route
		{"street of everyday words in capitals", "SON LIVES ON BIRCH HOLLOW RD, 10 MIN AWAY", "SON LIVES ON [LOCATION], 10 MIN AWAY"},
		{"street in capitals after near", "FOUND NEAR CEDAR KNOLL AVE AT 0200", "FOUND NEAR [LOCATION] AT 0200"},
		{"the road in capitals stays", "PT ON THE ROAD TO RECOVERY PER WIFE", "PT ON THE ROAD TO RECOVERY PER WIFE"},
		{"a street named after a place", "Found by a neighbor on Ashburton Park Rd last night.", "Found by a neighbor on [LOCATION] last night."},
		{"a pharmacy on a street named after a place", "Pharmacy: CVS on Mount Vernon Heights Ave, open late.", "Pharmacy: [LOCATION], open late."},
		{"route of one digit in capitals", "MVC ON ROUTE 2 NEAR THE BRIDGE", "MVC ON [LOCATION] NEAR THE BRIDGE"},
		{"route in lower case", "crash off route 7 this am", "crash off [LOCATION] this am"},
		{"route of a drug stays", "changed to po route 2 days ago", "changed to po route 2 days ago"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
