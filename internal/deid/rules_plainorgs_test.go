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
		{"a town of eight letters after driving from", "WIFE DRIVING FROM MESQUITE, ETA MORNING.", "WIFE DRIVING FROM [LOCATION], ETA MORNING."},
		{"near a normal value stays", "SATS NEAR NORMAL, WILL WEAN O2.", "SATS NEAR NORMAL, WILL WEAN O2."},
		{"a pace of walking stays", "AMBULATED IN HALL AT A SLOW PACE, TOL WELL.", "AMBULATED IN HALL AT A SLOW PACE, TOL WELL."},
	}
	checkLineTags(t, tests)
}

// TestDev36to38Words covers the false alarms of the development batches
// dev36–dev38 at first contact (invented examples of each shape), next to
// the PHI of the same shapes that must still be found.
func TestDev36to38Words(t *testing.T) {
	tests := []struct{ name, in, want string }{
		// clinical numbers
		{"ECMO lung rest", "RESP: LUNG REST 10/10, PEEP 10, RR 10, FIO2 30%.", "RESP: LUNG REST 10/10, PEEP 10, RR 10, FIO2 30%."},
		{"a part of a meal", "advanced to cardiac diet @ 1200. ate 1/2 sandwich + soup.", "advanced to cardiac diet @ 1200. ate 1/2 sandwich + soup."},
		{"a train-of-four goal", "nimbex started at 0330 per MD, TOF goal 2/4. GI: OGT to LIWS", "nimbex started at 0330 per MD, TOF goal 2/4. GI: OGT to LIWS"},
		{"train-of-four values repeated", "TOF 2/4 at 0100, 2/4 at 0500. BIS 40-50.", "TOF 2/4 at 0100, 2/4 at 0500. BIS 40-50."},
		{"strength of lower limbs", "Follows commands, MAE 5/5 upper, 4/5 lower. Pain 6/10", "Follows commands, MAE 5/5 upper, 4/5 lower. Pain 6/10"},
		{"an awakening trial passed", "restarted propofol @ 10 after passing SAT, currently off", "restarted propofol @ 10 after passing SAT, currently off"},
		{"a pressure support lowered", "PS decreased to 10/5 at 1000, RR 26-28", "PS decreased to 10/5 at 1000, RR 26-28"},
		{"a date after a meal kept", "pt ate lunch, last seen by GI on 1/2", "pt ate lunch, last seen by GI on [DATE]"},
		// eponyms and services
		{"a chest drain", "ct: 2 mediastinal blake drains + l pleural, 410cc", "ct: 2 mediastinal blake drains + l pleural, 410cc"},
		{"an ablation", "S/p MVR + TV ring + Cox-Maze IV. Came back in junctional", "S/p MVR + TV ring + Cox-Maze IV. Came back in junctional"},
		{"a positioner", "skin: z flo under head, heels floated.", "skin: z flo under head, heels floated."},
		{"a stroke practitioner", "Family: Updated by stroke NP, questions answered", "Family: Updated by stroke NP, questions answered"},
		{"a person called Blake kept", "son Blake at bedside, updated", "son [NAME] at bedside, updated"},
		// words after a relation or a credential
		{"a delirium screen after RN", "Delirium overnight per night RN, CAM neg today.", "Delirium overnight per night RN, CAM neg today."},
		{"a wife pleased", "pt and wife happy with plan.", "pt and wife happy with plan."},
		{"the last dose per a daughter", "PER DTR LAST ELIQUIS DOSE WAS 12/9, PHARMACY AWARE", "PER DTR LAST ELIQUIS DOSE WAS [DATE], PHARMACY AWARE"},
		{"a husband agreed", "sister Willene called at 2030 for update, husband ok'd. EP to see", "sister [NAME] called at 2030 for update, husband ok'd. EP to see"},
		{"a daughter found her", "daughter found her confused and called 911.", "daughter found her confused and called 911."},
		{"a lab after wife and a comma", "teaching started with pt and wife, INR goal 2.5-3.5 for valve.", "teaching started with pt and wife, INR goal 2.5-3.5 for valve."},
		{"a wife whose name is an acronym kept", "pt's wife gerd at bedside, upset re: confusion", "pt's wife [NAME] at bedside, upset re: confusion"},
		// review of the session's change: real dates beside the new shapes
		{"a date after train-of-four in another sentence kept", "TOF 4/4 this AM. Follow up clinic 3/4 with Dr. Lee.", "TOF 4/4 this AM. Follow up clinic [DATE] with Dr. [NAME]."},
		{"dates after train-of-four in the next sentence kept", "TOF 2/4. Wife visited 2/4 and 3/4.", "TOF 2/4. Wife visited [DATE] and [DATE]."},
		{"a date after train-of-four monitoring kept", "Check TOF q4h, pt admitted 3/4.", "Check TOF q4h, pt admitted [DATE]."},
		{"an upper GI study dated kept", "Upper GI on 4/5.", "Upper GI on [DATE]."},
		{"a lower GI bleed dated kept", "Lower GI bleed since 3/5, scoped 4/5.", "Lower GI bleed since [DATE], scoped [DATE]."},
		{"a visit before lower back pain kept", "Seen in clinic 4/5 lower back pain.", "Seen in clinic [DATE] lower back pain."},
		{"a son took time off kept", "Son took 3/4 off from work to visit.", "Son took [DATE] off from work to visit."},
		{"a range of dates for settings kept", "Settings changed 9/5 to 10/5.", "Settings changed [DATE] to [DATE]."},
		{"a town after lives in that starts with w", "PT LIVES ALONE IN WINNER, WIFE AT BEDSIDE.", "PT LIVES ALONE IN [LOCATION], WIFE AT BEDSIDE."},
		{"found near midnight stays", "FOUND NEAR MIDNIGHT, GCS 3.", "FOUND NEAR MIDNIGHT, GCS 3."},
		{"a crash near a lake stays", "CRASH NEAR LAKE, EXTRICATED BY EMS.", "CRASH NEAR LAKE, EXTRICATED BY EMS."},
		{"vestibular rehab stays", "plan: transfer to vestibular rehab when stable", "plan: transfer to vestibular rehab when stable"},
	}
	checkLineTags(t, tests)
}
