package realeval

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
)

// TestDevScores scores the rules, the tagger and both on the development
// sets (never the frozen batch: that one is scored by hand, by the score
// command, at first contact and at the end) and asserts regression floors
// a few points under the scores measured when they were set. The final
// tagger is trained on dev.jsonl and dev2.jsonl too, so its floors there only guard
// against a broken model; its honest dev figure is the cross-validated one
// in tagger/README.md.
func TestDevScores(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 1,386 notes")
	}
	floors := map[string]map[string][2]float64{ // set → detector → {recall, precision}
		// raised in the fourth development round (2026-12-05) to a point or
		// two under the end figures of docs/deid.md
		"dev.jsonl": {
			"rules":  {0.90, 0.96},
			"tagger": {0.88, 0.78},
			"both":   {0.97, 0.96},
		},
		"dev2.jsonl": {
			"rules":  {0.92, 0.94},
			"tagger": {0.95, 0.95},
			"both":   {0.98, 0.94},
		},
		"dev3.jsonl": { // trained on since 2026-12-06 (the tagger learns from every
			// development batch): its tagger floors were held-out ones
			"rules":  {0.95, 0.95},
			"tagger": {0.85, 0.75},
			"both":   {0.97, 0.95},
		},
		"dev4.jsonl": { // trained on since 2026-12-06 (the tagger learns from every
			// development batch): its tagger floors were held-out ones
			// (sixth round, 2026-12-05, a point or two under its end figures;
			// precision of both raised after the seventh's safe vocabulary)
			"rules":  {0.89, 0.95},
			"tagger": {0.89, 0.84},
			"both":   {0.96, 0.90},
		},
		"dev5.jsonl": { // trained on since 2026-12-06 (the tagger learns from every
			// development batch): its tagger floors were held-out ones
			// (ninth round, 2026-12-06, a point or two under its end figures)
			"rules":  {0.89, 0.96},
			"tagger": {0.84, 0.86},
			"both":   {0.94, 0.92},
		},
		"dev6.jsonl": { // trained on since 2026-12-06 (the tagger learns from every
			// development batch): its tagger floors were held-out ones
			// (tenth round, 2026-12-06, a point or two under its end figures)
			"rules":  {0.93, 0.96},
			"tagger": {0.89, 0.84},
			"both":   {0.96, 0.91},
		},
		"dev11.jsonl": { // the eleventh round (2026-12-06), a point or two under
			// its end figures (rules 0.948 / 0.970, tagger 0.923 / 0.900,
			// both 0.976 / 0.927, held out); trained on since the same day
			"rules":  {0.93, 0.95},
			"tagger": {0.90, 0.87},
			"both":   {0.96, 0.91},
		},
		// dev9-dev14 (2026-12-06, second session): training notes of the
		// tagger, so its floors only guard against a broken model; the rules'
		// are a point or two under their end figures. dev12-dev14 are at the
		// PHI density of real notes: their precision floors guard the false
		// alarms on ordinary clinical text (docs/deid.md, "real-note density")
		"dev9.jsonl":  {"rules": {0.91, 0.97}, "tagger": {0.94, 0.97}, "both": {0.97, 0.97}},
		"dev10.jsonl": {"rules": {0.92, 0.96}, "tagger": {0.94, 0.96}, "both": {0.97, 0.96}}, // tagger precision 0.97 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev12.jsonl": {"rules": {0.97, 0.88}, "tagger": {0.97, 0.94}, "both": {0.98, 0.88}}, // tagger precision 0.95 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev13.jsonl": {"rules": {0.94, 0.83}, "tagger": {0.97, 0.93}, "both": {0.97, 0.83}}, // tagger precision 0.95 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev14.jsonl": {"rules": {0.93, 0.74}, "tagger": {0.97, 0.88}, "both": {0.98, 0.75}}, // tagger precision 0.95 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev15.jsonl": { // the twelfth rules round (2026-12-06), a point or two
			// under its end figures (rules 0.910 / 0.960, tagger 0.928 / 0.923,
			// both 0.966 / 0.941); the tagger had not yet learnt from it
			"rules":  {0.89, 0.94},
			"tagger": {0.90, 0.90},
			"both":   {0.94, 0.92},
		},
		// dev16-dev18 (2026-12-06, third session): at the PHI density of real
		// notes, not trained on (a model that learnt from them lost places on
		// dense sets: docs/deid.md), tuned on by the rules and the clinical
		// vocabulary; floors a point or two under their end figures
		"dev16.jsonl": {"rules": {0.95, 0.85}, "tagger": {0.95, 0.38}, "both": {0.98, 0.72}},
		"dev17.jsonl": {"rules": {0.93, 0.86}, "tagger": {0.94, 0.37}, "both": {0.98, 0.77}},
		"dev18.jsonl": {"rules": {0.94, 0.87}, "tagger": {0.91, 0.34}, "both": {0.97, 0.75}},
		// dev19-dev21 (2026-12-06, fourth session): the same, written at the
		// session's start; floors a point or two under their end figures
		"dev19.jsonl": {"rules": {0.96, 0.79}, "tagger": {0.93, 0.41}, "both": {0.98, 0.69}},
		"dev20.jsonl": {"rules": {0.95, 0.84}, "tagger": {0.94, 0.45}, "both": {0.97, 0.77}},
		"dev21.jsonl": {"rules": {0.94, 0.82}, "tagger": {0.98, 0.43}, "both": {0.96, 0.66}},
		// dev22-dev23 (2026-12-06, fifth session): the same
		"dev22.jsonl": {"rules": {0.95, 0.83}, "tagger": {0.96, 0.35}, "both": {0.97, 0.68}},
		"dev23.jsonl": {"rules": {0.93, 0.87}, "tagger": {0.95, 0.38}, "both": {0.96, 0.70}},
		// dev24-dev25 (2026-12-06, sixth session): the same
		"dev24.jsonl": {"rules": {0.96, 0.90}, "tagger": {0.91, 0.53}, "both": {0.96, 0.84}},
		"dev25.jsonl": {"rules": {0.94, 0.89}, "tagger": {0.95, 0.42}, "both": {0.98, 0.83}},
		// dev26-dev27 (2026-12-06, seventh session): the same; dev27 (neuro
		// ICU) at first contact read 0.934 / 0.495 for rules + tagger
		"dev26.jsonl": {"rules": {0.91, 0.88}, "tagger": {0.92, 0.35}, "both": {0.97, 0.77}},
		"dev27.jsonl": {"rules": {0.91, 0.67}, "tagger": {0.81, 0.21}, "both": {0.92, 0.48}},
		// dev28-dev29 (2026-12-06, eighth session): the same; at first
		// contact dev28 (medical ICU and respiratory therapy) read 0.988 /
		// 0.801 and dev29 (surgical, burn and transplant ICU) 1.000 / 0.497
		// for rules + tagger
		"dev28.jsonl": {"rules": {0.97, 0.86}, "tagger": {0.97, 0.36}, "both": {0.98, 0.78}},
		"dev29.jsonl": {"rules": {0.97, 0.62}, "tagger": {0.93, 0.26}, "both": {0.99, 0.47}},
		// dev30-dev35 (2026-12-06, ninth session): the same; first contact,
		// rules + tagger, before any tuning on them: dev30 (coronary care)
		// 0.959 / 0.715, dev31 (medical ICU) 0.980 / 0.824, dev32 (neuro ICU)
		// 0.960 / 0.674, dev33 (community ICU) 0.990 / 0.779, dev34 (NICU)
		// 1.000 / 0.555, dev35 (trauma ICU) 0.964 / 0.761. The tagger alone
		// reads near 1.0 on them because it learns from them since this
		// session: its floors are set well below.
		"dev30.jsonl": {"rules": {0.99, 0.91}, "tagger": {0.95, 0.85}, "both": {0.99, 0.90}},
		"dev31.jsonl": {"rules": {0.90, 0.93}, "tagger": {0.95, 0.85}, "both": {0.99, 0.93}},
		"dev32.jsonl": {"rules": {0.95, 0.92}, "tagger": {0.95, 0.80}, "both": {0.96, 0.92}}, // tagger precision 0.85 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev33.jsonl": {"rules": {0.96, 0.84}, "tagger": {0.95, 0.85}, "both": {0.99, 0.84}},
		"dev34.jsonl": {"rules": {0.96, 0.74}, "tagger": {0.95, 0.83}, "both": {0.99, 0.74}}, // tagger precision 0.85 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev35.jsonl": {"rules": {0.95, 0.96}, "tagger": {0.95, 0.85}, "both": {0.99, 0.96}},
		// dev36-dev38 (2026-12-06, tenth session): the same; first contact,
		// rules + tagger: dev36 (medical ICU) 0.986 / 0.831, dev37 (cardiac
		// surgery recovery) 0.960 / 0.756, dev38 (night shifts) 0.989 /
		// 0.827. The tagger has not learnt from them.
		"dev36.jsonl": {"rules": {0.93, 0.92}, "tagger": {0.95, 0.60}, "both": {0.98, 0.86}},
		"dev37.jsonl": {"rules": {0.95, 0.96}, "tagger": {0.93, 0.63}, "both": {0.95, 0.88}},
		"dev38.jsonl": {"rules": {0.95, 0.95}, "tagger": {0.95, 0.68}, "both": {0.98, 0.90}},
		// dev39-dev41 (2026-12-06, eleventh session): the same; first
		// contact, rules + tagger (2f72c5a): dev39 (neuro ICU) 1.000 /
		// 0.835, dev40 (trauma and surgical ICU) 0.993 / 0.771, dev41
		// (medical ICU and CCU) 0.991 / 0.824. The tagger has not learnt
		// from them.
		"dev39.jsonl": {"rules": {0.98, 0.95}, "tagger": {0.95, 0.53}, "both": {0.98, 0.93}},
		"dev40.jsonl": {"rules": {0.94, 0.87}, "tagger": {0.93, 0.49}, "both": {0.97, 0.85}},
		"dev41.jsonl": {"rules": {0.95, 0.88}, "tagger": {0.94, 0.69}, "both": {0.98, 0.87}},
		// dev42-dev44 (2026-12-06, twelfth session): the same; first
		// contact, rules + tagger (f8e61d6): dev42 (cardiac surgery
		// recovery) 1.000 / 0.827, dev43 (medical ICU nights) 1.000 /
		// 0.823, dev44 (ICU, step-down, case management) 0.989 / 0.897.
		// The tagger has not learnt from them.
		"dev42.jsonl": {"rules": {0.98, 0.92}, "tagger": {0.95, 0.55}, "both": {0.98, 0.91}},
		"dev43.jsonl": {"rules": {0.97, 0.88}, "tagger": {0.94, 0.72}, "both": {0.98, 0.85}},
		"dev44.jsonl": {"rules": {0.98, 0.93}, "tagger": {0.95, 0.75}, "both": {0.98, 0.92}},
		// dev45-dev47 (2026-12-06, thirteenth session): the same; first
		// contact, rules + tagger (cf86b55): dev45 (neuro ICU and stroke)
		// 1.000 / 0.862, dev46 (surgical, trauma and burn ICU) 1.000 /
		// 0.748, dev47 (medical ICU and telemetry) 1.000 / 0.858.
		"dev45.jsonl": {"rules": {0.97, 0.97}, "tagger": {0.95, 0.55}, "both": {0.98, 0.90}},
		"dev46.jsonl": {"rules": {0.98, 0.93}, "tagger": {0.95, 0.55}, "both": {0.98, 0.86}},
		"dev47.jsonl": {"rules": {0.97, 0.92}, "tagger": {0.95, 0.70}, "both": {0.98, 0.89}},
		// dev48-dev50 (2026-12-06, fourteenth session): the same; first
		// contact, rules + tagger (74aa3a4): dev48 (cardiac surgery and
		// CVICU) 1.000 / 0.861, dev49 (trach and vent weaning) 1.000 /
		// 0.809, dev50 (oncology ICU and palliative care) 0.976 / 0.552.
		"dev48.jsonl": {"rules": {0.95, 0.97}, "tagger": {0.95, 0.60}, "both": {0.98, 0.97}},
		"dev49.jsonl": {"rules": {0.98, 0.93}, "tagger": {0.96, 0.60}, "both": {0.98, 0.91}},
		"dev50.jsonl": {"rules": {0.95, 0.96}, "tagger": {0.93, 0.25}, "both": {0.97, 0.94}},
		// dev51-dev53 (2026-12-06, fifteenth session): the same; first
		// contact, rules + tagger (f8a235a): dev51 (neonatal ICU) 0.982 /
		// 0.639, dev52 (renal and liver ICU) 0.992 / 0.732, dev53
		// (respiratory therapy and ventilators) 1.000 / 0.794.
		"dev51.jsonl": {"rules": {0.97, 0.90}, "tagger": {0.89, 0.38}, "both": {0.98, 0.78}},
		"dev52.jsonl": {"rules": {0.95, 0.94}, "tagger": {0.90, 0.50}, "both": {0.98, 0.90}},
		"dev53.jsonl": {"rules": {0.98, 0.90}, "tagger": {0.93, 0.55}, "both": {0.98, 0.85}},
		// dev54-dev56 (2026-12-06, sixteenth session): the same; first
		// contact, rules + tagger (2f3e7bc): dev54 (step-down, telemetry and
		// ED boarders) 1.000 / 0.814, dev55 (surgical ICU) 1.000 / 0.870,
		// dev56 (goals of care and end of life) 1.000 / 0.872.
		"dev54.jsonl": {"rules": {0.96, 0.90}, "tagger": {0.96, 0.60}, "both": {0.98, 0.82}},
		"dev55.jsonl": {"rules": {0.96, 0.97}, "tagger": {0.97, 0.58}, "both": {0.98, 0.95}},
		"dev56.jsonl": {"rules": {0.98, 0.91}, "tagger": {0.97, 0.58}, "both": {0.98, 0.88}},
		// dev57-dev59 (2026-12-06, seventeenth session): the same; first
		// contact, rules + tagger (3b84de2): dev57 (pediatric ICU, Puerto
		// Rico) 1.000 / 0.480, dev58 (overdoses, poisonings and withdrawal)
		// 1.000 / 0.725, dev59 (obstetric and postpartum ICU) 0.977 / 0.577.
		"dev57.jsonl": {"rules": {0.98, 0.77}, "tagger": {0.95, 0.29}, "both": {0.99, 0.65}},
		"dev58.jsonl": {"rules": {0.97, 0.89}, "tagger": {0.95, 0.46}, "both": {0.99, 0.81}},
		"dev59.jsonl": {"rules": {0.96, 0.78}, "tagger": {0.92, 0.38}, "both": {0.97, 0.77}},
		// dev60-dev62 (2026-12-06, eighteenth session): the same; first
		// contact, rules + tagger (081ea73): dev60 (transplant ICU) 1.000 /
		// 0.848, dev61 (sepsis and septic shock) 0.980 / 0.817, dev62
		// (discharge summaries, reports and phone messages) 1.000 / 0.708
		// on its gold with four weekdays marked after merging (0.669 on
		// the writer's).
		"dev60.jsonl": {"rules": {0.93, 0.89}, "tagger": {0.98, 0.47}, "both": {0.99, 0.83}},
		"dev61.jsonl": {"rules": {0.93, 0.92}, "tagger": {0.96, 0.55}, "both": {0.97, 0.80}},
		"dev62.jsonl": {"rules": {0.97, 0.71}, "tagger": {0.93, 0.43}, "both": {0.99, 0.65}},
		// dev63-dev65 (2026-12-06, nineteenth session): the same; first
		// contact, rules + tagger (cbd4444): dev63 (cardiac surgery
		// recovery) 0.995 / 0.900, dev64 (delirium, geriatric and
		// psychiatric-medical ICU) 1.000 / 0.638 (0.645 once a second
		// mention of a daughter's name was marked in its gold), dev65
		// (discharge summaries, reports and phone messages) 0.992 / 0.767.
		"dev63.jsonl": {"rules": {0.99, 0.90}, "tagger": {0.90, 0.68}, "both": {0.99, 0.89}},
		"dev64.jsonl": {"rules": {0.96, 0.84}, "tagger": {0.95, 0.43}, "both": {0.99, 0.81}},
		"dev65.jsonl": {"rules": {0.98, 0.90}, "tagger": {0.95, 0.48}, "both": {0.98, 0.75}},
		// dev66-dev68 (2026-12-06, twentieth session): the same; first
		// contact, rules + tagger (f983474): dev66 (neurosurgical and
		// stroke ICU) 0.972 / 0.826 on its gold with a town marked after
		// merging (0.971 / 0.806 on the writer's), dev67 (GI bleed and hepatology)
		// 1.000 / 0.678 on its gold with two weekdays marked after merging
		// (0.658 on the writer's), dev68 (long-term ventilation, ECMO and
		// LTACH) 1.000 / 0.808.
		"dev66.jsonl": {"rules": {0.94, 0.90}, "tagger": {0.97, 0.53}, "both": {0.97, 0.80}},
		"dev67.jsonl": {"rules": {0.98, 0.88}, "tagger": {0.98, 0.54}, "both": {0.99, 0.67}},
		"dev68.jsonl": {"rules": {0.97, 0.94}, "tagger": {0.98, 0.54}, "both": {0.99, 0.80}},
		// dev69-dev71 (2026-12-06, twenty-first session): the same; first
		// contact, rules + tagger (b304bb0): dev69 (pulmonary ICU) 0.967 /
		// 0.719, dev70 (oncology, hematology and transplant ICU) 0.977 /
		// 0.532 on its gold with a weekday marked after merging (0.529 on
		// the writer's), dev71 (trauma orthopedic and vascular surgery)
		// 1.000 / 0.703.
		"dev69.jsonl": {"rules": {0.95, 0.85}, "tagger": {0.97, 0.49}, "both": {0.96, 0.71}},
		"dev70.jsonl": {"rules": {0.95, 0.77}, "tagger": {0.95, 0.17}, "both": {0.97, 0.53}},
		"dev71.jsonl": {"rules": {0.99, 0.87}, "tagger": {0.96, 0.47}, "both": {0.99, 0.70}},
		// dev72-dev74 (2026-12-06, twenty-second session): the same; first
		// contact, rules + tagger (71b3f01): dev72 (burn ICU and burn
		// rehab) 0.986 / 0.618, dev73 (acute pancreatitis and GI surgery)
		// 0.985 / 0.846, dev74 (pediatric cardiac ICU) 0.975 / 0.560.
		"dev72.jsonl": {"rules": {0.97, 0.76}, "tagger": {0.93, 0.42}, "both": {0.98, 0.61}},
		"dev73.jsonl": {"rules": {0.93, 0.91}, "tagger": {0.91, 0.58}, "both": {0.98, 0.84}},
		"dev74.jsonl": {"rules": {0.92, 0.73}, "tagger": {0.94, 0.30}, "both": {0.97, 0.55}},
		// dev75-dev77 (2026-12-06, twenty-third session): the same; first
		// contact, rules + tagger (9156a24, on the golds as merged: each
		// with one weekday, date or town the writer left unmarked):
		// dev75 (head and neck surgery ICU) 0.975 / 0.528, dev76 (medical
		// ICU with psychiatry consults) 1.000 / 0.649, dev77 (vascular
		// surgery ICU) 1.000 / 0.705.
		"dev75.jsonl": {"rules": {0.96, 0.73}, "tagger": {0.89, 0.30}, "both": {0.97, 0.52}},
		"dev76.jsonl": {"rules": {0.95, 0.83}, "tagger": {0.99, 0.39}, "both": {0.99, 0.64}},
		"dev77.jsonl": {"rules": {0.99, 0.81}, "tagger": {0.96, 0.37}, "both": {0.99, 0.70}},
		// dev78-dev80 (2026-12-06, twenty-fourth session): the same; first
		// contact, rules + tagger (d749b4d, on the golds as merged: dev78
		// with four dates the writer left unmarked, dev79 with one):
		// dev78 (obstetric ICU and high-risk labor and delivery) 0.989 /
		// 0.455, dev79 (liver and kidney transplant) 0.979 / 0.634, dev80
		// (rural critical-access hospital, swing beds and hospice) 0.990 /
		// 0.741.
		"dev78.jsonl": {"rules": {0.98, 0.60}, "tagger": {0.95, 0.25}, "both": {0.98, 0.45}},
		"dev79.jsonl": {"rules": {0.97, 0.77}, "tagger": {0.93, 0.35}, "both": {0.97, 0.63}},
		"dev80.jsonl": {"rules": {0.97, 0.84}, "tagger": {0.94, 0.49}, "both": {0.99, 0.74}},
		// dev81-dev83 (2026-12-07, twenty-fifth session): the same; first
		// contact, rules + tagger (e020c46, on the golds as mended: dev83
		// with one weekday and dev82 with one age over 89 the writers left
		// unmarked): dev81 (neonatal ICU and transport) 0.970 / 0.738,
		// dev82 (level-1 trauma ICU and emergency department) 1.000 /
		// 0.790, dev83 (cardiac surgery step-down and outpatient dialysis)
		// 1.000 / 0.640.
		"dev81.jsonl": {"rules": {0.93, 0.86}, "tagger": {0.94, 0.59}, "both": {0.96, 0.73}},
		"dev82.jsonl": {"rules": {0.98, 0.87}, "tagger": {0.95, 0.55}, "both": {0.99, 0.78}},
		"dev83.jsonl": {"rules": {0.97, 0.80}, "tagger": {0.94, 0.45}, "both": {0.99, 0.63}},
		// dev84-dev86 (2026-12-07, twenty-sixth session): the same; first
		// contact, rules + tagger (aa3ad20): dev84 (geriatric psychiatry and
		// medical ICU of the elderly) 1.000 / 0.610, dev85 (burn unit and burn
		// ICU) 0.989 / 0.695, dev86 (stroke unit and addiction/withdrawal ICU)
		// 1.000 / 0.734.
		"dev84.jsonl": {"rules": {0.98, 0.79}, "tagger": {0.94, 0.31}, "both": {0.99, 0.60}},
		"dev85.jsonl": {"rules": {0.93, 0.78}, "tagger": {0.95, 0.41}, "both": {0.98, 0.68}},
		"dev86.jsonl": {"rules": {0.98, 0.85}, "tagger": {0.89, 0.41}, "both": {0.99, 0.72}},
		// dev87-dev89 (2026-12-07, twenty-seventh session): the same; first
		// contact, rules + tagger (63356b9): dev87 (pediatric oncology and
		// pediatric ICU) 0.991 / 0.494, dev88 (bariatric and general surgery)
		// 1.000 / 0.696, dev89 (heart failure, LVAD and cardiac ICU) 0.975 /
		// 0.802.
		"dev87.jsonl": {"rules": {0.99, 0.64}, "tagger": {0.89, 0.18}, "both": {0.99, 0.49}},
		"dev88.jsonl": {"rules": {0.98, 0.82}, "tagger": {0.97, 0.56}, "both": {0.99, 0.69}},
		"dev89.jsonl": {"rules": {0.97, 0.87}, "tagger": {0.92, 0.56}, "both": {0.97, 0.80}},
		// dev90-dev92 (the same session, a second round): first contact,
		// rules + tagger (99f372e): dev90 (neuro ICU and epilepsy
		// monitoring) 0.984 / 0.616, dev91 (sepsis and infectious-disease
		// ICU) 0.993 / 0.596, dev92 (toxicology and overdose, ED and MICU)
		// 0.989 / 0.733.
		"dev90.jsonl": {"rules": {0.98, 0.71}, "tagger": {0.96, 0.40}, "both": {0.98, 0.61}},
		"dev91.jsonl": {"rules": {0.99, 0.84}, "tagger": {0.95, 0.35}, "both": {0.99, 0.59}},
		"dev92.jsonl": {"rules": {0.96, 0.91}, "tagger": {0.96, 0.39}, "both": {0.98, 0.73}},
		// dev93-dev95 (2026-12-07, twenty-eighth session): first contact,
		// rules + tagger (324bef4): dev93 (renal ICU and nephrology) 0.973 /
		// 0.686, dev94 (hematology and sickle cell) 1.000 / 0.507, dev95
		// (pediatric airway and ENT) 0.984 / 0.412.
		"dev93.jsonl": {"rules": {0.94, 0.88}, "tagger": {0.92, 0.39}, "both": {0.97, 0.68}},
		"dev94.jsonl": {"rules": {0.99, 0.74}, "tagger": {0.95, 0.28}, "both": {0.99, 0.50}},
		"dev95.jsonl": {"rules": {0.98, 0.64}, "tagger": {0.98, 0.24}, "both": {0.98, 0.41}},
		// dev96-dev98 (the same session, a second round): first contact,
		// rules + tagger (b960ab7): dev96 (endocrine and metabolic ICU)
		// 0.994 / 0.599, dev97 (post-cardiac-arrest ICU) 1.000 / 0.646,
		// dev98 (neuromuscular respiratory failure) 1.000 / 0.582 (on the
		// mended gold: MPLS marked).
		"dev96.jsonl": {"rules": {0.98, 0.80}, "tagger": {0.94, 0.29}, "both": {0.99, 0.59}},
		"dev97.jsonl": {"rules": {0.96, 0.88}, "tagger": {0.97, 0.38}, "both": {0.99, 0.64}},
		"dev98.jsonl": {"rules": {0.98, 0.71}, "tagger": {0.95, 0.40}, "both": {0.99, 0.58}},
		// dev99-dev101 (2026-12-07, twenty-ninth session): first contact,
		// rules + tagger (d84e361): dev99 (pediatric burn and trauma) 0.960
		// / 0.546, dev100 (toxicology and poisoning) 0.967 / 0.569, dev101
		// (lung transplant) 0.967 / 0.536.
		"dev99.jsonl":  {"rules": {0.93, 0.67}, "tagger": {0.90, 0.31}, "both": {0.95, 0.54}},
		"dev100.jsonl": {"rules": {0.94, 0.74}, "tagger": {0.94, 0.33}, "both": {0.96, 0.56}},
		"dev101.jsonl": {"rules": {0.94, 0.71}, "tagger": {0.93, 0.24}, "both": {0.96, 0.53}},
		// dev102-dev104 (the same session, a second round): first contact,
		// rules + tagger (ef7c2ba): dev102 (adult burn and plastics) 0.977 /
		// 0.646 (on the mended gold: two weekdays marked), dev103 (psychiatric-medical ICU) 0.963 / 0.644, dev104
		// (pediatric cardiac ICU) 1.000 / 0.548.
		"dev102.jsonl": {"rules": {0.96, 0.81}, "tagger": {0.98, 0.36}, "both": {0.97, 0.64}},
		"dev103.jsonl": {"rules": {0.94, 0.87}, "tagger": {0.94, 0.30}, "both": {0.96, 0.64}},
		"dev104.jsonl": {"rules": {0.99, 0.75}, "tagger": {0.95, 0.24}, "both": {0.99, 0.54}},
		// dev105-dev107 (thirtieth session, first round): first contact,
		// rules + tagger (2f9c997): dev105 (liver ICU) 0.998 / 0.689, dev106
		// (obstetric ICU) 0.988 / 0.651, dev107 (geriatric ICU) 0.993 / 0.777
		// on the mended gold (ages of 90 and over and three towns marked;
		// 0.993 / 0.691 before).
		"dev105.jsonl": {"rules": {0.97, 0.86}, "tagger": {0.96, 0.39}, "both": {0.99, 0.68}},
		"dev106.jsonl": {"rules": {0.98, 0.81}, "tagger": {0.93, 0.27}, "both": {0.98, 0.65}},
		"dev107.jsonl": {"rules": {0.97, 0.92}, "tagger": {0.89, 0.44}, "both": {0.99, 0.77}},
		// dev108-dev110 (the same session, a second round): first contact,
		// rules + tagger (6ffa718): dev108 (neurotrauma ICU) 0.994 / 0.725,
		// dev109 (oncology ICU) 1.000 / 0.596, dev110 (bariatric surgery)
		// 1.000 / 0.705.
		"dev108.jsonl": {"rules": {0.95, 0.80}, "tagger": {0.93, 0.45}, "both": {0.99, 0.72}},
		"dev109.jsonl": {"rules": {0.98, 0.79}, "tagger": {0.95, 0.19}, "both": {0.99, 0.59}},
		"dev110.jsonl": {"rules": {0.96, 0.80}, "tagger": {0.97, 0.39}, "both": {0.99, 0.70}},
		// dev111-dev116 (the thirty-first session): first contact, rules +
		// tagger (b44e0c9; dev112, dev113 and dev115 on their mended golds):
		// dev111 (cardiac surgery ICU) 1.000 / 0.747, dev112 (NICU) 1.000 /
		// 0.691, dev113 (stroke unit) 1.000 / 0.742, dev114 (kidney
		// transplant) 0.995 / 0.584, dev115 (orthopedic trauma) 1.000 /
		// 0.665, dev116 (pediatric neurology) 1.000 / 0.553.
		"dev111.jsonl": {"rules": {0.98, 0.80}, "tagger": {0.99, 0.53}, "both": {0.99, 0.74}},
		"dev112.jsonl": {"rules": {0.98, 0.81}, "tagger": {0.95, 0.44}, "both": {0.99, 0.69}},
		"dev113.jsonl": {"rules": {0.98, 0.79}, "tagger": {0.96, 0.51}, "both": {0.99, 0.74}}, // tagger recall 0.99 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev114.jsonl": {"rules": {0.99, 0.80}, "tagger": {0.98, 0.28}, "both": {0.99, 0.58}}, // tagger recall 0.99 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev115.jsonl": {"rules": {0.97, 0.81}, "tagger": {0.95, 0.41}, "both": {0.99, 0.66}},
		"dev116.jsonl": {"rules": {0.98, 0.75}, "tagger": {0.95, 0.28}, "both": {0.99, 0.55}},
		// dev117-dev119 (the same session, a second round): first contact,
		// rules + tagger (f2ad584; dev117 on its mended gold): dev117 (burn
		// rehab) 1.000 / 0.770, dev118 (medical ICU) 0.961 / 0.771, dev119
		// (heart failure step-down) 0.998 / 0.667.
		"dev117.jsonl":   {"rules": {0.99, 0.86}, "tagger": {0.94, 0.33}, "both": {0.99, 0.76}},
		"dev118.jsonl":   {"rules": {0.94, 0.90}, "tagger": {0.91, 0.51}, "both": {0.96, 0.77}},
		"dev119.jsonl":   {"rules": {0.97, 0.80}, "tagger": {0.94, 0.39}, "both": {0.99, 0.66}},
		"dev120.jsonl":   {"rules": {0.96, 0.72}, "tagger": {0.96, 0.17}, "both": {0.98, 0.48}},
		"dev121.jsonl":   {"rules": {0.97, 0.86}, "tagger": {0.93, 0.38}, "both": {0.97, 0.72}},
		"dev122.jsonl":   {"rules": {0.96, 0.72}, "tagger": {0.94, 0.16}, "both": {0.96, 0.54}},
		"dev123.jsonl":   {"rules": {1.00, 0.87}, "tagger": {0.97, 0.40}, "both": {1.00, 0.70}},
		"dev124.jsonl":   {"rules": {0.96, 0.84}, "tagger": {0.95, 0.26}, "both": {0.98, 0.63}},
		"dev125.jsonl":   {"rules": {0.95, 0.84}, "tagger": {0.95, 0.24}, "both": {0.97, 0.53}},
		"dev126.jsonl":   {"rules": {0.95, 0.71}, "tagger": {0.93, 0.28}, "both": {0.95, 0.56}},
		"dev127.jsonl":   {"rules": {1.00, 0.74}, "tagger": {0.92, 0.30}, "both": {1.00, 0.57}},
		"dev128.jsonl":   {"rules": {0.93, 0.68}, "tagger": {0.91, 0.22}, "both": {0.97, 0.53}},
		"dev129.jsonl":   {"rules": {0.98, 0.85}, "tagger": {0.98, 0.40}, "both": {0.98, 0.69}},
		"dev130.jsonl":   {"rules": {0.97, 0.78}, "tagger": {0.98, 0.39}, "both": {0.97, 0.61}},
		"dev131.jsonl":   {"rules": {0.94, 0.96}, "tagger": {0.89, 0.49}, "both": {0.97, 0.93}},
		"dev132.jsonl":   {"rules": {0.90, 0.68}, "tagger": {0.92, 0.25}, "both": {0.96, 0.51}},
		"dev133.jsonl":   {"rules": {0.96, 0.78}, "tagger": {0.91, 0.33}, "both": {0.96, 0.67}},
		"dev134.jsonl":   {"rules": {0.96, 0.61}, "tagger": {0.91, 0.22}, "both": {0.96, 0.43}},
		"dev135.jsonl":   {"rules": {0.97, 0.69}, "tagger": {0.96, 0.29}, "both": {0.97, 0.53}},
		"dev136.jsonl":   {"rules": {0.94, 0.54}, "tagger": {0.89, 0.19}, "both": {1.00, 0.40}},
		"dev137.jsonl":   {"rules": {0.93, 0.59}, "tagger": {0.94, 0.21}, "both": {0.97, 0.39}},
		"dev138.jsonl":   {"rules": {0.89, 0.54}, "tagger": {0.92, 0.17}, "both": {0.92, 0.31}},
		"dev139.jsonl":   {"rules": {0.98, 0.58}, "tagger": {0.94, 0.14}, "both": {0.98, 0.36}},
		"dev140.jsonl":   {"rules": {0.93, 0.61}, "tagger": {0.91, 0.14}, "both": {0.95, 0.35}},
		"dev141.jsonl":   {"rules": {0.98, 0.41}, "tagger": {0.98, 0.10}, "both": {0.99, 0.19}},
		"dev142.jsonl":   {"rules": {0.94, 0.47}, "tagger": {0.93, 0.15}, "both": {1.00, 0.29}},
		"dev143.jsonl":   {"rules": {0.95, 0.48}, "tagger": {0.91, 0.13}, "both": {0.97, 0.25}},
		"dev144.jsonl":   {"rules": {1.00, 0.85}, "tagger": {0.95, 0.67}, "both": {1.00, 0.80}},
		"dev145.jsonl":   {"rules": {0.98, 0.73}, "tagger": {0.95, 0.23}, "both": {0.98, 0.56}},
		"dev146.jsonl":   {"rules": {1.00, 0.69}, "tagger": {0.94, 0.27}, "both": {1.00, 0.51}},
		"dev147.jsonl":   {"rules": {0.97, 0.63}, "tagger": {0.95, 0.25}, "both": {1.00, 0.45}},
		"dev148.jsonl":   {"rules": {1.00, 0.74}, "tagger": {0.96, 0.25}, "both": {1.00, 0.61}},
		"dev149.jsonl":   {"rules": {0.95, 0.36}, "tagger": {0.94, 0.10}, "both": {0.97, 0.19}},
		"dev150.jsonl":   {"rules": {0.90, 0.90}, "tagger": {0.90, 0.64}, "both": {0.97, 0.85}},
		"dev151.jsonl":   {"rules": {0.96, 0.75}, "tagger": {0.97, 0.20}, "both": {0.98, 0.55}},
		"dev152.jsonl":   {"rules": {0.98, 0.51}, "tagger": {0.96, 0.13}, "both": {1.00, 0.26}},
		"dev153.jsonl":   {"rules": {0.94, 0.60}, "tagger": {0.91, 0.17}, "both": {0.98, 0.38}},
		"dev154.jsonl":   {"rules": {0.99, 0.65}, "tagger": {0.95, 0.29}, "both": {0.99, 0.51}},
		"dev155.jsonl":   {"rules": {0.98, 0.73}, "tagger": {0.97, 0.22}, "both": {1.00, 0.51}},
		"dev156.jsonl":   {"rules": {0.97, 0.91}, "tagger": {0.94, 0.59}, "both": {1.00, 0.78}},
		"dev157.jsonl":   {"rules": {1.00, 0.74}, "tagger": {0.98, 0.23}, "both": {1.00, 0.56}},
		"dev158.jsonl":   {"rules": {1.00, 0.72}, "tagger": {0.96, 0.23}, "both": {1.00, 0.52}},
		"dev159.jsonl":   {"rules": {0.96, 0.63}, "tagger": {0.95, 0.20}, "both": {0.98, 0.48}},
		"dev160.jsonl":   {"rules": {0.96, 0.79}, "tagger": {0.96, 0.26}, "both": {0.99, 0.64}},
		"dev161.jsonl":   {"rules": {0.98, 0.78}, "tagger": {0.89, 0.35}, "both": {1.00, 0.62}},
		"dev162.jsonl":   {"rules": {0.97, 0.48}, "tagger": {0.89, 0.11}, "both": {0.99, 0.29}},
		"dev163.jsonl":   {"rules": {0.96, 0.45}, "tagger": {0.96, 0.12}, "both": {0.98, 0.27}},
		"dev164.jsonl":   {"rules": {0.94, 0.89}, "tagger": {0.97, 0.65}, "both": {0.97, 0.85}},
		"dev165.jsonl":   {"rules": {0.96, 0.79}, "tagger": {0.84, 0.18}, "both": {0.96, 0.55}},
		"dev166.jsonl":   {"rules": {0.94, 0.47}, "tagger": {0.83, 0.14}, "both": {0.95, 0.29}},
		"dev167.jsonl":   {"rules": {0.94, 0.67}, "tagger": {0.92, 0.19}, "both": {0.97, 0.46}},
		"frozen59.jsonl": {"rules": {0.97, 0.88}, "tagger": {0.95, 0.38}, "both": {0.98, 0.69}}, // both recall 0.99 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"frozen60.jsonl": {"rules": {0.99, 0.93}, "tagger": {0.98, 0.59}, "both": {1.00, 0.89}},
		"dev168.jsonl":   {"rules": {0.97, 0.53}, "tagger": {0.96, 0.17}, "both": {1.00, 0.40}},
		"dev169.jsonl":   {"rules": {0.93, 0.55}, "tagger": {0.95, 0.11}, "both": {0.96, 0.32}},
		"dev170.jsonl":   {"rules": {0.95, 0.52}, "tagger": {0.91, 0.13}, "both": {0.95, 0.33}},
		"dev171.jsonl":   {"rules": {0.98, 0.95}, "tagger": {0.94, 0.60}, "both": {1.00, 0.88}}, // both precision 0.89 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev172.jsonl":   {"rules": {0.97, 0.54}, "tagger": {0.93, 0.16}, "both": {0.99, 0.39}},
		"dev173.jsonl":   {"rules": {0.98, 0.57}, "tagger": {0.92, 0.18}, "both": {0.99, 0.42}},
		"frozen61.jsonl": {"rules": {0.96, 0.92}, "tagger": {0.94, 0.52}, "both": {0.98, 0.84}}, // tagger recall 0.96 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"frozen62.jsonl": {"rules": {0.94, 0.87}, "tagger": {0.98, 0.69}, "both": {0.98, 0.85}}, // both precision 0.86 with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev174.jsonl":   {"rules": {0.98, 0.57}, "tagger": {0.92, 0.11}, "both": {0.98, 0.33}},
		"dev175.jsonl":   {"rules": {0.96, 0.56}, "tagger": {0.92, 0.16}, "both": {1.00, 0.37}},
		"dev176.jsonl":   {"rules": {0.96, 0.50}, "tagger": {0.92, 0.15}, "both": {0.97, 0.33}},
		"dev177.jsonl":   {"rules": {0.98, 0.88}, "tagger": {0.95, 0.46}, "both": {0.98, 0.78}},
		"dev178.jsonl":   {"rules": {0.99, 0.56}, "tagger": {0.96, 0.09}, "both": {0.99, 0.25}},
		"dev179.jsonl":   {"rules": {0.94, 0.44}, "tagger": {0.89, 0.11}, "both": {0.97, 0.27}},
		"frozen63.jsonl": {"rules": {0.97, 0.88}, "tagger": {0.97, 0.41}, "both": {0.99, 0.79}},
		"frozen64.jsonl": {"rules": {1.00, 0.92}, "tagger": {0.95, 0.67}, "both": {1.00, 0.87}},
		"dev180.jsonl":   {"rules": {0.99, 0.53}, "tagger": {0.91, 0.10}, "both": {0.99, 0.26}},
		"dev181.jsonl":   {"rules": {0.99, 0.70}, "tagger": {0.93, 0.22}, "both": {1.00, 0.53}}, // tagger recall 0.97 at first contact, with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev182.jsonl":   {"rules": {0.99, 0.64}, "tagger": {0.95, 0.26}, "both": {0.99, 0.49}},
		"dev183.jsonl":   {"rules": {0.96, 0.71}, "tagger": {0.91, 0.24}, "both": {0.97, 0.56}},
		"dev184.jsonl":   {"rules": {0.95, 0.70}, "tagger": {0.91, 0.25}, "both": {0.96, 0.49}}, // tagger recall 0.93 at first contact, with the ninth session's model (docs/deid.md, thirty-sixth session)
		"dev185.jsonl":   {"rules": {0.97, 0.88}, "tagger": {0.95, 0.59}, "both": {0.97, 0.81}},
		"frozen65.jsonl": {"rules": {1.00, 0.92}, "tagger": {0.95, 0.61}, "both": {1.00, 0.89}},
		"frozen66.jsonl": {"rules": {1.00, 0.91}, "tagger": {0.95, 0.60}, "both": {1.00, 0.85}},
		"dev186.jsonl":   {"rules": {0.97, 0.95}, "tagger": {0.96, 0.88}, "both": {1.00, 0.95}},
		"dev187.jsonl":   {"rules": {0.91, 0.38}, "tagger": {0.89, 0.17}, "both": {0.94, 0.24}},
		"dev188.jsonl":   {"rules": {0.97, 0.76}, "tagger": {0.95, 0.51}, "both": {1.00, 0.67}},
		"dev189.jsonl":   {"rules": {0.94, 0.86}, "tagger": {0.97, 0.82}, "both": {1.00, 0.86}},
		"dev190.jsonl":   {"rules": {0.94, 0.52}, "tagger": {0.95, 0.42}, "both": {0.98, 0.47}},
		"dev191.jsonl":   {"rules": {0.87, 0.77}, "tagger": {0.94, 0.52}, "both": {0.94, 0.66}},
		"frozen67.jsonl": {"rules": {1.00, 0.91}, "tagger": {0.97, 0.68}, "both": {1.00, 0.82}},
		"frozen68.jsonl": {"rules": {0.96, 0.83}, "tagger": {0.93, 0.80}, "both": {0.96, 0.81}},
		"dev192.jsonl":   {"rules": {0.99, 0.96}, "tagger": {0.97, 0.92}, "both": {0.99, 0.96}},
		"dev193.jsonl":   {"rules": {0.94, 0.80}, "tagger": {0.93, 0.60}, "both": {0.97, 0.71}},
		"dev194.jsonl":   {"rules": {1.00, 0.82}, "tagger": {0.98, 0.56}, "both": {1.00, 0.66}},
		"dev195.jsonl":   {"rules": {0.98, 0.78}, "tagger": {0.99, 0.69}, "both": {1.00, 0.71}},
		"dev196.jsonl":   {"rules": {0.98, 0.95}, "tagger": {0.96, 0.77}, "both": {0.98, 0.91}},
		"dev197.jsonl":   {"rules": {0.96, 0.92}, "tagger": {0.97, 0.79}, "both": {0.96, 0.86}},
		"frozen69.jsonl": {"rules": {1.00, 0.95}, "tagger": {0.98, 0.75}, "both": {1.00, 0.87}},
		"frozen70.jsonl": {"rules": {0.97, 0.92}, "tagger": {0.93, 0.75}, "both": {0.97, 0.83}},
		"dev198.jsonl":   {"rules": {0.96, 0.87}, "tagger": {0.97, 0.69}, "both": {0.97, 0.76}},
		"dev199.jsonl":   {"rules": {0.97, 0.77}, "tagger": {0.96, 0.58}, "both": {1.00, 0.75}},
		"dev200.jsonl":   {"rules": {0.99, 0.86}, "tagger": {0.97, 0.73}, "both": {0.99, 0.84}},
		"dev201.jsonl":   {"rules": {0.96, 0.92}, "tagger": {0.94, 0.80}, "both": {0.98, 0.87}},
		"dev202.jsonl":   {"rules": {0.96, 0.69}, "tagger": {0.93, 0.48}, "both": {0.97, 0.61}},
		"dev203.jsonl":   {"rules": {0.97, 0.84}, "tagger": {1.00, 0.72}, "both": {0.98, 0.75}},
		"frozen71.jsonl": {"rules": {0.98, 0.94}, "tagger": {0.96, 0.85}, "both": {0.98, 0.94}},
		"frozen72.jsonl": {"rules": {0.91, 0.92}, "tagger": {0.97, 0.76}, "both": {0.97, 0.84}},
		"dev204.jsonl":   {"rules": {0.96, 0.88}, "tagger": {0.96, 0.71}, "both": {1.00, 0.80}},
		"dev205.jsonl":   {"rules": {0.99, 0.80}, "tagger": {0.98, 0.64}, "both": {1.00, 0.74}}, // 0.648 with the tagger as shipped (the score tool read 0.652 with its O penalty re-set: see score.knobs)
		"dev206.jsonl":   {"rules": {0.99, 0.80}, "tagger": {0.96, 0.56}, "both": {1.00, 0.70}}, // 0.5700 with the tagger as shipped
		"dev207.jsonl":   {"rules": {0.95, 0.68}, "tagger": {0.94, 0.54}, "both": {1.00, 0.60}},
		"dev208.jsonl":   {"rules": {0.95, 0.97}, "tagger": {0.95, 0.80}, "both": {0.95, 0.97}},
		"dev209.jsonl":   {"rules": {1.00, 0.79}, "tagger": {0.97, 0.55}, "both": {1.00, 0.66}},
		"frozen73.jsonl": {"rules": {0.99, 0.90}, "tagger": {0.94, 0.75}, "both": {1.00, 0.85}},
		"frozen74.jsonl": {"rules": {1.00, 0.93}, "tagger": {0.99, 0.76}, "both": {1.00, 0.85}},
		"dev210.jsonl":   {"rules": {0.98, 0.90}, "tagger": {0.98, 0.82}, "both": {1.00, 0.89}},
		"dev211.jsonl":   {"rules": {0.98, 0.86}, "tagger": {0.94, 0.68}, "both": {0.98, 0.82}},
		"dev212.jsonl":   {"rules": {0.93, 0.64}, "tagger": {0.97, 0.67}, "both": {0.98, 0.63}},
		"dev213.jsonl":   {"rules": {1.00, 0.81}, "tagger": {1.00, 0.74}, "both": {1.00, 0.78}},
		"dev214.jsonl":   {"rules": {0.89, 0.75}, "tagger": {0.92, 0.51}, "both": {0.91, 0.64}},
		"dev215.jsonl":   {"rules": {0.98, 0.93}, "tagger": {0.98, 0.76}, "both": {1.00, 0.88}},
		"frozen75.jsonl": {"rules": {0.95, 0.94}, "tagger": {0.99, 0.77}, "both": {1.00, 0.88}},
		"frozen76.jsonl": {"rules": {0.94, 0.89}, "tagger": {0.96, 0.72}, "both": {0.97, 0.90}},
		"dev216.jsonl":   {"rules": {0.96, 0.92}, "tagger": {0.97, 0.74}, "both": {0.98, 0.81}},
		"dev217.jsonl":   {"rules": {0.95, 0.74}, "tagger": {0.95, 0.42}, "both": {0.97, 0.60}},
		"dev218.jsonl":   {"rules": {0.99, 0.93}, "tagger": {0.97, 0.86}, "both": {1.00, 0.87}},
		"dev219.jsonl":   {"rules": {0.98, 0.67}, "tagger": {0.97, 0.63}, "both": {1.00, 0.63}},
		"dev220.jsonl":   {"rules": {1.00, 0.61}, "tagger": {0.97, 0.51}, "both": {1.00, 0.55}},
		"dev221.jsonl":   {"rules": {1.00, 0.92}, "tagger": {0.98, 0.79}, "both": {1.00, 0.87}},
		"frozen77.jsonl": {"rules": {0.97, 0.98}, "tagger": {0.97, 0.86}, "both": {0.97, 0.95}},
		"frozen78.jsonl": {"rules": {1.00, 0.93}, "tagger": {0.97, 0.77}, "both": {1.00, 0.91}},
		"dev222.jsonl":   {"rules": {0.98, 0.96}, "tagger": {0.95, 0.77}, "both": {0.99, 0.94}},
		"dev223.jsonl":   {"rules": {0.98, 0.86}, "tagger": {0.98, 0.77}, "both": {0.99, 0.83}},
		"dev224.jsonl":   {"rules": {0.97, 0.76}, "tagger": {0.92, 0.51}, "both": {0.99, 0.67}},
		"dev225.jsonl":   {"rules": {0.93, 0.80}, "tagger": {0.93, 0.56}, "both": {0.96, 0.72}},
		"dev226.jsonl":   {"rules": {0.98, 0.88}, "tagger": {0.98, 0.72}, "both": {0.98, 0.84}},
		"dev227.jsonl":   {"rules": {0.99, 0.91}, "tagger": {0.96, 0.73}, "both": {0.99, 0.84}},
		"frozen79.jsonl": {"rules": {0.98, 0.92}, "tagger": {0.95, 0.78}, "both": {0.99, 0.88}},
		"frozen80.jsonl": {"rules": {0.98, 0.93}, "tagger": {0.99, 0.74}, "both": {0.99, 0.86}},
		"dev228.jsonl":   {"rules": {0.99, 0.94}, "tagger": {0.98, 0.86}, "both": {0.99, 0.94}},
		"dev229.jsonl":   {"rules": {0.96, 0.97}, "tagger": {0.98, 0.76}, "both": {0.99, 0.97}},
		"dev230.jsonl":   {"rules": {0.97, 0.87}, "tagger": {0.99, 0.73}, "both": {0.99, 0.83}},
		"dev231.jsonl":   {"rules": {0.96, 0.97}, "tagger": {0.94, 0.88}, "both": {0.99, 0.96}},
		"dev232.jsonl":   {"rules": {0.99, 0.93}, "tagger": {0.95, 0.82}, "both": {0.99, 0.88}},
		"frozen81.jsonl": {"rules": {0.98, 0.99}, "tagger": {0.97, 0.78}, "both": {0.98, 0.96}},
		"frozen82.jsonl": {"rules": {0.98, 0.95}, "tagger": {0.98, 0.80}, "both": {0.99, 0.87}},
		"dev233.jsonl":   {"rules": {0.99, 0.99}, "tagger": {0.99, 0.90}, "both": {0.99, 0.95}},
		"dev234.jsonl":   {"rules": {0.98, 0.98}, "tagger": {0.98, 0.83}, "both": {0.99, 0.92}},
		"dev235.jsonl":   {"rules": {0.99, 0.69}, "tagger": {0.99, 0.69}, "both": {0.99, 0.67}},
		"dev236.jsonl":   {"rules": {0.95, 0.87}, "tagger": {0.92, 0.64}, "both": {0.96, 0.85}},
		"dev237.jsonl":   {"rules": {0.95, 0.95}, "tagger": {0.98, 0.84}, "both": {0.99, 0.91}},
		"frozen83.jsonl": {"rules": {0.96, 0.94}, "tagger": {0.95, 0.82}, "both": {0.97, 0.89}},
		"frozen84.jsonl": {"rules": {0.95, 0.92}, "tagger": {0.98, 0.78}, "both": {0.99, 0.85}},
		"dev238.jsonl":   {"rules": {0.95, 0.96}, "tagger": {0.98, 0.84}, "both": {0.99, 0.91}},
		"dev239.jsonl":   {"rules": {0.97, 0.92}, "tagger": {0.92, 0.63}, "both": {0.99, 0.85}},
		"dev240.jsonl":   {"rules": {0.98, 0.91}, "tagger": {0.97, 0.74}, "both": {0.99, 0.85}},
		"frozen85.jsonl": {"rules": {0.99, 0.97}, "tagger": {0.98, 0.90}, "both": {0.99, 0.94}},
		"frozen86.jsonl": {"rules": {0.96, 0.98}, "tagger": {0.98, 0.78}, "both": {0.98, 0.92}},
		"dev-gen.jsonl": {
			"rules": {0.89, 0.96},
			// 0.97 until the tagger learnt from every development batch
			// (2026-12-06): generated notes weigh less in its corpus, and
			// it reads 0.970 on them (0.983 before), rules + tagger 0.989
			// (0.994); 0.96 until it learnt from dev30-dev35 (ninth
			// session): 0.9585, rules + tagger 0.9878 (0.9880)
			"tagger": {0.95, 0.95},
			"both":   {0.98, 0.96},
		},
	}
	for set, dets := range floors {
		notes, err := LoadJSONL(filepath.Join(dataDir, set))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range Detectors {
			d, err := NewDetector(name)
			if err != nil {
				t.Fatal(err)
			}
			ev, _, _, err := Score(context.Background(), notes, d)
			if err != nil {
				t.Fatal(err)
			}
			var table bytes.Buffer
			_ = ev.WriteTable(&table)
			t.Logf("%s, %s:\n%s", set, name, table.String())
			f := dets[name]
			if r := ev.CharOverall.Recall(); r < f[0] {
				t.Errorf("%s %s: character recall %.4f < floor %.2f", set, name, r, f[0])
			}
			if p := ev.CharOverall.Precision(); p < f[1] {
				t.Errorf("%s %s: character precision %.4f < floor %.2f", set, name, p, f[1])
			}
		}
	}
}
