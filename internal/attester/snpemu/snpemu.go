// Package snpemu is an emulated AMD SEV-SNP guest for development and tests:
// it plays the AMD secure processor with a locally generated ARK→ASK→VCEK
// chain and emits real-layout, VCEK-signed attestation reports carrying
// REPORT_DATA, HOST_DATA and a configured launch measurement, in the upstream
// attestation agent's SNP evidence JSON. Trustee accepts them only when it is
// started with the chain's ARK (--dev-emulated-snp-root) and marks the
// resulting claims as emulated. Nothing here is confidential computing.
package snpemu

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	sevtesting "github.com/google/go-sev-guest/testing"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/tee"
	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
)

// File names written by GenerateRoot.
const (
	ARKFile     = "ark.pem"      // the trust anchor to give trustee (--dev-emulated-snp-root)
	ASKFile     = "ask.pem"      // intermediate, shipped in the evidence cert_chain
	VCEKFile    = "vcek.pem"     // endorsement certificate, shipped in the evidence
	VCEKKeyFile = "vcek-key.pem" // PKCS#8 ECDSA P-384 private key, mode 0600
)

// productName is the CPU the emulator claims to be; report version 3 carries
// the matching CPUID family/model/stepping.
const productName = "Milan-B0"

var (
	milanFamily, milanModel, milanStepping byte = 0x19, 0x01, 0x01
	// emulatedTCB is the TCB both the VCEK and the reports state.
	emulatedTCB = kds.TCBParts{BlSpl: 3, TeeSpl: 0, SnpSpl: 8, UcodeSpl: 115}
)

