// Package tdx verifies Intel TDX evidence: TD quotes v4 (PCK certificate
// chain to Intel's SGX root, quote and QE report signatures, and, when a
// collateral source is configured, TCB info, QE identity and CRLs from an
// offline bundle or Intel PCS) with go-tdx-guest; then REPORT_DATA and
// MRCONFIGID bindings, the debug attribute, and an RTMR replay of the CC event
// log when the evidence carries one. Claims use upstream Trustee's names.
package tdx

import (
	"bytes"
	"context"
	"crypto/subtle"
	"crypto/x509"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	"github.com/google/go-tdx-guest/verify"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	teetdx "github.com/trustgate/trustgate/internal/tee/tdx"
)

// Names of the checks reported in attest.Error.Check.
const (
	CheckParse          = "parse"
	CheckQuoteVersion   = "quote_version"
	CheckQuoteSignature = "quote_signature" // PCK chain, QE report, quote signature
	CheckCollateral     = "collateral"      // TCB info, QE identity, CRLs: missing, expired, revoked or not Intel's
	CheckTCB            = "tcb"             // no TCB level matches, or the level is Revoked
	CheckReportData     = "report_data"
	CheckInitData       = "init_data"
	CheckDebug          = "debug"
	CheckEventLog       = "event_log"
)

// MaxEvidenceSize bounds the evidence JSON (quote plus CC event log).
const MaxEvidenceSize = teetdx.MaxEvidenceSize

// Quote layout (Intel TDX DCAP quote v4).
const (
	headerSize  = 48
	bodyOffset  = headerSize
	bodySize    = 584
	quoteV4     = 4
	tdAttrDebug = 1 << 0
)

// Config tunes a TDX verifier. The zero value checks the PCK chain and
// signatures offline at the current time and refuses debug TDs.
type Config struct {
	// Tee is the TEE name used in errors; "" means attest.TeeTDX.
	Tee string
	// Now is the clock for certificate and collateral validity.
	Now func() time.Time
	// Collateral, when set, supplies TCB info, QE identity and CRLs (from
	// its cache, i.e. an imported bundle, or Intel PCS), and they are then
	// required and checked. Nil skips collateral checks.
	Collateral *collateral.Getter
	// AllowDebug accepts TDs with the DEBUG attribute.
	AllowDebug bool
}

// intelRootPEM is Intel's SGX Root CA (the same certificate go-tdx-guest
// embeds). Passing it explicitly keeps go-tdx-guest from logging a warning
// to stdout on every verification, which would corrupt `trustee verify`
// output.
//
//go:embed intel_sgx_root_ca.pem
var intelRootPEM []byte

var intelRoots = func() *x509.CertPool {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(intelRootPEM) {
		panic("tdx: embedded Intel SGX Root CA does not parse")
	}
	return p
}()

// Verifier verifies TDX evidence. It is safe for concurrent use.
type Verifier struct {
	cfg    Config
	chains chainCache
}

var _ attest.Verifier = (*Verifier)(nil)

// New returns a verifier for cfg.
func New(cfg Config) *Verifier {
	if cfg.Tee == "" {
		cfg.Tee = attest.TeeTDX
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Verifier{cfg: cfg}
}

// Evidence is upstream's TDX evidence: base64 quote and optional base64 CC
// event log.
type Evidence struct {
	Quote      []byte
	CCEventLog []byte
}

// ParseEvidence parses {"cc_eventlog": "<b64>"|null, "quote": "<b64>"}.
func ParseEvidence(data []byte) (*Evidence, error) {
	q, ccel, err := teetdx.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("parse tdx evidence: %w", err)
	}
	return &Evidence{Quote: q, CCEventLog: ccel}, nil
}

