package synth

import (
	"fmt"
	"strings"
)

// Clinical vocabulary for the real-style notes, written by the team: the
// words that fill real notes between the PHI. A tagger trained on text that
// only ever shows a few hundred clinical words learns that any other word is
// a name; these lists, pseudo-terms built from medical affixes, drug-like
// coinages and misspellings teach it that an unknown word is usually not PHI.

var medNouns = strings.Fields(`abdomen abscess acidosis adenoma adhesions alkalosis anemia aneurysm angina anorexia
anuria aphasia apnea arrhythmia arthritis ascites aspiration asthma atelectasis ataxia bacteremia bradycardia
bronchitis bronchospasm bursitis cachexia calculus carcinoma cardiomegaly cardiomyopathy cellulitis cholangitis
cholecystitis cholelithiasis cirrhosis claudication coagulopathy colitis confusion consolidation constipation
contusion cyanosis cystitis delirium dementia dermatitis diaphoresis diarrhea diverticulitis diverticulosis dysarthria
dysphagia dyspnea dysuria eczema edema effusion embolism emphysema encephalopathy endocarditis epistaxis erythema
esophagitis fasciitis fibrillation fibrosis fistula flutter fracture gangrene gastritis gastroparesis glaucoma
hematemesis hematochezia hematoma hematuria hemiparesis hemoptysis hemorrhage hepatitis hepatomegaly hernia
hydronephrosis hypercapnia hyperkalemia hypernatremia hypertension hypoglycemia hypokalemia hyponatremia hypotension
hypothyroidism hypoxemia hypoxia ileus infarct infiltrate ischemia jaundice leukocytosis lymphadenopathy lymphoma
malaise melena meningitis metastasis myalgia myocarditis myopathy nausea necrosis nephrolithiasis nephropathy
neuropathy neutropenia nodule obstruction oliguria osteomyelitis osteopenia osteoporosis pancreatitis pancytopenia
paresthesia pericarditis peritonitis pharyngitis pleurisy pneumonia pneumonitis pneumothorax polyp polyuria
pruritus pyelonephritis radiculopathy regurgitation rhabdomyolysis sarcoidosis sepsis seizure spondylosis stenosis
stricture syncope tachycardia tamponade thrombocytopenia thrombosis thrush tremor ulcer urosepsis urticaria
vasculitis vertigo vomiting wheezing`)

var medProcedures = strings.Fields(`appendectomy arthroplasty arthroscopy angiogram angioplasty biopsy bronchoscopy
cardioversion catheterization cholecystectomy colectomy colonoscopy craniotomy cystoscopy debridement
embolization endoscopy esophagectomy fasciotomy gastrectomy hemicolectomy hemodialysis hysterectomy intubation
laminectomy laparoscopy laparotomy lithotripsy lobectomy mastectomy nephrectomy paracentesis pericardiocentesis
pleurodesis pyeloplasty sigmoidoscopy splenectomy sternotomy thoracentesis thoracotomy thrombectomy
thyroidectomy tracheostomy transfusion ultrafiltration ureteroscopy valvuloplasty ventriculostomy`)

var anatomy = strings.Fields(`aorta appendix atrium bladder bowel bronchus carina cecum cervix colon cornea diaphragm
duodenum esophagus femur fibula gallbladder humerus ileum jejunum kidney larynx liver lung mediastinum meninges
mesentery myocardium omentum ovary pancreas patella pelvis pericardium peritoneum pharynx pleura prostate
pylorus radius rectum retina sacrum scapula sigmoid sinus spleen sternum stomach tibia trachea ulna ureter urethra
uterus ventricle vertebra`)

var medAdjectives = strings.Fields(`acute chronic bilateral unilateral anterior posterior lateral medial proximal distal
superior inferior diffuse focal patchy mild moderate severe stable unchanged improved worsening erythematous
edematous tender nontender distended soft firm palpable nonpalpable purulent serous serosanguinous bilious sanguineous
hypoactive hyperactive sluggish brisk symmetric asymmetric intermittent persistent productive nonproductive
pitting nonpitting ecchymotic diaphoretic lethargic somnolent agitated combative tachypneic afebrile febrile
intertrochanteric subcapital periprosthetic transmural subendocardial paracentral foraminal retrocardiac`)

