package deid

import "testing"

// TestEponymPairs: devices, signs and scales named after people or places
// are clinical words as a pair; either word alone, or a person with a cue,
// is still found.
func TestEponymPairs(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"drain", "Full liquids, tol well. Jackson-Pratt x2 - total 70cc", "Full liquids, tol well. Jackson-Pratt x2 - total 70cc"},
		{"breathing pattern", "breathing irregular, Cheyne-Stokes pattern noted", "breathing irregular, Cheyne-Stokes pattern noted"},
		{"warming blanket", "Shivering, Bair Hugger to hands/feet", "Shivering, Bair Hugger to hands/feet"},
		{"cooling device, a weekday word", "TTM 36 via Arctic Sun, temp 36.0", "TTM 36 via Arctic Sun, temp 36.0"},
		{"speaking valve and its trial", "cuff deflated, passy-muir trial w/ speech", "cuff deflated, passy-muir trial w/ speech"},
		{"collar in capitals", "PADS CHANGED UNDER C-COLLAR (MIAMI J), PADS DRY", "PADS CHANGED UNDER C-COLLAR (MIAMI J), PADS DRY"},
		{"clinical sense of a name-list word", "Pt requests to leave AMA, dulcolax supp given", "Pt requests to leave AMA, dulcolax supp given"},
		{"feeding tube after via", "TF Glucerna @ 55 via Dobhoff. BM x1.", "TF Glucerna @ 55 via Dobhoff. BM x1."},
		{"a lab named with clinical words", "received 0622 from Bon Secours Outpatient Lab.", "received 0622 from [LOCATION]."},
		{"an ulcer's patch", "lap for perforated duodenal ulcer, Graham patch, POD 3.", "lap for perforated duodenal ulcer, Graham patch, POD 3."},
		{"a breathing pattern", "Resp: Kussmaul resps, RR 28, sats 99% RA.", "Resp: Kussmaul resps, RR 28, sats 99% RA."},
		{"a syndrome with its accent", "Pt admitted overnight w/ Guillain-Barré, ascending weakness", "Pt admitted overnight w/ Guillain-Barré, ascending weakness"},
		{"an operation's reversal", "GI: s/p Hartmann's reversal. Clears.", "GI: s/p Hartmann's reversal. Clears."},
		{"a header that reads as a title", "MS: LLE CMS INTACT, DSG D/I. TTWB.", "MS: LLE CMS INTACT, DSG D/I. TTWB."},
		{"a title before a name kept", "seen by Ms. Quaxley today", "seen by Ms. [NAME] today"},
		{"a rhythm in capitals", "NOTE 2300: HR DROPPED TO 38 SINUS BRADY, PT ASYMPTOMATIC", "NOTE 2300: HR DROPPED TO 38 SINUS BRADY, PT ASYMPTOMATIC"},
		{"a sedation scale", "NO PRN SEDATION. RICHMOND AGITATION SCALE 0 ALL NIGHT.", "NO PRN SEDATION. RICHMOND AGITATION SCALE 0 ALL NIGHT."},
		{"a tamponade tube", "CONTINUED OOZING, MINNESOTA TUBE PLACED BY GI AT 0040.", "CONTINUED OOZING, MINNESOTA TUBE PLACED BY GI AT 0040."},
		{"a rhythm after a title", "hr 60s sr. hgb 12.8. creatinine 0.9", "hr 60s sr. hgb 12.8. creatinine 0.9"},
		{"a person called Brady kept", "son Brady visited at 1900", "son [NAME] visited at 1900"},
		{"a facial nerve grade in capitals", "R FACIAL WEAKNESS HOUSE-BRACKMANN III, R EYE NOT CLOSING", "R FACIAL WEAKNESS HOUSE-BRACKMANN III, R EYE NOT CLOSING"},
		{"an AVM grade", "Spetzler-Martin grade 3 AVM, s/p embolization", "Spetzler-Martin grade 3 AVM, s/p embolization"},
		{"a cord syndrome", "incomplete SCI, Brown-Sequard pattern", "incomplete SCI, Brown-Sequard pattern"},
		{"a malformation", "hx arnold chiari s/p decompression", "hx arnold chiari s/p decompression"},
		{"a fracture type", "facial fx (Le Fort II) s/p ORIF", "facial fx (Le Fort II) s/p ORIF"},
		{"a syndrome of thiamine", "concern for Wernicke-Korsakoff, thiamine IV", "concern for Wernicke-Korsakoff, thiamine IV"},
		{"a pair of two names before its head", "+ marcus gunn pupil L", "+ marcus gunn pupil L"},
		{"a pair of two names hyphenated", "hx Adams-Stokes attacks", "hx Adams-Stokes attacks"},
		// still PHI
		{"a person called House", "wife Dana House called", "wife [NAME] called"},
		{"a pair of two names, a person", "Marcus Gunn at bedside, updated on plan", "[NAME] at bedside, updated on plan"},
		{"a person called Jackson", "son Jackson visited at 1900", "son [NAME] visited at 1900"},
		{"a person named as a pair, after a relation", "daughter Mallory Weiss called today", "daughter [NAME] called today"},
		{"a person named as a pair, after a title", "seen by Dr. Jackson Pratt today", "seen by Dr. [NAME] today"},
		{"a name-list word after a title", "seen by Dr. Auth this am", "seen by Dr. [NAME] this am"},
		{"a county before its service", "brought in by Carroll County EMS", "brought in by [LOCATION] EMS"},
		{"the service alone", "2 SHOCKS BY EMS, CATH", "2 SHOCKS BY EMS, CATH"},
		{"an operation in the possessive", "diverticulitis s/p ex lap with Hartmann's (POD 5), now off pressors", "diverticulitis s/p ex lap with Hartmann's (POD 5), now off pressors"},
		{"a sign in the possessive", "Hyperreflexia, + Hoffmann's R. Gait unsteady.", "Hyperreflexia, + Hoffmann's R. Gait unsteady."},
		{"a disease in the possessive, lower case", "neuro: pt with hx of parkinson's admitted after fall", "neuro: pt with hx of parkinson's admitted after fall"},
		{"an aphasia", "Neuro: Pt A&Ox3, Broca's aphasia - short phrases, good comprehension.", "Neuro: Pt A&Ox3, Broca's aphasia - short phrases, good comprehension."},
		{"a person so named, after a title", "spoke with Mr. Parkinson's daughter", "spoke with Mr. [NAME]'s daughter"},
		{"a common surname in the possessive", "Murphy's wife called at 1400", "[NAME]'s wife called at 1400"},
		{"an eponym's surname before a relation", "Horner's son visited", "[NAME]'s son visited"},
		{"a surname like an eponym before a relation", "Spoke with Hoffman's daughter", "Spoke with [NAME]'s daughter"},
		{"a word of the sentence before a relation", "Pt trying to get OOB, yelling for his dog. Reoriented, daughter on phone helped calm him.", "Pt trying to get OOB, yelling for his dog. Reoriented, daughter on phone helped calm him."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := detectTags(t, tc.in); got != tc.want {
				t.Errorf("\nin   %q\ngot  %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}
