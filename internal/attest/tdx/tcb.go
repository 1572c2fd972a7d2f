package tdx

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/google/go-tdx-guest/pcs"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	"github.com/google/go-tdx-guest/verify"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/collateral"
)

// Claim names derived from the verified collateral (upstream's names for
// the first two).
const (
	ClaimTCBStatus                  = "tcb_status"
	ClaimCollateralExpirationStatus = "collateral_expiration_status"
	ClaimQETCBStatus                = "qe_tcb_status"
	ClaimTCBDate                    = "tcb_date"
	ClaimAdvisoryIDs                = "advisory_ids"
)

// TCB is what Intel's verified collateral says about the platform that made
// a quote: the status of the TCB level its SVNs match (TDX module or
// platform level, as Intel's appraisal algorithm picks), the QE's status,
// and the level's date and security advisories.
type TCB struct {
	Status      string // UpToDate, SWHardeningNeeded, ConfigurationNeeded, OutOfDate, …
	QEStatus    string
	Date        string
	AdvisoryIDs []string
}

// AddClaims adds the collateral claims to c. Expired collateral is refused
// (check "collateral"), so collateral_expiration_status is always "0" on a
// verified quote; it is emitted because upstream's policies read it.
func (t *TCB) AddClaims(c map[string]any) {
	if t == nil {
		return
	}
	ids := make([]any, 0, len(t.AdvisoryIDs))
	for _, id := range t.AdvisoryIDs {
		ids = append(ids, id)
	}
	c[ClaimTCBStatus] = t.Status
	c[ClaimCollateralExpirationStatus] = "0"
	c[ClaimQETCBStatus] = t.QEStatus
	c[ClaimTCBDate] = t.Date
	c[ClaimAdvisoryIDs] = ids
}

// recorder passes collateral requests to the getter and remembers each
// response, so that the QE identity evaluated here is exactly the one
// go-tdx-guest verified in the same call (a cache refresh in between cannot
// swap it).
type recorder struct {
	g      collateral.TDXGetter
	mu     sync.Mutex
	bodies map[string][]byte
}

func (r *recorder) Get(url string) (map[string][]string, []byte, error) {
	return r.GetContext(context.Background(), url)
}

func (r *recorder) GetContext(ctx context.Context, url string) (map[string][]string, []byte, error) {
	h, b, err := r.g.GetContext(ctx, url)
	if err == nil {
		r.mu.Lock()
		if r.bodies == nil {
			r.bodies = map[string][]byte{}
		}
		r.bodies[url] = b
		r.mu.Unlock()
	}
	return h, b, err
}

func (r *recorder) body(url string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bodies[url]
}

// How go-tdx-guest words a TCB status other than UpToDate (TD body or QE):
// everything before it, the collateral's signatures, chains, CRLs and
// validity included, has been checked. Should a new go-tdx-guest reword
// them, such quotes fail closed (check "collateral") instead of carrying
// their status.
const (
	tdStatusFailure = "TDX TCB info reported by Intel PCS failed TCB status check"
	qeStatusFailure = "QE Identity reported by Intel PCS failed TCB status check"
)