// Generic drug names in lower case; brand names capitalised as written.
var drugGeneric = strings.Fields(`acetaminophen albuterol allopurinol alprazolam amiodarone amlodipine amoxicillin
ampicillin apixaban aspirin atenolol atorvastatin azithromycin bumetanide buspirone captopril carvedilol cefazolin
cefepime ceftriaxone cephalexin ciprofloxacin citalopram clonazepam clopidogrel dexamethasone diazepam digoxin
diltiazem diphenhydramine docusate enoxaparin escitalopram famotidine fentanyl fluconazole furosemide gabapentin
glipizide haloperidol heparin hydralazine hydrochlorothiazide hydrocortisone hydromorphone ibuprofen insulin
ipratropium isosorbide ketorolac labetalol lactulose levetiracetam levofloxacin levothyroxine lidocaine lisinopril
loperamide lorazepam losartan magnesium meropenem metformin methylprednisolone metoclopramide metolazone
metoprolol metronidazole midazolam morphine naloxone nifedipine nitroglycerin norepinephrine nystatin olanzapine
omeprazole ondansetron oxycodone pantoprazole phenylephrine piperacillin potassium prednisone propofol quetiapine
rifaximin rivaroxaban senna sertraline simvastatin spironolactone sucralfate tamsulosin thiamine torsemide
tramadol trazodone vancomycin vasopressin warfarin zolpidem`)

var drugBrand = strings.Fields(`Lovenox Lasix Coumadin Eliquis Xarelto Plavix Lipitor Zocor Norvasc Toprol Lopressor
Protonix Prilosec Zofran Ativan Haldol Seroquel Dilaudid Percocet Tylenol Motrin Colace Senokot Flagyl Zosyn
Unasyn Keflex Levaquin Cipro Bactrim Diflucan Solumedrol Decadron Lantus Humalog Novolog Levemir Synthroid Keppra
Dilantin Neurontin Lyrica Ambien Benadryl Ultram Flomax Proscar Aldactone Bumex Imdur Cardizem Digitek Pradaxa
Brilinta Effient Integrilin Nimbex Precedex Versed Diprivan Levophed Neo-Synephrine Vasostrict Peptamen Jevity
Nepro Glucerna Ensure Boost Mepilex Duoderm Tegaderm Foley Hickman Swan Bair Hugger Ambu Yankauer Passy-Muir`)

var abbrevs = strings.Fields(`HTN DM2 CAD CHF COPD CKD ESRD AKI ATN DKA HHS UGIB LGIB GERD PUD SBO CVA TIA ICH SAH SDH
MCA PCA DVT PE PNA UTI CAP HCAP MRSA VRE CDIFF BPH OSA OHS AAA PAD PVD CABG AVR MVR PCI PTCA STEMI NSTEMI ACS
EGD ERCP MRCP TEE TTE EEG EMG CXR KUB RUQ RLQ LUQ LLQ RLL RUL LLL LUL PTX HTX ETT NGT OGT PEG PICC CVC IJ SVC IVC
NRB BIPAP CPAP HFNC PRBC FFP INR PTT ABG VBG BMP CMP CBC LFT TSH BNP CK ESR CRP HOH NOK HCP DNR DNI CMO MVC GSW
LOC AMS SOB DOE PND CP NV ROS HPI PMH PSH ROM ADL PT OT SLP RW SNF LTAC VNA PCP OSH ED OR PACU ICU MICU SICU
CCU NICU TSICU CVICU`)

func (g *rs) medNoun() string { return g.pick(medNouns) }

// pseudoTerm builds a medical-looking word that no list holds: "hepatomegalitis".
func (g *rs) pseudoTerm() string {
	pre := g.oneOf("", "", "hypo", "hyper", "peri", "intra", "trans", "sub", "retro", "endo", "para", "poly", "dys", "brady", "tachy", "neo", "pan", "micro", "macro")
	root := g.oneOf("cardi", "hepat", "nephr", "gastr", "oste", "arthr", "derm", "neur", "pneum", "splen", "col", "cyst", "lymph", "thromb", "angi", "my", "ather", "chol", "pancreat", "laryng", "trache", "bronch", "enter", "encephal", "myel", "hemat", "leuk", "glyc", "kal", "natr", "pleur", "pyel", "vas", "ven")
	suf := g.oneOf("itis", "ectomy", "otomy", "osis", "emia", "opathy", "algia", "plasty", "oscopy", "omegaly", "ic", "al", "ous", "oma", "ostomy", "uria", "ectasis", "ogram", "ocele", "orrhea")
	if pre != "" && g.coin(0.5) {
		root += "o"
	}
	return pre + root + suf
}

