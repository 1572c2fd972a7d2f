package tdx

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"errors"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	"github.com/google/go-tdx-guest/verify"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/benchfloor"
	"github.com/trustgate/trustgate/internal/testenv"
)

func benchQuote(b *testing.B) []byte {
	return read(b, filepath.Join(testenv.SharedTestvectors(b, "trustee/tdx"), "tdx_quote_6.dat"))
}

// benchVerify is full verification of a v4 quote (PCK chain, QE report,
// quote signature; no collateral).
func benchVerify(b *testing.B) func() error {
	raw := benchQuote(b)
	now := pckClock(b, raw)
	v := New(Config{Now: func() time.Time { return now }, AllowDebug: true})
	ctx := context.Background()
	want := attest.Expected{ReportData: reportData(raw)}
	return func() error { _, err := v.VerifyQuote(ctx, raw, nil, want); return err }
}

// floorFunc returns the four ECDSA P-256 checks a v4 quote needs:
// intermediate CA by root, PCK by intermediate, QE report by PCK, quote by
// the attestation key.
func floorFunc(raw []byte) (func() error, error) {
	anyQ, err := abi.QuoteToProto(raw)
	if err != nil {
		return nil, err
	}
	q := anyQ.(*pb.QuoteV4)
	chain, err := verify.ExtractChainFromQuote(q)
	if err != nil {
		return nil, err
	}
	qe := q.GetSignedData().GetCertificationData().GetQeReportCertificationData()
	qeRaw, err := abi.EnclaveReportToAbiBytes(qe.GetQeReport())
	if err != nil {
		return nil, err
	}
	qeSig := qe.GetQeReportSignature()
	pck := chain.PCKCertificate.PublicKey.(*ecdsa.PublicKey)
	xy := q.GetSignedData().GetEcdsaAttestationKey()
	ak, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{4}, xy...))
	if err != nil {
		return nil, err
	}
	sig := q.GetSignedData().GetSignature()
	signed := raw[:headerSize+bodySize]
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

func benchFloor(b *testing.B) func() error {
	f, err := floorFunc(benchQuote(b))
	if err != nil {
		b.Fatal(err)
	}
	return f
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
