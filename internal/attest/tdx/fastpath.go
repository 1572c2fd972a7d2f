package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"errors"
	"math/big"
	"sync"
	"time"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	"github.com/google/go-tdx-guest/verify"
)

// maxCachedChains bounds the verified-PCK-chain cache (one chain per
// platform; a fleet has few).
const maxCachedChains = 1024

// chainCache remembers PCK certificate chains that go-tdx-guest verified in
// full, so that further quotes from the same platform only need the two
// signatures that differ per quote (QE report by PCK, quote by attestation
// key). It is used only without collateral: with collateral, TCB status
// depends on each quote's SVNs and the full path runs every time.
type chainCache struct {
	mu sync.Mutex
	m  map[[32]byte]verifiedChain
}

type verifiedChain struct {
	pck       *ecdsa.PublicKey
	notBefore time.Time // latest NotBefore of the chain
	notAfter  time.Time // earliest NotAfter of the chain
}

func pckChainPEM(q *pb.QuoteV4) []byte {
	return q.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetPckCertificateChainData().GetPckCertChain()
}

// lookup returns the cached PCK key when the chain was verified and is
// valid at now.
func (c *chainCache) lookup(q *pb.QuoteV4, now time.Time) *ecdsa.PublicKey {
	key := sha256.Sum256(pckChainPEM(q))
	c.mu.Lock()
	defer c.mu.Unlock()
	vc, ok := c.m[key]
	if !ok || now.Before(vc.notBefore) || now.After(vc.notAfter) {
		return nil
	}
	return vc.pck
}

// remember stores the chain of a quote go-tdx-guest just accepted.
func (c *chainCache) remember(q *pb.QuoteV4) {
	chain, err := verify.ExtractChainFromQuote(q)
	if err != nil {
		return
	}
	pck, ok := chain.PCKCertificate.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return
	}
	vc := verifiedChain{pck: pck, notBefore: chain.PCKCertificate.NotBefore, notAfter: chain.PCKCertificate.NotAfter}
	for _, cert := range []*struct{ nb, na time.Time }{
		{chain.IntermediateCertificate.NotBefore, chain.IntermediateCertificate.NotAfter},
		{chain.RootCertificate.NotBefore, chain.RootCertificate.NotAfter},
	} {
		if cert.nb.After(vc.notBefore) {
			vc.notBefore = cert.nb
		}
		if cert.na.Before(vc.notAfter) {
			vc.notAfter = cert.na
		}
	}
	key := sha256.Sum256(pckChainPEM(q))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedChains {
		c.m = map[[32]byte]verifiedChain{}
	}
	c.m[key] = vc
}

// verifyWithPCK checks what go-tdx-guest checks after the chain: TEE type,
// the QE report signed by the PCK key, the QE report binding the
// attestation key and QE authentication data, and the quote signed by the
// attestation key over header and body.
func verifyWithPCK(q *pb.QuoteV4, raw []byte, pck *ecdsa.PublicKey) error {
	if err := abi.CheckQuoteV4(q); err != nil {
		return err
	}
	if q.GetHeader().GetTeeType() != abi.TeeTDX {
		return abi.ErrTeeType
	}
	qe := q.GetSignedData().GetCertificationData().GetQeReportCertificationData()
	qeRaw, err := abi.EnclaveReportToAbiBytes(qe.GetQeReport())
	if err != nil {
		return err
	}
	if !verifyP256(pck, qeRaw, qe.GetQeReportSignature()) {
		return errors.New("QE report signature does not verify with the PCK key")
	}
	ak := q.GetSignedData().GetEcdsaAttestationKey()
	bound := sha256.Sum256(append(bytes.Clone(ak), qe.GetQeAuthData().GetData()...))
	want := make([]byte, len(qe.GetQeReport().GetReportData()))
	copy(want, bound[:])
	if !bytes.Equal(want, qe.GetQeReport().GetReportData()) {
		return errors.New("QE report does not bind the attestation key")
	}
	akPub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{4}, ak...))
	if err != nil {
		return err
	}
	if !verifyP256(akPub, raw[:headerSize+bodySize], q.GetSignedData().GetSignature()) {
		return errors.New("quote signature does not verify with the attestation key")
	}
	return nil
}

// verifyP256 checks a raw r||s ECDSA P-256 SHA-256 signature.
func verifyP256(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	h := sha256.Sum256(msg)
	return ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}