// pseudoDrug builds a drug-like coinage: "carotidipine", "Zelvanex".
func (g *rs) pseudoDrug() string {
	stem := g.oneOf("caro", "meto", "vala", "losa", "simva", "rosu", "flu", "cipro", "levo", "panto", "ome", "dapa", "empa", "rivaro", "apixa", "tica", "clopi", "sema", "lira", "dula", "pembro", "nivo", "ritu", "ima", "dasa", "sora", "ola", "que", "dexme", "eso", "lansa", "ranit", "cime")
	suf := g.oneOf("olol", "pril", "sartan", "statin", "azole", "mycin", "cillin", "floxacin", "mab", "nib", "parin", "dipine", "tidine", "prazole", "semide", "azepam", "done", "triptan", "gliflozin", "glutide", "xaban", "grel", "tiapine", "zumab")
	d := stem + suf
	if g.coin(0.4) { // a brand-like coinage, capitalised
		d = strings.ToUpper(d[:1]) + d[1:]
	}
	return d
}

// misspell drops, doubles or swaps a letter of a word, as hurried notes do.
func (g *rs) misspell(w string) string {
	if len(w) < 5 {
		return w
	}
	i := 1 + g.r.IntN(len(w)-3)
	switch g.r.IntN(3) {
	case 0:
		return w[:i] + w[i+1:]
	case 1:
		return w[:i] + w[i:i+1] + w[i:]
	default:
		return w[:i] + w[i+1:i+2] + w[i:i+1] + w[i+2:]
	}
}

// clinicalWord returns one clinical word: listed, coined or misspelt.
func (g *rs) clinicalWord() string {
	switch r := g.r.Float64(); {
	case r < 0.35:
		return g.medNoun()
	case r < 0.45:
		return g.pick(medProcedures)
	case r < 0.55:
		return g.pick(anatomy)
	case r < 0.70:
		return g.pseudoTerm()
	case r < 0.80:
		return g.misspell(g.medNoun())
	default:
		return g.pick(abbrevs)
	}
}

func capFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// clinicalSentence writes one sentence of clinical prose without PHI, with
// capitalised terms, brand drugs, doses, times and scores: what surrounds
// PHI in real notes and must stay.
func (g *rs) clinicalSentence(b *builder) {
	hhmm := fmt.Sprintf("%02d%02d", g.r.IntN(24), 5*g.r.IntN(12))
	drug := g.pick(drugGeneric)
	switch g.r.IntN(17) {
	case 0:
		b.t(capFirst(g.pick(medAdjectives)), " ", g.clinicalWord(), " of the ", g.pick(anatomy), ".")
	case 1:
		b.t(capFirst(g.clinicalWord()), ". ", capFirst(g.pick(medAdjectives)), " ", g.clinicalWord(), ".")
	case 2:
		b.t(g.oneOf("Started ", "Continue ", "Given ", "Held ", "s/p ", "on "), g.oneOf(drug, g.pick(drugBrand), g.pseudoDrug()), fmt.Sprintf(" %d %s %s", g.n(1, 1000), g.oneOf("mg", "mcg", "units", "g", "mEq", "ml"), g.oneOf("po", "iv", "sq", "ng", "pr", "IV q6h", "PO daily", "bid", "tid", "q8h prn")), ".")
	case 3:
		b.t(g.oneOf("at ", "@ ", "since ", "until ", "by "), hhmm, g.oneOf(" pt ", " ", ", "), g.pick(shorthand), ".")
	case 4:
		b.t(g.oneOf("Impression: ", "IMPRESSION: ", "Assessment: ", "Dx: ", "A/P: "), g.pick(medAdjectives), " ", g.clinicalWord(), g.oneOf(".", ", ", " with "), g.clinicalWord(), ".")
	case 5:
		b.t(fmt.Sprintf("%s %d/10, %s", g.oneOf("pain", "Pain", "c/o pain"), g.n(0, 10), g.oneOf("medicated", "declined meds", "repositioned", "relief with "+drug)), ".")
	case 6:
		b.t(fmt.Sprintf("GCS %d, %s %d, %s %d", g.n(3, 15), g.oneOf("RASS", "CAM", "CIWA", "NIHSS", "MMSE", "Braden"), g.n(-4, 30), g.oneOf("score", "MoCA", "PPS", "APACHE"), g.n(1, 40)), ".")
	case 7:
		b.t(capFirst(g.pick(medProcedures)), g.oneOf(" done", " planned", " tomorrow", " at "+hhmm, " without complication", " per "+g.oneOf("ir", "gi", "ortho", "surgery", "team")), ".")
	case 8:
		b.t(g.oneOf("Pt ", "pt ", "PT "), g.oneOf("tolerating", "refused", "requesting", "asking about", "educated on"), " ", g.oneOf(drug, g.pick(drugBrand), g.clinicalWord(), "diet", "ambulation", "walker", "incentive spirometer"), ".")
	case 9:
		b.t(fmt.Sprintf("I/O %d/%d, net %+d. UO %d-%d cc/hr", 100*g.n(5, 40), 100*g.n(3, 40), 100*g.n(-20, 20), 5*g.n(2, 10), 5*g.n(11, 30)), ".")
	case 10:
		b.t(fmt.Sprintf("%s %d.%d cm, %s %d x %d mm", capFirst(g.pick(anatomy)), g.n(1, 15), g.n(0, 9), g.clinicalWord(), g.n(2, 60), g.n(2, 60)), ".")
	case 11:
		b.t(g.oneOf("Hx ", "PMH: ", "h/o ", "hx "), g.pick(abbrevs), ", ", g.pick(abbrevs), ", ", g.clinicalWord(), g.oneOf("", ", "+g.pick(abbrevs)), ".")
	case 12:
		b.t(fmt.Sprintf("%s %d-%d, %d%% %s, POD %d", g.oneOf("EF", "ef", "LVEF"), 5*g.n(2, 12), 5*g.n(6, 14), g.n(10, 99), g.oneOf("pred", "ra", "fio2"), g.n(0, 14)), ".")
	case 14:
		b.t(capFirst(g.oneOf("pt ", "")), g.pick(nursingVerbs), " ", g.oneOf("and ", "", "then ", "- "), g.pick(nursingVerbs), " ", g.oneOf("with ", "on ", "by ", "per ", "in ", "to "), g.pick(careNouns), ".")
	case 15:
		b.t(g.oneOf("transfer to ", "to ", "back to ", "from ", "d/c to ", "f/u in ", "sent to ", "returned from ", "TRANS TO ", "ARRIVED FROM "), g.pick(genericPlace), g.oneOf("", " in am", " today", " when bed available", " at "+hhmm), ".")
	case 13:
		b.t(g.oneOf("Troponin T", "Lipase", "Glucose", "Prealbumin", "Phos", "Gap", "Lactate", "Ammonia", "Ferritin", "Procalcitonin", "D-dimer", "Fibrinogen", "Haptoglobin", "Albumin", "Bili"),
			fmt.Sprintf(" %d%s", g.n(0, 900), g.oneOf("", ".1", " ->", " (H)", " L")), g.oneOf(". ", ", "), capFirst(g.oneOf("abd soft", "covid neg", "csf clear", "xr neg", "ekg nsr", "meals on wheels", "reg diet", "exam unchanged", "renally dosed", "gap closed")), ".")
	default:
		b.t(capFirst(g.pick(medAdjectives)), " ", g.pick(medAdjectives), " ", g.clinicalWord(), g.oneOf(" noted", " seen", " resolved", " present", " improving"), ".")
	}
}