// Verify parses upstream's TDX evidence JSON and verifies it.
func (v *Verifier) Verify(ctx context.Context, evidence []byte, want attest.Expected) (attest.Claims, error) {
	ev, err := ParseEvidence(evidence)
	if err != nil {
		return nil, attest.Fail(v.cfg.Tee, CheckParse, err)
	}
	return v.VerifyQuote(ctx, ev.Quote, ev.CCEventLog, want)
}

// VerifyRaw verifies a raw quote, which carries its own PCK chain
// (endorsement is unused); it implements attest.RawVerifier.
func (v *Verifier) VerifyRaw(ctx context.Context, raw, _ []byte, want attest.Expected) (attest.Claims, error) {
	return v.VerifyQuote(ctx, raw, nil, want)
}

// VerifyQuote verifies a raw quote (and optional CC event log) and returns
// claims.
func (v *Verifier) VerifyQuote(ctx context.Context, raw, ccel []byte, want attest.Expected) (attest.Claims, error) {
	_, tcb, err := v.VerifiedQuoteTCB(ctx, raw)
	if err != nil {
		return nil, err
	}
	if err := v.Validate(raw, want); err != nil {
		return nil, err
	}
	claims := Claims(raw)
	tcb.AddClaims(claims)
	if len(ccel) > 0 {
		events, err := v.ReplayEventLog(raw, ccel)
		if err != nil {
			return nil, err
		}
		claims["uefi_event_logs"] = eventClaims(events)
	}
	return claims, nil
}

// QuoteVersion returns the version field of a raw quote.
func QuoteVersion(raw []byte) (uint16, error) {
	if len(raw) < 2 {
		return 0, errors.New("quote shorter than its version field")
	}
	return binary.LittleEndian.Uint16(raw), nil
}

// VerifiedQuote is VerifiedQuoteTCB without the TCB appraisal.
func (v *Verifier) VerifiedQuote(ctx context.Context, raw []byte) (*pb.QuoteV4, error) {
	q, _, err := v.VerifiedQuoteTCB(ctx, raw)
	return q, err
}

// VerifiedQuoteTCB checks that raw is a v4 TD quote in canonical form whose
// PCK chain reaches Intel's root and whose signatures hold and, with
// collateral, that Intel's TCB info, QE identity and CRLs are genuine,
// current and revoke nothing, and returns the TCB appraisal they give (nil
// without collateral). It applies no policy.
func (v *Verifier) VerifiedQuoteTCB(ctx context.Context, raw []byte) (*pb.QuoteV4, *TCB, error) {
	q, err := v.parseQuote(raw)
	if err != nil {
		return nil, nil, err
	}
	now := v.cfg.Now()
	ts := &verify.TimeSet{PckCertChain: now, TcbInfo: now, QeIdentity: now, PckCrl: now, RootCaCrl: now}
	if v.cfg.Collateral != nil {
		tcb, err := v.verifyWithCollateral(ctx, q, ts)
		if err != nil {
			return nil, nil, err
		}
		return q, tcb, nil
	}
	if pck := v.chains.lookup(q, now); pck != nil {
		if err := verifyWithPCK(q, raw, pck); err != nil {
			return nil, nil, attest.Fail(v.cfg.Tee, CheckQuoteSignature, err)
		}
		return q, nil, nil
	}
	if err := verify.TdxQuoteContext(ctx, q, &verify.Options{Now: ts, TrustedRoots: intelRoots}); err != nil {
		return nil, nil, attest.Fail(v.cfg.Tee, CheckQuoteSignature, err)
	}
	v.chains.remember(q)
	return q, nil, nil
}

