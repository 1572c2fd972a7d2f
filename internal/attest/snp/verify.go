package snp

import (
	"bytes"
	"context"
	"crypto/subtle"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/validate"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"

	"github.com/trustgate/trustgate/internal/attest"
	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
)

// Names of the checks reported in attest.Error.Check. They are stable: audit
// logs and operators' alerts match on them.
const (
	CheckParse         = "parse"
	CheckReportVersion = "report_version"
	CheckEndorsement   = "endorsement_key" // VCEK/VLEK missing or not fetchable
	CheckCertChain     = "cert_chain"
	CheckSignature     = "report_signature"
	CheckVMPL          = "vmpl"
	CheckReportData    = "report_data"
	CheckInitData      = "init_data"
	CheckDebug         = "debug_policy"
	CheckTCB           = "tcb"
	CheckRevocation    = "revocation" // ASK CRL unavailable or ASK revoked
)

// Config tunes an SNP verifier. The zero value verifies offline against AMD's
// embedded roots at the current time and refuses debug-enabled guests.
type Config struct {
	// Tee is the TEE name used in errors; "" means attest.TeeSNP.
	Tee string
	// Now is the clock for certificate validity; nil means time.Now.
	Now func() time.Time
	// Getter fetches a missing VCEK from AMD KDS; nil means the VCEK must be
	// in the evidence (offline).
	Getter trust.HTTPSGetter
	// Roots replaces AMD's embedded ARK/ASK per product line ("Milan",
	// "Genoa", "Turin"). Only snp-emulated and tests set it.
	Roots map[string][]*trust.AMDRootCerts
	// MinimumTCB is the component-wise minimum REPORTED_TCB.
	MinimumTCB kds.TCBParts
	// MinimumTCBByLine replaces MinimumTCB for the product lines it names
	// ("Milan", "Genoa", "Turin"; see ParseMinimumTCB): SVNs of different
	// lines are not comparable. The line is read from the verified
	// endorsement key's product name; when a minimum is configured for some
	// line and the report's line is unknown, verification fails (tcb).
	MinimumTCBByLine map[string]kds.TCBParts
	// VMPL is the privilege level the report must come from. Upstream and
	// the default require 0 (the guest kernel, not a paravisor's guest).
	VMPL uint32
	// CheckRevocations fetches AMD's CRL for the report's product line
	// (through Getter, so from the collateral cache, i.e. an imported
	// bundle, or KDS), requires it signed by the ARK and current, and
	// refuses a revoked ASK/ASVK or VCEK/VLEK. Without a reachable or
	// imported CRL verification fails (revocation).
	CheckRevocations bool
	// AllowDebug accepts guests whose policy allows debugging. Off by
	// default: a debuggable guest's memory is readable by the host.
	AllowDebug bool
}

// Verifier verifies SNP evidence. It is safe for concurrent use.
type Verifier struct {
	cfg   Config
	roots map[string][]*trust.AMDRootCerts

	// chains caches verified endorsement key chains (see chainCache);
	// rootsDigest identifies roots in its keys, and the roots' common
	// validity period bounds every hit.
	chains                        *chainCache
	rootsDigest                   [32]byte
	rootsNotBefore, rootsNotAfter time.Time
	// certs holds endorsement keys parsed once per distinct DER (see
	// parseEK); validated the keys of reports that passed go-sev-guest's
	// validation (see validatedKey).
	certs     *lru[*parsedEK]
	validated *lru[struct{}]
}

var _ attest.Verifier = (*Verifier)(nil)

