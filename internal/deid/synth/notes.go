package synth

import (
	"fmt"

	"github.com/trustgate/trustgate/internal/deid"
)

const name = deid.TypeName

func (g *gen) honorific() string { return g.pick([]string{"Mr. ", "Ms. ", "Mrs. ", "Mr ", "Ms "}) }

// header writes the patient block in one of three layouts.
func (g *gen) header(b *builder, title string, pt person) {
	switch g.r.IntN(3) {
	case 0:
		b.t(title, "\nPatient: ").phi(name, pt.full()).t("\n")
		cue, id := g.identifier()
		b.t(cue).phi(deid.TypeID, id).t("\nDOB: ").phi(deid.TypeDate, g.date()).t("\n")
	case 1:
		b.t(title, " Pt: ").phi(name, pt.full()).t(" MRN #").phi(deid.TypeID, g.digits(7)).t(" Date: ").phi(deid.TypeDate, g.date()).t("\n")
	default:
		b.t(title, "\nName: ").phi(name, pt.last+", "+pt.first).t("    Admit date: ").phi(deid.TypeDate, g.date()).
			t("    Discharge date: ").phi(deid.TypeDate, g.date()).t("\n")
	}
}

func (g *gen) staff(b *builder, p person) {
	switch g.r.IntN(3) {
	case 0:
		b.t("Dr. ").phi(name, p.last)
	case 1:
		b.phi(name, p.full()).t(", MD")
	default:
		b.t("Dr. ").phi(name, p.first+" "+p.last)
	}
}

func (g *gen) discharge(b *builder) {
	pt, doc, rel := g.person(), g.person(), g.person()
	rel.last = pt.last
	g.header(b, "DISCHARGE SUMMARY", pt)
	b.t("Attending: ").phi(name, doc.full()).t(", MD\n")
	b.t("\nHISTORY OF PRESENT ILLNESS: ")
	b.t(g.honorific()).phi(name, pt.last).t(" is ")
	if g.coin(0.5) {
		g.oldAge(b)
		b.t(" patient")
	} else {
		b.t(fmt.Sprintf("a %d-year-old patient", 30+g.r.IntN(59)))
	}
	b.t(" with a history of ", g.pick(problems), " who presented to ").phi(deid.TypeLocation, g.hospital()).
		t(" on ").phi(deid.TypeDate, g.date()).t(" with shortness of breath. BP 142/88, HR 97, SpO2 91% on room air.\n")
	b.t("Medications on admission: ", g.pick(drugs), " 20 mg daily, ", g.pick(drugs), " 5 mg twice daily, aspirin 81 mg.\n")
	b.t("\nHOSPITAL COURSE: The patient was seen by ", g.pick(services), ", ")
	g.staff(b, doc)
	b.t(", and started on IV ", g.pick(drugs), ". By ").phi(deid.TypeDate, g.date()).
		t(" symptoms had improved; creatinine 1.4 from 2.1. Echo showed EF 45%.\n")
	b.t("\nSOCIAL HISTORY: Lives in ").phi(deid.TypeLocation, g.city()).t(" with ")
	b.t(g.pick([]string{"his wife ", "her husband ", "her daughter ", "his son ", "her partner "})).phi(name, rel.first).
		t(". Former smoker, 20 pack-years, quit in 2010.\n")
	b.t("Home address: ")
	g.address(b)
	b.t("\nHome phone: ").phi(deid.TypePhone, g.phone()).t("\n")
	b.t("\nDISPOSITION: Discharged home with VNA on ").phi(deid.TypeDate, g.date()).t(". Follow up with ")
	pcp := g.person()
	g.staff(b, pcp)
	b.t(" in 1-2 weeks, phone ").phi(deid.TypePhone, g.phone()).t(".\n")
	b.t("Electronically signed by ").phi(name, doc.full()).t(", MD on ").phi(deid.TypeDate, g.date()).t(" 14:32\n")
	if g.coin(0.4) {
		b.t("cc: ").phi(name, g.person().full()).t(", NP; ").phi(deid.TypeLocation, g.hospital()).t(", ").phi(deid.TypeLocation, g.city()).t(", ").t(g.pick([]string{"Massachusetts", "Ohio", "Texas"})).t("\n")
	}
}