// GenerateRoot creates a fresh ARK (RSA-4096) → ASK (RSA-4096) → VCEK
// (ECDSA P-384) chain in dir with go-sev-guest's KDS-shaped certificate
// builder, writes the certificates and the VCEK key, and returns the ARK.
// The ARK and ASK private keys are discarded: the chain cannot be extended.
func GenerateRoot(dir string) (*x509.Certificate, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("generate snp-emulated root: %w", err)
	}
	ark, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		return nil, fmt.Errorf("generate snp-emulated ARK key: %w", err)
	}
	ask, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		return nil, fmt.Errorf("generate snp-emulated ASK key: %w", err)
	}
	vcek, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate snp-emulated VCEK key: %w", err)
	}
	var hwid [abi.ChipIDSize]byte
	if _, err := rand.Read(hwid[:]); err != nil {
		return nil, err
	}
	now := time.Now().Add(-time.Hour)
	b := &sevtesting.AmdSignerBuilder{
		Keys:             &sevtesting.AmdKeys{Ark: ark, Ask: ask, Asvk: ask, Vcek: vcek},
		ProductName:      productName,
		ArkCreationTime:  now,
		AskCreationTime:  now,
		AsvkCreationTime: now,
		VcekCreationTime: now,
		HWID:             hwid,
		VcekCustom:       sevtesting.CertOverride{Extensions: sevtesting.CustomExtensions(emulatedTCB, hwid[:], "", productName)},
	}
	s, err := b.TestOnlyCertChain()
	if err != nil {
		return nil, fmt.Errorf("build snp-emulated chain: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(vcek)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name, typ string
		der       []byte
		mode      os.FileMode
	}{
		{ARKFile, "CERTIFICATE", s.Ark.Raw, 0o644},
		{ASKFile, "CERTIFICATE", s.Ask.Raw, 0o644},
		{VCEKFile, "CERTIFICATE", s.Vcek.Raw, 0o644},
		{VCEKKeyFile, "PRIVATE KEY", keyDER, 0o600},
	} {
		data := pem.EncodeToMemory(&pem.Block{Type: f.typ, Bytes: f.der})
		if err := os.WriteFile(filepath.Join(dir, f.name), data, f.mode); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	return s.Ark, nil
}

// Config configures an emulated guest.
type Config struct {
	// Dir holds the chain written by GenerateRoot.
	Dir string
	// Measurement is the launch measurement to report (48 bytes; shorter is
	// zero-padded).
	Measurement []byte
	// InitDataDigest is bound as HOST_DATA (zero-padded/truncated to 32).
	InitDataDigest []byte
	// Debug sets the guest policy's debug bit (to test that it is refused).
	Debug bool
}

// Attester emits snp-emulated evidence. It is safe for concurrent use.
type Attester struct {
	key         *ecdsa.PrivateKey
	vcek, ask   []byte
	hwid        []byte
	measurement []byte
	hostData    []byte
	policy      uint64
}

var _ attester.Attester = (*Attester)(nil)

func readPEM(path, typ string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(data)
	if blk == nil || blk.Type != typ {
		return nil, fmt.Errorf("%s: no %s PEM block", path, typ)
	}
	return blk.Bytes, nil
}

// New loads the chain from cfg.Dir.
func New(cfg Config) (*Attester, error) {
	if len(cfg.Measurement) > abi.MeasurementSize {
		return nil, fmt.Errorf("snp-emulated: measurement has %d bytes, max %d", len(cfg.Measurement), abi.MeasurementSize)
	}
	keyDER, err := readPEM(filepath.Join(cfg.Dir, VCEKKeyFile), "PRIVATE KEY")
	if err != nil {
		return nil, fmt.Errorf("snp-emulated: load VCEK key: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(keyDER)
	if err != nil {
		return nil, fmt.Errorf("snp-emulated: parse VCEK key: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || key.Curve != elliptic.P384() {
		return nil, errors.New("snp-emulated: VCEK key is not ECDSA P-384")
	}
	vcek, err := readPEM(filepath.Join(cfg.Dir, VCEKFile), "CERTIFICATE")
	if err != nil {
		return nil, fmt.Errorf("snp-emulated: load VCEK: %w", err)
	}
	ask, err := readPEM(filepath.Join(cfg.Dir, ASKFile), "CERTIFICATE")
	if err != nil {
		return nil, fmt.Errorf("snp-emulated: load ASK: %w", err)
	}
	cert, err := x509.ParseCertificate(vcek)
	if err != nil {
		return nil, fmt.Errorf("snp-emulated: parse VCEK: %w", err)
	}
	exts, err := kds.VcekCertificateExtensions(cert)
	if err != nil {
		return nil, fmt.Errorf("snp-emulated: VCEK extensions: %w", err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || !pub.Equal(&key.PublicKey) {
		return nil, errors.New("snp-emulated: VCEK certificate does not match the VCEK key")
	}
	policy := abi.SnpPolicyToBytes(abi.SnpPolicy{SMT: true, Debug: cfg.Debug})
	return &Attester{
		key: key, vcek: vcek, ask: ask, hwid: exts.HWID[:],
		measurement: tee.Regularize(cfg.Measurement, abi.MeasurementSize),
		hostData:    teesnp.HostData(cfg.InitDataDigest),
		policy:      policy,
	}, nil
}

// Tee returns "snp-emulated".
func (a *Attester) Tee() string { return attest.TeeSNPEmulated }

// InitDataSize is the size of HOST_DATA, as on snp.
func (*Attester) InitDataSize() int { return teesnp.HostDataSize }

// ExpectedInitData is HOST_DATA binding digest, as on snp.
func (*Attester) ExpectedInitData(digest []byte) []byte { return teesnp.HostData(digest) }

// BoundInitData returns HOST_DATA.
func (a *Attester) BoundInitData(context.Context) ([]byte, error) {
	return bytes.Clone(a.hostData), nil
}

// Report returns a signed raw report binding reportData.
func (a *Attester) Report(reportData []byte) ([]byte, error) {
	tcb, err := kds.ComposeTCBParts(emulatedTCB)
	if err != nil {
		return nil, err
	}
	r := &spb.Report{
		Version:         abi.ReportVersion3,
		Policy:          a.policy,
		FamilyId:        make([]byte, abi.FamilyIDSize),
		ImageId:         make([]byte, abi.ImageIDSize),
		SignatureAlgo:   abi.SignEcdsaP384Sha384,
		CurrentTcb:      uint64(tcb),
		PlatformInfo:    1, // SMT enabled
		ReportData:      teesnp.ReportData(reportData),
		Measurement:     a.measurement,
		HostData:        a.hostData,
		IdKeyDigest:     make([]byte, abi.IDKeyDigestSize),
		AuthorKeyDigest: make([]byte, abi.AuthorKeyDigestSize),
		ReportId:        make([]byte, abi.ReportIDSize),
		ReportIdMa:      make([]byte, abi.ReportIDMASize),
		ReportedTcb:     uint64(tcb),
		Cpuid1EaxFms:    abi.FmsToCpuid1Eax(milanFamily, milanModel, milanStepping),
		ChipId:          a.hwid,
		CommittedTcb:    uint64(tcb),
		CurrentBuild:    21, CurrentMinor: 55, CurrentMajor: 1,
		CommittedBuild: 21, CommittedMinor: 55, CommittedMajor: 1,
		LaunchTcb: uint64(tcb),
		Signature: make([]byte, abi.SignatureSize),
	}
	raw, err := abi.ReportToAbiBytes(r)
	if err != nil {
		return nil, fmt.Errorf("snp-emulated: lay out report: %w", err)
	}
	digest := sha512.Sum384(abi.SignedComponent(raw))
	rr, ss, err := ecdsa.Sign(rand.Reader, a.key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("snp-emulated: sign report: %w", err)
	}
	if err := abi.SetSignature(rr, ss, raw); err != nil {
		return nil, fmt.Errorf("snp-emulated: set signature: %w", err)
	}
	return raw, nil
}

// Certs returns the certificates shipped with each report (VCEK and ASK).
func (a *Attester) Certs() teesnp.Certs { return teesnp.Certs{VCEK: a.vcek, ASK: a.ask} }

// Evidence returns upstream's SNP AA evidence JSON for reportData.
func (a *Attester) Evidence(_ context.Context, reportData []byte) ([]byte, error) {
	raw, err := a.Report(reportData)
	if err != nil {
		return nil, err
	}
	return teesnp.Encode(raw, a.Certs().Chain())
}
