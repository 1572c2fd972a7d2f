// Package azsnp verifies az-snp-vtpm evidence: an Azure confidential VM on
// AMD SEV-SNP whose paravisor (HCL) runs at VMPL 0 and exposes a vTPM. The
// SNP report inside the HCL report is verified to AMD's ARK (package snp),
// its REPORT_DATA must bind the hash of the HCL runtime data, the runtime
// data carries the vTPM attestation key, and the vTPM quote signed by that
// key binds the session nonce and PCRs (PCR 8: initdata).
package azsnp

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/verify/trust"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azvtpm"
	"github.com/trustgate/trustgate/internal/attest/snp"
)

const tee = attest.TeeAzSNPvTPM

// ClaimTPM holds the quoted PCRs as {"pcr00": hex, …} (upstream's name).
const ClaimTPM = "tpm"

// Config tunes the verifier; the zero value verifies offline at the current
// time against AMD's embedded roots.
type Config struct {
	Now    func() time.Time
	Getter trust.HTTPSGetter // fetches a VCEK the evidence lacks and AMD's CRL; nil means offline
	// MinimumTCB, MinimumTCBByLine, CheckRevocations: as snp.Config.
	MinimumTCB       kds.TCBParts
	MinimumTCBByLine map[string]kds.TCBParts
	CheckRevocations bool
	AllowDebug       bool
}

// Verifier verifies az-snp-vtpm evidence.
type Verifier struct{ snp *snp.Verifier }

var _ attest.Verifier = (*Verifier)(nil)

// New returns a verifier for cfg.
func New(cfg Config) (*Verifier, error) {
	s, err := snp.New(snp.Config{Tee: tee, Now: cfg.Now, Getter: cfg.Getter, MinimumTCB: cfg.MinimumTCB,
		MinimumTCBByLine: cfg.MinimumTCBByLine, CheckRevocations: cfg.CheckRevocations, AllowDebug: cfg.AllowDebug})
	if err != nil {
		return nil, err
	}
	return &Verifier{snp: s}, nil
}

// VerifyHCLReport verifies the HCL report's SNP report with vcek (DER) and
// that it binds the runtime data; it returns both parsed.
func (v *Verifier) VerifyHCLReport(ctx context.Context, raw, vcek []byte) (*azvtpm.HCLReport, *spb.Attestation, error) {
	h, err := azvtpm.ParseHCLReport(raw)
	if err != nil {
		return nil, nil, attest.Fail(tee, azvtpm.CheckHCLReport, err)
	}
	if h.Type != azvtpm.ReportTypeSNP {
		return nil, nil, attest.Fail(tee, azvtpm.CheckHCLReport, errors.New("HCL report does not carry an SNP report"))
	}
	att, err := v.snp.VerifiedReport(ctx, h.HWReport, snp.Certs{VCEK: vcek})
	if err != nil {
		return nil, nil, err
	}
	if d := h.RuntimeDataDigest(); !bytes.HasPrefix(att.GetReport().GetReportData(), d) {
		return nil, nil, attest.Fail(tee, azvtpm.CheckRuntimeData, errors.New("SNP REPORT_DATA does not bind the HCL runtime data"))
	}
	// VMPL 0 (the paravisor), debug policy and TCB minimums.
	if err := v.snp.Validate(att, attest.Expected{}); err != nil {
		return nil, nil, err
	}
	return h, att, nil
}

// Verify implements attest.Verifier.
func (v *Verifier) Verify(ctx context.Context, evidence []byte, want attest.Expected) (attest.Claims, error) {
	ev, err := azvtpm.ParseEvidence(evidence)
	if err != nil {
		return nil, attest.Fail(tee, azvtpm.CheckParse, err)
	}
	h, _, err := v.VerifyHCLReport(ctx, ev.HCLReport, ev.VCEK)
	if err != nil {
		return nil, err
	}
	vq, err := azvtpm.VerifyVTPM(tee, ev, h, want)
	if err != nil {
		return nil, err
	}
	claims := snp.Claims(h.HWReport)
	claims[ClaimTPM] = azvtpm.TPMClaims(vq)
	return claims, nil
}