// New returns a verifier for cfg.
func New(cfg Config) (*Verifier, error) {
	if cfg.Tee == "" {
		cfg.Tee = attest.TeeSNP
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// The caches below assume a fixed configuration (validatedKey, the
	// roots' digest): the verifier keeps copies of the maps it was given,
	// so a caller that changes its own afterwards changes nothing here.
	cfg.MinimumTCBByLine = maps.Clone(cfg.MinimumTCBByLine)
	roots := maps.Clone(cfg.Roots)
	cfg.Roots = roots
	if roots == nil {
		var err error
		if roots, err = AMDRoots(); err != nil {
			return nil, err
		}
	}
	v := &Verifier{cfg: cfg, roots: roots, chains: newChainCache(chainCacheSize),
		certs: newLRU[*parsedEK](chainCacheSize), validated: newLRU[struct{}](validatedCacheSize)}
	v.rootsDigest, v.rootsNotBefore, v.rootsNotAfter = rootsIdentity(roots)
	return v, nil
}

// Verify parses upstream's AA evidence JSON and verifies it.
func (v *Verifier) Verify(ctx context.Context, evidence []byte, want attest.Expected) (attest.Claims, error) {
	ev, err := ParseEvidence(evidence)
	if err != nil {
		return nil, attest.Fail(v.cfg.Tee, CheckParse, err)
	}
	return v.VerifyReport(ctx, ev.Report, ev.Certs, want)
}

// VerifyRaw verifies a raw report signed by endorsement, a VCEK or a VLEK
// (DER); it implements attest.RawVerifier.
func (v *Verifier) VerifyRaw(ctx context.Context, raw, endorsement []byte, want attest.Expected) (attest.Claims, error) {
	return v.VerifyReport(ctx, raw, Certs{VCEK: endorsement, VLEK: endorsement}, want)
}

// VerifyReport verifies a raw report with the certificates that came with it
// (az-snp-vtpm and tests use it directly).
func (v *Verifier) VerifyReport(ctx context.Context, raw []byte, certs Certs, want attest.Expected) (attest.Claims, error) {
	rep, err := v.VerifiedReport(ctx, raw, certs)
	if err != nil {
		return nil, err
	}
	if err := v.validate(rep, raw, want); err != nil {
		return nil, err
	}
	return Claims(raw), nil
}

// VerifiedReport checks the report's structure, its endorsement key chain
// to the trusted ARK and its signature, and returns the parsed report. It
// applies no policy.
func (v *Verifier) VerifiedReport(ctx context.Context, raw []byte, certs Certs) (*spb.Attestation, error) {
	tee := v.cfg.Tee
	if len(raw) != ReportSize {
		return nil, attest.Fail(tee, CheckParse, fmt.Errorf("report has %d bytes, want %d", len(raw), ReportSize))
	}
	if err := abi.ValidateReportFormat(raw); err != nil {
		return nil, attest.Fail(tee, CheckReportVersion, err)
	}
	report, err := abi.ReportToProto(raw)
	if err != nil {
		return nil, attest.Fail(tee, CheckParse, err)
	}
	// go-sev-guest verifies the signature over bytes re-serialized from the
	// parsed report; refuse reports whose bytes do not survive that round
	// trip (e.g. CPUID bits it masks) so that what was signed is exactly
	// what we read claims from.
	if canon, err := abi.ReportToAbiBytes(report); err != nil || !bytes.Equal(canon, raw) {
		return nil, attest.Fail(tee, CheckParse, errors.New("report is not in canonical ABI form"))
	}
	info, err := abi.ParseSignerInfo(report.GetSignerInfo())
	if err != nil {
		return nil, attest.Fail(tee, CheckParse, err)
	}
	chain := &spb.CertificateChain{VcekCert: certs.VCEK, VlekCert: certs.VLEK, Extras: map[string][]byte{}}
	switch info.SigningKey {
	case abi.VcekReportSigner:
		if len(chain.VcekCert) == 0 && v.cfg.Getter == nil {
			return nil, attest.Fail(tee, CheckEndorsement, errors.New("report is signed by a VCEK but the evidence carries none and collateral fetching is off"))
		}
	case abi.VlekReportSigner:
		if len(chain.VlekCert) == 0 {
			return nil, attest.Fail(tee, CheckEndorsement, verify.ErrMissingVlek)
		}
	default:
		return nil, attest.Fail(tee, CheckEndorsement, fmt.Errorf("report signer %v is not a VCEK or VLEK", info.SigningKey))
	}
	att := &spb.Attestation{Report: report, CertificateChain: chain}
	// The chain's ASK/ARK are filled from the trusted roots so that
	// go-sev-guest never fetches them; it verifies against opts.TrustedRoots
	// (or its embedded AMD roots) and never against what the guest sent.
	if roots := v.rootsFor(report); roots != nil {
		chain.AskCert, chain.ArkCert = roots.ProductCerts.Ask.Raw, roots.ProductCerts.Ark.Raw
	}
	// Fetch only what is missing; a v2 report names no product, so state
	// go-sev-guest's own default (Milan) rather than let it log a warning
	// through a logger that other libraries point at stdout.
	fetch := v.cfg.Getter != nil && len(chain.VcekCert) == 0 && len(chain.VlekCert) == 0
	var product *spb.SevProduct
	if fetch && report.GetCpuid1EaxFms() == 0 {
		product = &spb.SevProduct{Name: spb.SevProduct_SEV_PRODUCT_MILAN}
	}
	opts := &verify.Options{
		DisableCertFetching: !fetch,
		Product:             product,
		Getter:              v.cfg.Getter,
		Now:                 v.cfg.Now(),
		TrustedRoots:        v.roots,
	}
	// A chain verified before, byte for byte, needs only its validity
	// periods checked again and the report's own signature verified.
	var line string
	if fms := report.GetCpuid1EaxFms(); fms != 0 {
		line = kds.ProductLineFromFms(fms)
	}
	if ek := endorsementDER(chain, info.SigningKey); !fetch && len(ek) > 0 {
		key := v.chainKey(info.SigningKey, line, ek)
		if cert, ok := v.getChain(key, opts.Now); ok {
			if err := verify.SnpReportSignature(raw, cert); err != nil {
				return nil, attest.Fail(tee, CheckSignature, err)
			}
		} else {
			if err := verify.SnpAttestationContext(ctx, att, opts); err != nil {
				return nil, v.classify(raw, att, err)
			}
			v.remember(key, info.SigningKey, ek)
		}
	} else if err := verify.SnpAttestationContext(ctx, att, opts); err != nil {
		return nil, v.classify(raw, att, err)
	}
	if v.cfg.CheckRevocations {
		if err := v.checkRevocation(ctx, att); err != nil {
			return nil, err
		}
	}
	return att, nil
}

// endorsementDER returns the VCEK or VLEK (by signer) the chain carries.
func endorsementDER(chain *spb.CertificateChain, signer abi.ReportSigner) []byte {
	if signer == abi.VlekReportSigner {
		return chain.GetVlekCert()
	}
	return chain.GetVcekCert()
}

// remember caches an endorsement key whose chain go-sev-guest has just
// verified.
func (v *Verifier) remember(key [32]byte, signer abi.ReportSigner, ek []byte) {
	p, err := v.parseEK(ek, signer)
	if err != nil {
		return // go-sev-guest parsed it; never cache what we cannot read
	}
	cert := p.cert
	e := &chainEntry{key: key, ek: cert, notBefore: cert.NotBefore, notAfter: cert.NotAfter}
	if v.rootsNotBefore.After(e.notBefore) {
		e.notBefore = v.rootsNotBefore
	}
	if v.rootsNotAfter.Before(e.notAfter) {
		e.notAfter = v.rootsNotAfter
	}
	v.chains.put(key, e)
}

// rootsFor returns the product roots whose ASK/ARK are placed in the chain
// so that go-sev-guest never fetches them (it trusts only opts.TrustedRoots).
func (v *Verifier) rootsFor(report *spb.Report) *trust.AMDRootCerts {
	line := "Milan" // v2 reports: go-sev-guest assumes Milan for fetching too
	if fms := report.GetCpuid1EaxFms(); fms != 0 {
		line = kds.ProductLineFromFms(fms)
	}
	if rs := v.roots[line]; len(rs) > 0 && rs[0].ProductCerts != nil &&
		rs[0].ProductCerts.Ask != nil && rs[0].ProductCerts.Ark != nil {
		return rs[0]
	}
	return nil
}

// classify names the failed step of go-sev-guest's combined chain and
// signature verification.
func (v *Verifier) classify(raw []byte, att *spb.Attestation, err error) error {
	tee := v.cfg.Tee
	var recreate *trust.AttestationRecreationErr
	if errors.As(err, &recreate) || errors.Is(err, verify.ErrMissingVlek) {
		return attest.Fail(tee, CheckEndorsement, err)
	}
	var crl verify.CRLUnavailableErr
	if errors.As(err, &crl) || strings.Contains(err.Error(), "revoked") || strings.Contains(err.Error(), "CRL") {
		return attest.Fail(tee, CheckRevocation, err)
	}
	ek := att.GetCertificateChain().GetVcekCert()
	if len(ek) == 0 {
		ek = att.GetCertificateChain().GetVlekCert()
	}
	if cert, perr := x509.ParseCertificate(ek); perr == nil {
		if serr := verify.SnpReportSignature(raw, cert); serr != nil {
			return attest.Fail(tee, CheckSignature, serr)
		}
	}
	return attest.Fail(tee, CheckCertChain, err)
}

// Validate applies policy to a report whose signature and chain were
// verified: VMPL 0, REPORT_DATA and HOST_DATA bindings, debug, TCB.
func (v *Verifier) Validate(att *spb.Attestation, want attest.Expected) error {
	return v.validate(att, nil, want)
}

// validate is Validate; raw, when not nil, is the report att was parsed from
// (byte for byte, as VerifiedReport checks) and lets go-sev-guest's checks,
// a pure function of the report's bytes other than REPORT_DATA and the
// signature, of the endorsement key's DER and of the minimum TCB, be
// answered from a cache of earlier successes.
func (v *Verifier) validate(att *spb.Attestation, raw []byte, want attest.Expected) error {
	tee := v.cfg.Tee
	r := att.GetReport()
	if r.GetVmpl() != v.cfg.VMPL {
		return attest.Fail(tee, CheckVMPL, fmt.Errorf("report VMPL is %d, want %d", r.GetVmpl(), v.cfg.VMPL))
	}
	if want.ReportData != nil && subtle.ConstantTimeCompare(teesnp.ReportData(want.ReportData), r.GetReportData()) != 1 {
		return attest.Fail(tee, CheckReportData, errors.New("REPORT_DATA does not match the session's runtime-data digest"))
	}
	if want.InitDataDigest != nil && subtle.ConstantTimeCompare(teesnp.HostData(want.InitDataDigest), r.GetHostData()) != 1 {
		return attest.Fail(tee, CheckInitData, errors.New("HOST_DATA does not match the initdata digest"))
	}
	pol, err := abi.ParseSnpPolicy(r.GetPolicy())
	if err != nil {
		return attest.Fail(tee, CheckParse, err)
	}
	if pol.Debug && !v.cfg.AllowDebug {
		return attest.Fail(tee, CheckDebug, errors.New("guest policy allows debugging"))
	}
	minimum, minimumLine := v.cfg.MinimumTCB, ""
	if len(v.cfg.MinimumTCBByLine) > 0 {
		_, _, line, err := v.endorsement(att)
		if err != nil {
			return attest.Fail(tee, CheckTCB, err)
		}
		m, ok := v.cfg.MinimumTCBByLine[line]
		if !ok && line == unknownProductLine {
			return attest.Fail(tee, CheckTCB, errors.New("the endorsement key names no known product line, so the configured minimum TCB cannot be applied"))
		}
		if ok {
			minimum, minimumLine = m, line
		}
	}
	var key [32]byte
	if len(raw) == ReportSize {
		key = v.validatedKey(raw, att.GetCertificateChain(), minimumLine)
		if _, ok := v.validated.get(key); ok {
			return nil
		}
	}
	// Guest policy limits are the policy engine's business (claims); here we
	// only let go-sev-guest check TCB consistency with the VCEK and minimums.
	vopts := &validate.Options{
		GuestPolicy:               abi.SnpPolicy{ABIMajor: 0, ABIMinor: 0, SMT: true, MigrateMA: true, Debug: true, CXLAllowed: true},
		MinimumTCB:                minimum,
		PermitProvisionalFirmware: true,
	}
	if err := validate.SnpAttestation(att, vopts); err != nil {
		return attest.Fail(tee, CheckTCB, err)
	}
	if len(raw) == ReportSize {
		v.validated.put(key, struct{}{})
	}
	return nil
}

// ReportData returns REPORT_DATA of a raw report (no verification).
func ReportData(raw []byte) []byte { return bytes.Clone(raw[0x50:0x90]) }
