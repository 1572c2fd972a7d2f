package deid

import "testing"

// TestPlainCasePlaces covers places written in a note of one case, found by
// reading the development batches in capitals and in lower case
// (realeval.Recase): a facility's name before its head, an employer after
// "works at", a town that is also an everyday word after "lives in"; and the
// ordinary phrases of the same shapes that must stay.
func TestPlainCasePlaces(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"a rehab chosen in lower case", "pt transferred to bluestem rehab for inpatient rehab @ 1100", "pt transferred to [LOCATION] for inpatient rehab @ 1100"},
		{"a hospice wanted in capitals", "WOULD LIKE YUCCA HOSPICE IN LEVELLAND SO FAMILY CAN VISIT", "WOULD LIKE [LOCATION] IN [LOCATION] SO FAMILY CAN VISIT"},
		{"an ltach in capitals", "WOULD LIKE COQUINA LTACH BC IT IS CLOSE TO HOME.", "WOULD LIKE [LOCATION] BC IT IS CLOSE TO HOME."},
		{"a children's hospital without its apostrophe", "TRANSFER PLANNED TO LAMBEAU CHILDRENS WHEN BED READY.", "TRANSFER PLANNED TO [LOCATION] WHEN BED READY."},
		{"a kind of rehab stays", "d/c to subacute rehab when bed available", "d/c to subacute rehab when bed available"},
		{"an inpatient rehab stays", "PT RECOMMENDS SHORT-TERM REHAB, SCREENED FOR INPATIENT REHAB.", "PT RECOMMENDS SHORT-TERM REHAB, SCREENED FOR INPATIENT REHAB."},
		{"home hospice stays", "family wants home hospice, cm aware", "family wants home hospice, cm aware"},
		{"an employer in capitals", "PT STATES HE WORKS AT MURDOCK TIRE & AXLE AND IS WORRIED ABOUT WORK.", "PT STATES HE WORKS AT [LOCATION] AND IS WORRIED ABOUT WORK."},
		{"an employer in lower case", "pt works as a welder, works at tomball pipe and welding. supervisor called", "pt works as a welder, works at [LOCATION]. supervisor called"},
		{"working nights stays", "pt works at night as a cook, wife works nights", "pt works at night as a cook, wife works nights"},
		{"a daycare stays", "pt states she works at a daycare and thinks she caught a cold", "pt states she works at a daycare and thinks she caught a cold"},
		{"a town that is a word after lives in", "SOCIAL: PT LIVES ALONE IN PACE, NIECE CHECKS ON HER.", "SOCIAL: PT LIVES ALONE IN [LOCATION], NIECE CHECKS ON HER."},
		{"a town that is a word after near", "ATV ROLLOVER NEAR SEARCHLIGHT, LIFE FLIGHTED IN.", "ATV ROLLOVER NEAR [LOCATION], LIFE FLIGHTED IN."},
		{"near a normal value stays", "SATS NEAR NORMAL, WILL WEAN O2.", "SATS NEAR NORMAL, WILL WEAN O2."},
		{"a pace of walking stays", "AMBULATED IN HALL AT A SLOW PACE, TOL WELL.", "AMBULATED IN HALL AT A SLOW PACE, TOL WELL."},
	}
	checkLineTags(t, tests)
}
