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
	}
	checkLineTags(t, tests)
}
