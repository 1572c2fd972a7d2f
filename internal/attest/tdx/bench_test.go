package tdx

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	"github.com/google/go-tdx-guest/verify"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/testenv"
)

func benchQuote(b *testing.B) []byte {
	return read(b, filepath.Join(testenv.SharedTestvectors(b, "trustee/tdx"), "tdx_quote_6.dat"))
}

// BenchmarkVerify measures full verification of a v4 quote (PCK chain,
// QE report, quote signature; no collateral) next to BenchmarkFloor.
func BenchmarkVerify(b *testing.B) {
	raw := benchQuote(b)
	now := pckClock(b, raw)
	v := New(Config{Now: func() time.Time { return now }, AllowDebug: true})
	ctx := context.Background()
	want := attest.Expected{ReportData: reportData(raw)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.VerifyQuote(ctx, raw, nil, want); err != nil {
			b.Fatal(err)
		}
	}
}

func p256(xy []byte) *ecdsa.PublicKey {
	return &ecdsa.PublicKey{Curve: elliptic.P256(), X: new(big.Int).SetBytes(xy[:32]), Y: new(big.Int).SetBytes(xy[32:])}
}

// BenchmarkFloor is the four ECDSA P-256 checks a quote needs: intermediate
// CA by root, PCK by intermediate, QE report by PCK, quote by the
// attestation key.
func BenchmarkFloor(b *testing.B) {
	raw := benchQuote(b)
	anyQ, err := abi.QuoteToProto(raw)
	if err != nil {
		b.Fatal(err)
	}
	q := anyQ.(*pb.QuoteV4)
	chain, err := verify.ExtractChainFromQuote(q)
	if err != nil {
		b.Fatal(err)
	}
	qe := q.GetSignedData().GetCertificationData().GetQeReportCertificationData()
	qeRaw, err := abi.EnclaveReportToAbiBytes(qe.GetQeReport())
	if err != nil {
		b.Fatal(err)
	}
	qeSig := qe.GetQeReportSignature()
	pck := chain.PCKCertificate.PublicKey.(*ecdsa.PublicKey)
	ak := p256(q.GetSignedData().GetEcdsaAttestationKey())
	sig := q.GetSignedData().GetSignature()
	signed := raw[:headerSize+bodySize]
	for b.Loop() {
		if err := chain.IntermediateCertificate.CheckSignatureFrom(chain.RootCertificate); err != nil {
			b.Fatal(err)
		}
		if err := chain.PCKCertificate.CheckSignatureFrom(chain.IntermediateCertificate); err != nil {
			b.Fatal(err)
		}
		h := sha256.Sum256(qeRaw)
		if !ecdsa.Verify(pck, h[:], new(big.Int).SetBytes(qeSig[:32]), new(big.Int).SetBytes(qeSig[32:])) {
			b.Fatal("QE report signature")
		}
		h = sha256.Sum256(signed)
		if !ecdsa.Verify(ak, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			b.Fatal("quote signature")
		}
	}
}