var nursingVerbs = strings.Fields(`extubated intubated reintubated suctioned repositioned medicated titrated weaned
transfused ambulated voided tolerated refused denies denied reports reported states stated updated notified
paged aware reassured reoriented restrained sedated paralyzed diuresed bolused repleted held resumed started
stopped increased decreased advanced discontinued dc'd d/c'd placed removed inserted changed flushed drawn sent
cultured checked rechecked monitored assessed turned bathed fed encouraged educated instructed verbalized
understands agrees declined requested requesting asking visited called phoned remains continues appears seems
noted found observed documented charted reviewed discussed explained signed consented transferred admitted
discharged accepted received arrived`)

var careNouns = strings.Fields(`pressors walker commode cane wheelchair bedside chair stretcher monitor telemetry
sitter restraints mitts pillows heels dressing drsg tegaderm gauze ace wrap sling splint brace collar cast pump
drain jp hemovac chest tube art line a-line cvl picc port foley condom cath rectal tube flexiseal ostomy stoma
trach peg ngt ogt dobhoff tf tpn ppn ivf lr ns d5w kcl mag phos ca abx pca pt ot slp rt sw cm md np pa rn lpn
cna tech resident intern fellow attending team service consult icu floor ward unit bed room hallway station`)

// genericPlace is a destination or service that identifies no one: "floor", "cath lab", "heart failure clinic".
var genericPlace = []string{"floor", "the floor", "ICU", "MICU", "CCU", "OR", "PACU", "cath lab", "IR", "CT", "MRI", "ED", "ER",
	"rehab", "home", "snf", "SNF", "LTAC", "hospice", "heart failure clinic", "cardiac rehab", "wound clinic", "dialysis",
	"step down", "stepdown", "tele", "the unit", "OSH", "outside hospital", "the ED", "pre-op", "holding", "EP lab", "echo lab"}
