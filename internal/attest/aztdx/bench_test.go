package aztdx

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"testing"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	"github.com/google/go-tdx-guest/verify"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/azvtpm"
	"github.com/trustgate/trustgate/internal/attest/benchfloor"
)

// BenchmarkVerify measures full az-tdx-vtpm verification (no collateral)
// next to BenchmarkFloor: the TD quote's four ECDSA P-256 checks and the vTPM
// quote's RSA check.
func benchVerify(b *testing.B) func() error {
	ev, data := load(b)
	v := New(Config{Now: clock(b, ev.TDQuote)})
	want := attest.Expected{ReportData: nonce(b, ev)}
	ctx := context.Background()
	return func() error { _, err := v.Verify(ctx, data, want); return err }
}

func benchFloor(b *testing.B) func() error {
	ev, _ := load(b)
	h, _ := azvtpm.ParseHCLReport(ev.HCLReport)
	rd, err := azvtpm.ParseRuntimeData(h.RuntimeData)
	if err != nil {
		b.Fatal(err)
	}
	anyQ, err := abi.QuoteToProto(ev.TDQuote)
	if err != nil {
		b.Fatal(err)
	}
	q := anyQ.(*pb.QuoteV4)
	chain, err := verify.ExtractChainFromQuote(q)
	if err != nil {
		b.Fatal(err)
	}
	qe := q.GetSignedData().GetCertificationData().GetQeReportCertificationData()
	qeRaw, _ := abi.EnclaveReportToAbiBytes(qe.GetQeReport())
	qeSig := qe.GetQeReportSignature()
	pck := chain.PCKCertificate.PublicKey.(*ecdsa.PublicKey)
	xy := q.GetSignedData().GetEcdsaAttestationKey()
	ak, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{4}, xy...))
	if err != nil {
		b.Fatal(err)
	}
	sig := q.GetSignedData().GetSignature()
	signed := ev.TDQuote[:48+584]
	return func() error {
		if err := chain.IntermediateCertificate.CheckSignatureFrom(chain.RootCertificate); err != nil {
			return err
		}
		if err := chain.PCKCertificate.CheckSignatureFrom(chain.IntermediateCertificate); err != nil {
			return err
		}
		hq := sha256.Sum256(qeRaw)
		if !ecdsa.Verify(pck, hq[:], new(big.Int).SetBytes(qeSig[:32]), new(big.Int).SetBytes(qeSig[32:])) {
			return errors.New("QE report signature")
		}
		hq = sha256.Sum256(signed)
		if !ecdsa.Verify(ak, hq[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			return errors.New("quote signature")
		}
		d := sha256.Sum256(ev.Quote.Message)
		if err := rsa.VerifyPKCS1v15(rd.AK, crypto.SHA256, d[:], ev.Quote.Signature); err != nil {
			return err
		}
		return nil
	}
}

func BenchmarkVerify(b *testing.B) {
	f := benchVerify(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFloor(b *testing.B) {
	f := benchFloor(b)
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyVsFloor interleaves the two and reports their ratio.
func BenchmarkVerifyVsFloor(b *testing.B) { benchfloor.Compare(b, benchVerify(b), benchFloor(b)) }
