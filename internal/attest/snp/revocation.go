package snp

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/verify/trust"

	"github.com/trustgate/trustgate/internal/attest"
)

// endorsement returns the verified report's endorsement key certificate,
// which key it is, and its product line ("Milan", "Genoa", "Turin") from
// the certificate's product name (the chain was verified, so the name is
// AMD's), or "Unknown".
func (v *Verifier) endorsement(att *spb.Attestation) (*x509.Certificate, abi.ReportSigner, string, error) {
	chain := att.GetCertificateChain()
	der, key := chain.GetVcekCert(), abi.VcekReportSigner
	if len(der) == 0 {
		der, key = chain.GetVlekCert(), abi.VlekReportSigner
	}
	p, err := v.parseEK(der, key)
	if err != nil {
		return nil, key, unknownProductLine, fmt.Errorf("parse endorsement key certificate: %w", err)
	}
	return p.cert, key, p.line, nil
}

// checkRevocation fetches AMD's CRL for the report's product line and key
// kind through the collateral getter (an imported bundle or AMD KDS) and
// checks it with CheckCRL. go-sev-guest's own check is not used: it keeps
// the CRL on the shared root and accepts one past its next update.
func (v *Verifier) checkRevocation(ctx context.Context, att *spb.Attestation) error {
	tee := v.cfg.Tee
	ek, key, line, err := v.endorsement(att)
	if err != nil {
		return attest.Fail(tee, CheckRevocation, err)
	}
	// The root whose intermediate signed the endorsement key (for an
	// unknown line, e.g. a Siena part, every AMD root is a candidate); its
	// line names the CRL.
	var pc *trust.ProductCerts
	var inter *x509.Certificate
	for _, r := range v.roots[line] {
		if r.ProductCerts == nil || r.ProductCerts.Ark == nil {
			continue
		}
		c := r.ProductCerts.Ask
		if key == abi.VlekReportSigner {
			c = r.ProductCerts.Asvk
		}
		if c != nil && ek.CheckSignatureFrom(c) == nil {
			pc, inter = r.ProductCerts, c
			if line == unknownProductLine && r.ProductLine != "" {
				line = r.ProductLine
			}
			break
		}
	}
	if pc == nil {
		return attest.Fail(tee, CheckRevocation, fmt.Errorf("no AMD root for product line %s issued the endorsement key, so no CRL applies", line))
	}
	if v.cfg.Getter == nil {
		return attest.Fail(tee, CheckRevocation, errors.New("no CRL source (collateral cache or AMD KDS) configured"))
	}
	url := kds.CrlLinkByKey(line, key)
	der, err := trust.GetWith(ctx, v.cfg.Getter, url)
	if err != nil {
		return attest.Fail(tee, CheckRevocation, fmt.Errorf("AMD CRL %s unavailable (online: KDS unreachable; air-gapped: import a collateral bundle holding it): %w", url, err))
	}
	if err := CheckCRL(der, pc.Ark, inter, ek, v.cfg.Now()); err != nil {
		return attest.Fail(tee, CheckRevocation, err)
	}
	return nil
}

// CheckCRL checks an AMD CRL (DER): signed by ark, current at now
// (ThisUpdate ≤ now ≤ NextUpdate), and revoking neither the intermediate
// (ASK/ASVK) nor the endorsement key.
func CheckCRL(der []byte, ark, intermediate, ek *x509.Certificate, now time.Time) error {
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		return fmt.Errorf("parse AMD CRL: %w", err)
	}
	if ark == nil {
		return errors.New("no ARK to check the CRL against")
	}
	if err := crl.CheckSignatureFrom(ark); err != nil {
		return fmt.Errorf("CRL is not signed by the AMD ARK: %w", err)
	}
	if now.Before(crl.ThisUpdate) {
		return fmt.Errorf("CRL is not valid before %s", crl.ThisUpdate.UTC().Format(time.RFC3339))
	}
	if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
		return fmt.Errorf("CRL expired at %s (refresh or re-import the collateral)", crl.NextUpdate.UTC().Format(time.RFC3339))
	}
	for _, bad := range crl.RevokedCertificateEntries {
		for _, c := range []*x509.Certificate{intermediate, ek} {
			if c != nil && c.SerialNumber.Cmp(bad.SerialNumber) == 0 {
				return fmt.Errorf("certificate %q (serial %s) was revoked at %s", c.Subject.CommonName, c.SerialNumber, bad.RevocationTime.UTC().Format(time.RFC3339))
			}
		}
	}
	return nil
}

// ParseMinimumTCB parses per-product-line minimum TCBs written as
// "Milan:bl=3,tee=0,snp=8,ucode=115;Genoa:bl=7,tee=0,snp=14,ucode=72"
// (components bl, tee, snp, ucode; an omitted one is 0). Product lines are
// Milan, Genoa and Turin.
func ParseMinimumTCB(s string) (map[string]kds.TCBParts, error) {
	out := map[string]kds.TCBParts{}
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		line, comps, ok := strings.Cut(part, ":")
		line = strings.TrimSpace(line)
		if !ok {
			return nil, fmt.Errorf("minimum TCB %q: want LINE:bl=N,tee=N,snp=N,ucode=N", part)
		}
		switch line {
		case "Milan", "Genoa", "Turin":
		default:
			return nil, fmt.Errorf("minimum TCB: unknown product line %q (want Milan, Genoa or Turin)", line)
		}
		if _, dup := out[line]; dup {
			return nil, fmt.Errorf("minimum TCB: product line %s given twice", line)
		}
		var p kds.TCBParts
		for _, c := range strings.Split(comps, ",") {
			name, val, ok := strings.Cut(strings.TrimSpace(c), "=")
			if !ok {
				return nil, fmt.Errorf("minimum TCB %s: component %q: want NAME=N", line, c)
			}
			n, err := strconv.ParseUint(strings.TrimSpace(val), 10, 8)
			if err != nil {
				return nil, fmt.Errorf("minimum TCB %s: component %q: want a number 0..255", line, c)
			}
			switch strings.TrimSpace(name) {
			case "bl":
				p.BlSpl = uint8(n)
			case "tee":
				p.TeeSpl = uint8(n)
			case "snp":
				p.SnpSpl = uint8(n)
			case "ucode":
				p.UcodeSpl = uint8(n)
			default:
				return nil, fmt.Errorf("minimum TCB %s: unknown component %q (want bl, tee, snp, ucode)", line, name)
			}
		}
		out[line] = p
	}
	return out, nil
}
