package deid

import "testing"

// TestGoldenDev15 covers the places and dates the fifteenth development
// batch found missing (rules_dev15.go), with invented examples (none is
// dev15's), next to the everyday and clinical words of the same shapes that
// must stay.
func TestGoldenDev15(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// farm, food and freight trades as heads of an employer's name
		{"a cannery after at, capitals", "WORKS AT GRANITE BAY CANNERY, NIGHTS", "WORKS AT [LOCATION], NIGHTS"},
		{"a hauling firm after for", "pt drives for Redwing Hauling out of town", "pt drives for [LOCATION] out of town"},
		{"a winery in lower case", "pt works at the quarry hill winery on wknds", "pt works at the [LOCATION] on wknds"},
		{"a creamery after from", "CAME FROM HIS SHIFT AT PELTIER CREAMERY", "CAME FROM HIS SHIFT AT [LOCATION]"},
		{"packers after at", "Wife is a line lead at Kettleman Packers.", "Wife is a line lead at [LOCATION]."},
		{"a freight firm after employer", "Employer: Bluejay Freight, on leave", "Employer: [LOCATION], on leave"},
		{"a dairy after a name", "works at zapata dairy milking", "works at [LOCATION] milking"},
		{"a packing shed after a name", "LOST JOB AT OCHOCO PACKING IN OCT", "LOST JOB AT [LOCATION] IN [DATE]"},
		{"wound packing stays", "wound packing changed at bedside, no odor", "wound packing changed at bedside, no odor"},
		{"packing from the wound stays", "removed packing from wound, 4x4 to site", "removed packing from wound, 4x4 to site"},
		{"dairy in a diet stays", "advised to avoid dairy foods at home", "advised to avoid dairy foods at home"},
		{"freight of no one stays", "INJURED LIFTING FREIGHT AT WORK", "INJURED LIFTING FREIGHT AT WORK"},
		// a business and its street as one place after "the" and in a
		// lower-case line (businessOnAt, rules_dev3.go)
		{"after the", "Labs drawn at the Quikmart Lab on Ralston Ave yesterday", "Labs drawn at the [LOCATION] yesterday"},
		{"lower case", "labs at quikmart lab on ralston ave", "labs at [LOCATION]"},
		{"a unit on a street stays apart", "came from ICU on Ralston Ave side", "came from ICU on [LOCATION] side"},
		// a shortened weekday after a procedure booked by the day
		{"egd mon if", "EGD MON IF HGB DROPS AGAIN", "EGD [DATE] IF HGB DROPS AGAIN"},
		{"tte mon full stop", "Plan: TTE Mon. Cont tele.", "Plan: TTE [DATE]. Cont tele."},
		{"mri mon line end", "npo after mn for mri mon", "npo after mn for mri [DATE]"},
		{"a monitor stays", "TELE MON IF HR < 50 CALL", "TELE MON IF HR < 50 CALL"},
		{"an eeg monitoring stays", "on cEEG mon. no sz overnight", "on cEEG mon. no sz overnight"},
		{"a saturation after echo stays", "ECHO SAT 92% ON RA", "ECHO SAT 92% ON RA"},
		{"a procedure before a number stays", "CATH MON 2 PT TO LAB", "CATH MON 2 PT TO LAB"},
		// a month before "of this year"
		{"month of this year", "Quit smoking August of this year", "Quit smoking [DATE] of this year"},
		{"month of last year in capitals", "NO ETOH SINCE JUNE OF LAST YEAR PER WIFE", "NO ETOH SINCE [DATE] OF LAST YEAR PER WIFE"},
		{"may of this year in lower case", "sober may of this year", "sober [DATE] of this year"},
		{"may as a verb stays", "pt may of course call", "pt may of course call"},
		// a season after a word that introduces a date
		{"since summer", "15 lb wt loss since summer, poor po", "15 lb wt loss since [DATE], poor po"},
		{"over the winter in capitals", "FELL TWICE OVER THE WINTER PER DTR", "FELL TWICE OVER THE [DATE] PER DTR"},
		{"last autumn", "last echo was last autumn at osh", "last echo was last [DATE] at osh"},
		{"a season with a year stays", "dx since summer 2024 per pt", "dx since summer 2024 per pt"},
		{"a season alone stays", "likes to fish in summer", "likes to fish in summer"},
	}
	checkLineTags(t, tests)
}
