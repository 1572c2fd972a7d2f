package benchfloor

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"testing"

	sevabi "github.com/google/go-sev-guest/abi"
	tdxabi "github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	"github.com/google/go-tdx-guest/verify"

	"github.com/trustgate/trustgate/internal/attest/azvtpm"
)

// Loop runs f b.N times, reporting allocations: the body of each package's
// BenchmarkVerify and BenchmarkFloor.
func Loop(b *testing.B, f func() error) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
}

// SNPReport returns the three signature checks an SNP report needs: the
// report's ECDSA P-384 signature by the VCEK, and the VCEK and ASK RSA-PSS
// signatures up to the ARK.
func SNPReport(raw []byte, vcek, ask, ark *x509.Certificate) (func() error, error) {
	der, err := sevabi.ReportToSignatureDER(raw)
	if err != nil {
		return nil, fmt.Errorf("snp floor: %w", err)
	}
	signed := sevabi.SignedComponent(raw)
	return func() error {
		if err := vcek.CheckSignature(x509.ECDSAWithSHA384, signed, der); err != nil {
			return err
		}
		if err := vcek.CheckSignatureFrom(ask); err != nil {
			return err
		}
		return ask.CheckSignatureFrom(ark)
	}, nil
}

// tdxSigned is the part of a v4 quote the attestation key signs: the
// 48-byte header and the 584-byte TD report body.
const tdxSigned = 48 + 584

// TDXQuote returns the four ECDSA P-256 checks a v4 TDX quote needs:
// intermediate CA by root, PCK by intermediate, QE report by PCK, quote by
// the attestation key.
func TDXQuote(raw []byte) (func() error, error) {
	anyQ, err := tdxabi.QuoteToProto(raw)
	if err != nil {
		return nil, fmt.Errorf("tdx floor: %w", err)
	}
	q, ok := anyQ.(*pb.QuoteV4)
	if !ok || len(raw) < tdxSigned {
		return nil, errors.New("tdx floor: not a v4 quote")
	}
	chain, err := verify.ExtractChainFromQuote(q)
	if err != nil {
		return nil, fmt.Errorf("tdx floor: %w", err)
	}
	qe := q.GetSignedData().GetCertificationData().GetQeReportCertificationData()
	qeRaw, err := tdxabi.EnclaveReportToAbiBytes(qe.GetQeReport())
	if err != nil {
		return nil, fmt.Errorf("tdx floor: %w", err)
	}
	qeSig := qe.GetQeReportSignature()
	pck, ok := chain.PCKCertificate.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return nil, errors.New("tdx floor: PCK key is not ECDSA")
	}
	ak, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{4}, q.GetSignedData().GetEcdsaAttestationKey()...))
	if err != nil {
		return nil, fmt.Errorf("tdx floor: %w", err)
	}
	sig := q.GetSignedData().GetSignature()
	signed := raw[:tdxSigned]
	return func() error {
		if err := chain.IntermediateCertificate.CheckSignatureFrom(chain.RootCertificate); err != nil {
			return err
		}
		if err := chain.PCKCertificate.CheckSignatureFrom(chain.IntermediateCertificate); err != nil {
			return err
		}
		h := sha256.Sum256(qeRaw)
		if !ecdsa.Verify(pck, h[:], new(big.Int).SetBytes(qeSig[:32]), new(big.Int).SetBytes(qeSig[32:])) {
			return errors.New("QE report signature")
		}
		h = sha256.Sum256(signed)
		if !ecdsa.Verify(ak, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			return errors.New("quote signature")
		}
		return nil
	}, nil
}

// VTPM returns the floor of Azure vTPM evidence: the hardware checks hw
// builds from the HCL report (SNPReport or TDXQuote), then the vTPM quote's
// RSA signature by the attestation key the HCL report carries.
func VTPM(ev *azvtpm.Evidence, hw func(h *azvtpm.HCLReport) (func() error, error)) (func() error, error) {
	h, err := azvtpm.ParseHCLReport(ev.HCLReport)
	if err != nil {
		return nil, fmt.Errorf("vtpm floor: %w", err)
	}
	rd, err := azvtpm.ParseRuntimeData(h.RuntimeData)
	if err != nil {
		return nil, fmt.Errorf("vtpm floor: %w", err)
	}
	hwCheck, err := hw(h)
	if err != nil {
		return nil, err
	}
	return func() error {
		if err := hwCheck(); err != nil {
			return err
		}
		d := sha256.Sum256(ev.Quote.Message)
		return rsa.VerifyPKCS1v15(rd.AK, crypto.SHA256, d[:], ev.Quote.Signature)
	}, nil
}