func (g *gen) consult(b *builder) {
	pt, doc, ref := g.person(), g.person(), g.person()
	g.header(b, "Consult Note", pt)
	b.t("Requesting physician: Dr. ").phi(name, ref.last).t("\nReason for consult: ", g.pick(problems), "\n\n")
	b.t("HPI: ")
	if g.coin(0.4) {
		g.oldAge(b)
		b.t(" ")
	}
	b.t(g.pick([]string{"Patient ", "Pt ", "The patient, "})).phi(name, pt.first+" "+pt.last)
	b.t(", was transferred from ").phi(deid.TypeLocation, g.hospital()).t(" on ").phi(deid.TypeDate, g.date()).
		t(". Last seen in clinic ").phi(deid.TypeDate, g.date()).t(". Labs: WBC 11.2, Hgb 9.8, Plt 210, Na 134, K 4.1.\n")
	b.t("Assessment: ", g.pick(problems), ", stable. Plan: continue ", g.pick(drugs), " 40 mg PO b.i.d., repeat labs in 3 days.\n")
	b.t("Discussed with ").phi(name, pt.last).t("'s daughter, ").phi(name, g.person().full()).t(", who can be reached at ").
		phi(deid.TypePhone, g.phone()).t(" or ").phi(deid.TypeEmail, g.email(pt)).t(".\n")
	if g.coin(0.5) {
		b.t("Patient portal: ").phi(deid.TypeURL, g.url()).t("\n")
	}
	b.t("\n")
	g.staff(b, doc)
	b.t("\n", g.pick(services), " consult service, pager ").phi(deid.TypePhone, g.digits(3)+"-"+g.digits(4)).t("\n")
}

func (g *gen) referral(b *builder) {
	pt, doc, to := g.person(), g.person(), g.person()
	b.phi(deid.TypeLocation, g.hospital()).t("\n")
	g.address(b)
	b.t("\nTel ").phi(deid.TypePhone, g.phone()).t("  Fax ").phi(deid.TypePhone, g.phone()).t("\n\n")
	b.phi(deid.TypeDate, g.date()).t("\n\nDear Dr. ").phi(name, to.last).t(",\n\n")
	b.t("Thank you for seeing my patient, ").phi(name, pt.full()).t(" (DOB ").phi(deid.TypeDate, g.date()).t("), ")
	if g.coin(0.5) {
		g.oldAge(b)
		b.t(", ")
	}
	b.t("who lives in ").phi(deid.TypeLocation, g.city()).t(". ")
	b.t(g.honorific()).phi(name, pt.last).t(" has had worsening ", g.pick(problems), " since ").phi(deid.TypeDate, g.date()).t(".\n")
	cue, id := g.identifier()
	b.t("Insurance: ", g.pick([]string{"Blue Cross", "Medicare", "Aetna", "Medicaid"}), ", ", cue).phi(deid.TypeID, id).t("\n")
	cue, id = g.identifier()
	b.t(cue).phi(deid.TypeID, id).t("\n")
	b.t("Current medications include ", g.pick(drugs), " and ", g.pick(drugs), ". Allergies: penicillin (rash).\n\n")
	b.t("Sincerely,\n\n").phi(name, doc.full()).t(", MD\n")
	b.phi(deid.TypeEmail, g.email(doc)).t("\n")
}