// parseQuote parses raw as a canonical v4 TD quote with nothing unsigned
// after it.
func (v *Verifier) parseQuote(raw []byte) (*pb.QuoteV4, error) {
	tee := v.cfg.Tee
	ver, err := QuoteVersion(raw)
	if err != nil {
		return nil, attest.Fail(tee, CheckParse, err)
	}
	if ver != quoteV4 {
		return nil, attest.Fail(tee, CheckQuoteVersion, fmt.Errorf("unsupported quote version %d (only version 4 is supported)", ver))
	}
	anyQ, err := teetdx.ParseQuote(raw)
	if err != nil {
		return nil, attest.Fail(tee, CheckParse, err)
	}
	q, ok := anyQ.(*pb.QuoteV4)
	if !ok {
		return nil, attest.Fail(tee, CheckQuoteVersion, fmt.Errorf("unsupported quote type %T", anyQ))
	}
	// Verification works on the parsed form; refuse bytes that the parser
	// would silently normalise, so claims come from exactly what was signed.
	if canon, err := abi.QuoteToAbiBytes(q); err != nil || !bytes.Equal(canon, raw) {
		return nil, attest.Fail(tee, CheckParse, errors.New("quote is not in canonical form"))
	}
	// Device buffers pad quotes with zeros; anything else after the signed
	// structure would be bytes nobody vouches for.
	if len(bytes.Trim(q.GetExtraBytes(), "\x00")) != 0 {
		return nil, attest.Fail(tee, CheckParse, errors.New("non-zero bytes after the quote"))
	}
	if err := checkCertData(q); err != nil {
		return nil, attest.Fail(tee, CheckParse, err)
	}
	return q, nil
}

// checkCertData requires the PCK certification data to be exactly the PEM
// chain with nothing after it but NUL padding, so that no byte of the quote
// escapes verification.
func checkCertData(q *pb.QuoteV4) error {
	cd := q.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetPckCertificateChainData().GetPckCertChain()
	end := bytes.LastIndex(cd, []byte("-----END CERTIFICATE-----"))
	if end < 0 {
		return errors.New("PCK certificate chain has no PEM certificate")
	}
	rest := cd[end+len("-----END CERTIFICATE-----"):]
	rest = bytes.TrimLeft(rest, "\n")
	if len(bytes.Trim(rest, "\x00")) != 0 {
		return errors.New("unexpected bytes after the PCK certificate chain")
	}
	return nil
}

// Validate applies policy to a verified raw quote.
func (v *Verifier) Validate(raw []byte, want attest.Expected) error {
	tee := v.cfg.Tee
	body := raw[bodyOffset : bodyOffset+bodySize]
	if want.ReportData != nil && subtle.ConstantTimeCompare(teetdx.ReportData(want.ReportData), body[520:584]) != 1 {
		return attest.Fail(tee, CheckReportData, errors.New("REPORT_DATA does not match the session's runtime-data digest"))
	}
	if want.InitDataDigest != nil && subtle.ConstantTimeCompare(teetdx.MRConfigID(want.InitDataDigest), body[184:232]) != 1 {
		return attest.Fail(tee, CheckInitData, errors.New("MRCONFIGID does not match the initdata digest"))
	}
	if binary.LittleEndian.Uint64(body[120:128])&tdAttrDebug != 0 && !v.cfg.AllowDebug {
		return attest.Fail(tee, CheckDebug, errors.New("TD attributes allow debugging"))
	}
	return nil
}

// ReplayEventLog parses the CC event log and checks that replaying it
// yields the quote's RTMRs.
func (v *Verifier) ReplayEventLog(raw, ccel []byte) ([]Event, error) {
	tee := v.cfg.Tee
	events, err := ParseEventLog(ccel)
	if err != nil {
		return nil, attest.Fail(tee, CheckEventLog, err)
	}
	rtmrs, err := Replay(events)
	if err != nil {
		return nil, attest.Fail(tee, CheckEventLog, err)
	}
	body := raw[bodyOffset : bodyOffset+bodySize]
	for i := range rtmrs {
		if !bytes.Equal(rtmrs[i][:], body[328+48*i:376+48*i]) {
			return nil, attest.Fail(tee, CheckEventLog, fmt.Errorf("replayed event log does not match RTMR%d", i))
		}
	}
	return events, nil
}
