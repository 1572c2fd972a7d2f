// Package snpemu verifies snp-emulated evidence: SNP reports in the real ABI
// layout signed by a locally generated ARK→ASK→VCEK chain (see
// internal/attester/snpemu). It is a development TEE: it is enabled only when
// trustee is given the chain's ARK, it says so loudly, and every claim set it
// returns carries "emulated": true so that the default resource policy never
// releases secrets to it unless an operator explicitly allows it.
package snpemu

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/go-sev-guest/verify/trust"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/snp"
)

// ClaimEmulated is set to true in every snp-emulated claim set.
const ClaimEmulated = "emulated"

// CheckASK names a missing or malformed ASK in the evidence.
const CheckASK = "ask"

// Config configures the snp-emulated verifier.
type Config struct {
	// Root is the emulated chain's ARK; required.
	Root *x509.Certificate
	// Now is the clock for certificate validity; nil means time.Now.
	Now func() time.Time
	// Logger receives the loud warning; nil means slog.Default().
	Logger *slog.Logger
	// AllowDebug accepts reports whose guest policy allows debugging.
	AllowDebug bool
}

// Verifier verifies snp-emulated evidence.
type Verifier struct {
	cfg Config

	// The emulated chain's ASK is the same in every evidence; keep the
	// verifier built for the last one instead of rebuilding it per request.
	mu    sync.Mutex
	ask   []byte
	inner *snp.Verifier
}

var _ attest.Verifier = (*Verifier)(nil)

// New returns a verifier trusting cfg.Root, and logs a warning that an
// emulated TEE is trusted.
func New(cfg Config) (*Verifier, error) {
	if cfg.Root == nil {
		return nil, errors.New("snp-emulated verifier: no development root")
	}
	if !cfg.Root.IsCA {
		return nil, errors.New("snp-emulated verifier: development root is not a CA certificate")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Logger.Warn("INSECURE: snp-emulated TEE enabled; evidence signed by a locally generated development root is accepted and marked emulated. Never use this in production.",
		"tee", attest.TeeSNPEmulated, "root_subject", cfg.Root.Subject.String(), "root_serial", cfg.Root.SerialNumber.String())
	return &Verifier{cfg: cfg}, nil
}

// Verify checks the evidence's VCEK chain to the development ARK (through
// the ASK the evidence carries), the report signature and bindings, and
// returns SNP claims plus "emulated": true.
func (v *Verifier) Verify(ctx context.Context, evidence []byte, want attest.Expected) (attest.Claims, error) {
	tee := attest.TeeSNPEmulated
	ev, err := snp.ParseEvidence(evidence)
	if err != nil {
		return nil, attest.Fail(tee, snp.CheckParse, err)
	}
	if len(ev.Certs.ASK) == 0 {
		return nil, attest.Fail(tee, CheckASK, errors.New("cert_chain lacks the ASK of the emulated chain"))
	}
	sv, err := v.verifierFor(ev.Certs.ASK)
	if err != nil {
		return nil, err
	}
	claims, err := sv.VerifyReport(ctx, ev.Report, snp.Certs{VCEK: ev.Certs.VCEK, VLEK: ev.Certs.VLEK}, want)
	if err != nil {
		return nil, err
	}
	claims[ClaimEmulated] = true
	return claims, nil
}

// verifierFor returns an SNP verifier trusting the development ARK through
// askDER.
func (v *Verifier) verifierFor(askDER []byte) (*snp.Verifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.inner != nil && bytes.Equal(v.ask, askDER) {
		return v.inner, nil
	}
	ask, err := x509.ParseCertificate(askDER)
	if err != nil {
		return nil, attest.Fail(attest.TeeSNPEmulated, CheckASK, err)
	}
	// The ASK is only an intermediate: go-sev-guest verifies VCEK→ASK→ARK
	// with the development ARK as the sole root.
	roots := trust.AMDRootCertsProduct("Milan")
	roots.ProductCerts = &trust.ProductCerts{Ark: v.cfg.Root, Ask: ask}
	sv, err := snp.New(snp.Config{Tee: attest.TeeSNPEmulated, Now: v.cfg.Now, Roots: snp.RootsFor(roots), AllowDebug: v.cfg.AllowDebug})
	if err != nil {
		return nil, err
	}
	v.ask, v.inner = bytes.Clone(askDER), sv
	return sv, nil
}

// LoadRoot reads the development ARK (PEM or DER) from path.
func LoadRoot(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load snp-emulated root: %w", err)
	}
	if blk, _ := pem.Decode(data); blk != nil {
		data = blk.Bytes
	}
	c, err := x509.ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("load snp-emulated root %s: %w", path, err)
	}
	return c, nil
}