// verifyWithCollateral runs go-tdx-guest's full verification with TCB info,
// QE identity and CRLs from the collateral getter, and returns the TCB
// appraisal. A TCB status other than UpToDate is not an error here: it
// becomes the tcb_status claim for the attestation policy to judge, as
// upstream does; Revoked, or no matching TCB level, fails check "tcb".
func (v *Verifier) verifyWithCollateral(ctx context.Context, q *pb.QuoteV4, ts *verify.TimeSet) (*TCB, error) {
	tee := v.cfg.Tee
	rec := &recorder{g: collateral.TDXGetter{G: v.cfg.Collateral}}
	opts := &verify.Options{Now: ts, TrustedRoots: intelRoots, GetCollateral: true, CheckRevocations: true, Getter: rec}
	err := verify.TdxQuoteContext(ctx, q, opts)
	if err != nil {
		// Tell signature failures from collateral failures (failure path
		// only, so the extra work costs nothing on success).
		if serr := verify.TdxQuoteContext(ctx, q, &verify.Options{Now: ts, TrustedRoots: intelRoots}); serr != nil {
			return nil, attest.Fail(tee, CheckQuoteSignature, serr)
		}
		msg := err.Error()
		if !strings.Contains(msg, tdStatusFailure) && !strings.Contains(msg, qeStatusFailure) {
			return nil, attest.Fail(tee, CheckCollateral, err)
		}
	}
	td, qe, lerr := verify.SupportedTcbLevelsFromCollateral(q, opts)
	if lerr != nil {
		return nil, attest.Fail(tee, CheckTCB, fmt.Errorf("no TCB level in Intel's TCB info matches this platform's SVNs (TCB not supported): %w", lerr))
	}
	if err != nil && strings.Contains(err.Error(), tdStatusFailure) {
		// go-tdx-guest stopped at the TD's TCB status, before comparing
		// the QE report with the QE identity: do that here.
		if qerr := checkQEIdentity(q, rec.body(pcs.QeIdentityURL())); qerr != nil {
			return nil, attest.Fail(tee, CheckCollateral, qerr)
		}
	}
	t := &TCB{Status: string(td.TcbStatus), QEStatus: string(qe.TcbStatus), Date: td.TcbDate, AdvisoryIDs: td.AdvisoryIDs}
	if t.QEStatus != string(pcs.TcbComponentStatusUpToDate) && t.Status == string(pcs.TcbComponentStatusUpToDate) {
		t.Status = t.QEStatus // the worse of the two
	}
	if t.Status == string(pcs.TcbComponentStatusRevoked) || t.QEStatus == string(pcs.TcbComponentStatusRevoked) {
		return nil, attest.Fail(tee, CheckTCB, fmt.Errorf("TCB status is %s (TD %s, QE %s)", pcs.TcbComponentStatusRevoked, td.TcbStatus, qe.TcbStatus))
	}
	return t, nil
}

// checkQEIdentity compares the QE report with Intel's QE identity (whose
// signature go-tdx-guest verified in the same call), as go-tdx-guest's own
// verifyQeReport does: MISCSELECT and attributes under their masks,
// MRSIGNER and ISVPRODID.
func checkQEIdentity(q *pb.QuoteV4, body []byte) error {
	if body == nil {
		return errors.New("QE identity was not fetched")
	}
	var qi pcs.QeIdentity
	if err := json.Unmarshal(body, &qi); err != nil {
		return fmt.Errorf("parse QE identity: %w", err)
	}
	id := qi.EnclaveIdentity
	rep := q.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport()
	if len(id.Miscselect.Bytes) != 4 || len(id.MiscselectMask.Bytes) != 4 {
		return errors.New("QE identity MISCSELECT fields are not 4 bytes")
	}
	if rep.GetMiscSelect()&binary.LittleEndian.Uint32(id.MiscselectMask.Bytes) != binary.LittleEndian.Uint32(id.Miscselect.Bytes) {
		return errors.New("QE report MISCSELECT does not match Intel's QE identity")
	}
	attrs := rep.GetAttributes()
	if len(id.AttributesMask.Bytes) != len(attrs) || len(id.Attributes.Bytes) != len(attrs) {
		return errors.New("QE identity attributes have the wrong size")
	}
	for i := range attrs {
		if attrs[i]&id.AttributesMask.Bytes[i] != id.Attributes.Bytes[i] {
			return errors.New("QE report attributes do not match Intel's QE identity")
		}
	}
	if !bytes.Equal(id.Mrsigner.Bytes, rep.GetMrSigner()) {
		return errors.New("QE report MRSIGNER does not match Intel's QE identity")
	}
	if rep.GetIsvProdId() != uint32(id.IsvProdID) {
		return errors.New("QE report ISVPRODID does not match Intel's QE identity")
	}
	return nil
}