func (g *gen) lab(b *builder) {
	pt, doc := g.person(), g.person()
	b.t("LABORATORY REPORT\n").phi(deid.TypeLocation, g.hospital()).t(" Clinical Laboratory\n")
	b.t("Patient: ").phi(name, pt.last+", "+pt.first).t("   MRN: ").phi(deid.TypeID, g.digits(8)).t("\n")
	b.t("DOB: ").phi(deid.TypeDate, g.date()).t("   Sex: ", g.pick([]string{"F", "M"}), "\n")
	b.t("Ordering provider: ").phi(name, doc.full()).t(", MD\n")
	b.t("Collected: ").phi(deid.TypeDate, g.date()).t(" 07:45   Received: ").phi(deid.TypeDate, g.date()).t(" 09:10\n")
	b.t("Accession #: ").phi(deid.TypeID, g.letters(2)+g.digits(7)).t("\n\n")
	b.t("TEST            RESULT    UNITS     REF RANGE\n")
	b.t("Sodium          138       mmol/L    135-145\n")
	b.t("Potassium       5.6 H     mmol/L    3.5-5.1\n")
	b.t("Creatinine      1.9 H     mg/dL     0.6-1.2\n")
	b.t("Hemoglobin A1c  8.2 H     %         4.0-5.6\n")
	b.t("WBC             12.4 H    x10^3/uL  4.0-11.0\n\n")
	b.t("Critical value called to ").phi(name, g.person().full()).t(", RN at ").phi(deid.TypePhone, g.phone()).
		t(" on ").phi(deid.TypeDate, g.date()).t(".\n")
	b.t("Results sent to device ").phi(deid.TypeIP, fmt.Sprintf("10.%d.%d.%d", g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))).t("\n")
}

func (g *gen) messages(b *builder) {
	pt, nurse, doc := g.person(), g.person(), g.person()
	b.t("Message thread - patient portal\n\n")
	b.t("From: ").phi(name, pt.full()).t(" <").phi(deid.TypeEmail, g.email(pt)).t(">\nSent: ").phi(deid.TypeDate, g.date()).t(" 8:12 PM\n")
	b.t("To: ").phi(name, doc.full()).t("\n\n")
	b.t("Hi Dr. ").phi(name, doc.last).t(", my blood sugars have been running 250-300 since I started the new dose on ").
		phi(deid.TypeDate, g.date()).t(". My ")
	b.t(g.pick([]string{"wife ", "husband ", "son ", "daughter "})).phi(name, g.person().first).
		t(" can drive me in on ").phi(deid.TypeDate, g.pick([]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"})).t(". Call me at ").
		phi(deid.TypePhone, g.phone()).t(".\n\n")
	b.t("From: ").phi(name, nurse.full()).t(", RN\nSent: ").phi(deid.TypeDate, g.date()).t("\n\n")
	b.t("Hello ").phi(name, pt.first).t(", Dr. ").phi(name, doc.last).t(" would like you to increase ", g.pick(drugs), " to 12 units at bedtime and keep a log. ")
	b.t("We scheduled you at ").phi(deid.TypeLocation, g.hospital()).t(", ")
	g.address(b)
	b.t(", on ").phi(deid.TypeDate, g.date()).t(" at 10:15 AM. Directions: ").phi(deid.TypeURL, g.url()).t("\n")
	b.t("Thanks,\n").phi(name, nurse.first).t("\n")
	if g.coin(0.5) {
		b.t("\nOn ").phi(deid.TypeDate, g.date()).t(" at 9:14 AM, ").phi(name, pt.full()).t(" <").phi(deid.TypeEmail, g.email(pt)).t("> wrote:\n")
		b.t("> Is the clinic open on ").phi(deid.TypeDate, g.pick([]string{"Monday", "Saturday", "Thanksgiving"})).t("?\n")
	}
}

func (g *gen) email(p person) string {
	domain := g.pick([]string{"gmail.com", "yahoo.com", "outlook.com", "mail.example.org", "hospital.org"})
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf("%s.%s@%s", lower(p.first), lower(p.last), domain)
	case 1:
		return fmt.Sprintf("%s%s%d@%s", lower(p.first[:1]), lower(p.last), g.r.IntN(100), domain)
	default:
		return fmt.Sprintf("%s_%s@%s", lower(p.last), lower(p.first), domain)
	}
}

func (g *gen) url() string {
	last := lower(g.pick(g.p.lastIn))
	switch g.r.IntN(3) {
	case 0:
		return "https://portal." + last + "health.org/patient/" + g.digits(6)
	case 1:
		return "www." + last + "clinic.com/directions"
	default:
		return "http://" + last + "-med.net/appt?id=" + g.digits(5)
	}
}
