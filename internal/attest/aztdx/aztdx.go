// Package aztdx verifies az-tdx-vtpm evidence: an Azure confidential VM on
// Intel TDX with a paravisor (HCL) and vTPM. The TD quote is verified to
// Intel's root (package tdx), its REPORT_DATA must bind the hash of the HCL
// runtime data, the TD report inside the HCL report must agree with the
// quote, and the vTPM quote signed by the runtime data's attestation key
// binds the session nonce and PCRs (PCR 8: initdata).
package aztdx

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azvtpm"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/attest/tdx"
)

const tee = attest.TeeAzTDXvTPM

// ClaimTPM holds the quoted PCRs as {"pcr00": hex, …}.
const ClaimTPM = "tpm"

// CheckTDReport names a TD report (inside the HCL report) that disagrees
// with the signed TD quote.
const CheckTDReport = "td_report"

// Config tunes the verifier.
type Config struct {
	Now        func() time.Time
	Collateral *collateral.Getter // see tdx.Config.Collateral
	AllowDebug bool
}

// Verifier verifies az-tdx-vtpm evidence.
type Verifier struct{ tdx *tdx.Verifier }

var _ attest.Verifier = (*Verifier)(nil)

// New returns a verifier for cfg.
func New(cfg Config) *Verifier {
	return &Verifier{tdx: tdx.New(tdx.Config{Tee: tee, Now: cfg.Now, Collateral: cfg.Collateral, AllowDebug: cfg.AllowDebug})}
}

// TD report layout (Intel TDX module ABI): REPORTMACSTRUCT (report_data at
// 128), TEE_TCB_INFO at 256, TDINFO at 512.
const (
	tdrReportData = 128
	tdrTeeTcbInfo = 256
	tdrTdInfo     = 512
)

// VerifyHCLReport verifies the TD quote, its binding of the HCL runtime
// data, and the agreement of the HCL's TD report with the quote.
func (v *Verifier) VerifyHCLReport(ctx context.Context, hcl, quote []byte) (*azvtpm.HCLReport, error) {
	h, _, err := v.verifyHCLReport(ctx, hcl, quote)
	return h, err
}

// verifyHCLReport is VerifyHCLReport returning also the TCB appraisal of the
// quote's collateral (nil without collateral).
func (v *Verifier) verifyHCLReport(ctx context.Context, hcl, quote []byte) (*azvtpm.HCLReport, *tdx.TCB, error) {
	h, err := azvtpm.ParseHCLReport(hcl)
	if err != nil {
		return nil, nil, attest.Fail(tee, azvtpm.CheckHCLReport, err)
	}
	if h.Type != azvtpm.ReportTypeTDX {
		return nil, nil, attest.Fail(tee, azvtpm.CheckHCLReport, errors.New("HCL report does not carry a TD report"))
	}
	_, tcb, err := v.tdx.VerifiedQuoteTCB(ctx, quote)
	if err != nil {
		return nil, nil, err
	}
	body := tdx.Body(quote)
	if !bytes.HasPrefix(body[520:584], h.RuntimeDataDigest()) {
		return nil, nil, attest.Fail(tee, azvtpm.CheckRuntimeData, errors.New("TD quote REPORT_DATA does not bind the HCL runtime data"))
	}
	// The TD report's MAC can only be checked inside the TD; what makes it
	// trustworthy here is that its measured fields equal the signed quote's.
	tdr := h.HWReport
	if !bytes.Equal(tdr[tdrReportData:tdrReportData+64], body[520:584]) ||
		!bytes.Equal(tdr[tdrTeeTcbInfo+8:tdrTeeTcbInfo+128], body[0:120]) ||
		!bytes.Equal(tdr[tdrTdInfo:tdrTdInfo+400], body[120:520]) {
		return nil, nil, attest.Fail(tee, CheckTDReport, errors.New("TD report in the HCL report does not match the TD quote"))
	}
	if err := v.tdx.Validate(quote, attest.Expected{}); err != nil { // debug
		return nil, nil, err
	}
	return h, tcb, nil
}

// Verify implements attest.Verifier.
func (v *Verifier) Verify(ctx context.Context, evidence []byte, want attest.Expected) (attest.Claims, error) {
	ev, err := azvtpm.ParseEvidence(evidence)
	if err != nil {
		return nil, attest.Fail(tee, azvtpm.CheckParse, err)
	}
	if len(ev.TDQuote) == 0 {
		return nil, attest.Fail(tee, azvtpm.CheckParse, errors.New("evidence has no td_quote"))
	}
	h, tcb, err := v.verifyHCLReport(ctx, ev.HCLReport, ev.TDQuote)
	if err != nil {
		return nil, err
	}
	vq, err := azvtpm.VerifyVTPM(tee, ev, h, want)
	if err != nil {
		return nil, err
	}
	claims := tdx.Claims(ev.TDQuote)
	tcb.AddClaims(claims)
	claims[ClaimTPM] = azvtpm.TPMClaims(vq)
	return claims, nil
}
