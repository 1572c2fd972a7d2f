package snp

import (
	"container/list"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"sort"
	"sync"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/verify/trust"
)

// chainCacheSize bounds the verified endorsement chains kept per verifier:
// one per chip and TCB version seen (a VCEK changes with both), so a fleet
// of a few hundred hosts fits.
const chainCacheSize = 1024

// chainCache remembers endorsement keys (VCEK/VLEK) whose chain to the
// verifier's trusted ARK go-sev-guest has verified, keyed by the SHA-256 of
// the exact bytes that verification depended on (the trusted roots, the
// signer kind, the report's product line and the endorsement key's DER). A
// hit skips only the chain's RSA-PSS signature checks and the certificate's
// structural checks, both pure functions of those bytes; the validity
// periods are checked again at every use against the verifier's clock, the
// report signature is always verified, and revocation (Config.
// CheckRevocations) is always checked. Only successes are stored.
type chainCache = lru[*chainEntry]

type chainEntry struct {
	key [32]byte
	ek  *x509.Certificate
	// notBefore/notAfter is the intersection of the endorsement key's
	// validity with that of every trusted root certificate, so that a hit
	// is never accepted at a time when the full verification would refuse
	// a certificate of the chain as expired or not yet valid.
	notBefore, notAfter time.Time
}

func newChainCache(max int) *chainCache { return newLRU[*chainEntry](max) }

// getChain returns the endorsement key cached under key if it is valid at
// now.
func (v *Verifier) getChain(key [32]byte, now time.Time) (*x509.Certificate, bool) {
	e, ok := v.chains.get(key)
	if !ok || now.Before(e.notBefore) || now.After(e.notAfter) {
		return nil, false // the full verification decides, with its error
	}
	return e.ek, true
}

// lru is a bounded map from a SHA-256 key to a value, dropping the least
// recently used entry beyond max. It is safe for concurrent use.
type lru[V any] struct {
	mu  sync.Mutex
	ll  *list.List // front is most recently used; values are lruEntry[V]
	m   map[[32]byte]*list.Element
	max int
}

type lruEntry[V any] struct {
	key [32]byte
	val V
}

func newLRU[V any](max int) *lru[V] {
	return &lru[V]{ll: list.New(), m: make(map[[32]byte]*list.Element), max: max}
}

func (c *lru[V]) get(key [32]byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[key]
	if !ok {
		var zero V
		return zero, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(lruEntry[V]).val, true
}

func (c *lru[V]) put(key [32]byte, val V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[key]; ok {
		el.Value = lruEntry[V]{key, val}
		c.ll.MoveToFront(el)
		return
	}
	c.m[key] = c.ll.PushFront(lruEntry[V]{key, val})
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(lruEntry[V]).key)
	}
}

func (c *lru[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

// rootsIdentity digests every trusted root certificate (by product line, in
// a fixed order) and returns the intersection of their validity periods.
func rootsIdentity(roots map[string][]*trust.AMDRootCerts) (digest [32]byte, notBefore, notAfter time.Time) {
	h := sha256.New()
	notAfter = time.Unix(1<<62, 0)
	add := func(c *x509.Certificate) {
		if c == nil {
			_, _ = h.Write([]byte{0})
			return
		}
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(c.Raw)))
		_, _ = h.Write(n[:])
		_, _ = h.Write(c.Raw)
		if c.NotBefore.After(notBefore) {
			notBefore = c.NotBefore
		}
		if c.NotAfter.Before(notAfter) {
			notAfter = c.NotAfter
		}
	}
	lines := make([]string, 0, len(roots))
	for l := range roots {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	for _, l := range lines {
		_, _ = h.Write([]byte(l + "\x00"))
		for _, r := range roots[l] {
			if r == nil || r.ProductCerts == nil {
				_, _ = h.Write([]byte{1})
				continue
			}
			add(r.ProductCerts.Ark)
			add(r.ProductCerts.Ask)
			add(r.ProductCerts.Asvk)
		}
	}
	copy(digest[:], h.Sum(nil))
	return digest, notBefore, notAfter
}

// chainKey is the cache key of an endorsement key ek of kind signer for a
// report of product line line ("" for v2 reports) under the verifier's
// roots.
func (v *Verifier) chainKey(signer abi.ReportSigner, line string, ek []byte) [32]byte {
	h := sha256.New()
	_, _ = h.Write(v.rootsDigest[:])
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(signer))
	_, _ = h.Write(n[:])
	_, _ = h.Write([]byte(line + "\x00"))
	_, _ = h.Write(ek)
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

// validatedCacheSize bounds the remembered report validations: one per
// guest image, platform TCB and endorsement key seen.
const validatedCacheSize = 4096

// parsedEK is an endorsement key (VCEK/VLEK) certificate parsed once per
// distinct DER, with the product line its extensions name.
type parsedEK struct {
	cert *x509.Certificate // shared: read only
	line string            // unknownProductLine when the extensions name none
}

// parseEK parses der (an endorsement key of kind signer), or returns the
// result of parsing the same bytes before. Only successes are cached.
func (v *Verifier) parseEK(der []byte, signer abi.ReportSigner) (*parsedEK, error) {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(signer))
	_, _ = h.Write(n[:])
	_, _ = h.Write(der)
	var key [32]byte
	h.Sum(key[:0])
	if p, ok := v.certs.get(key); ok {
		return p, nil
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	p := &parsedEK{cert: cert, line: unknownProductLine}
	if ext, err := kds.CertificateExtensions(cert, signer); err == nil {
		p.line = kds.ProductLineOfProductName(ext.ProductName)
	}
	v.certs.put(key, p)
	return p, nil
}

// Offsets of the report fields that differ between two reports of one
// guest on one platform (ABI: REPORT_DATA 0x50..0x90, SIGNATURE from 0x2A0).
const (
	offReportData    = 0x50
	offReportDataEnd = 0x90
	offSignature     = 0x2A0
)

// validatedKey digests what go-sev-guest's validate.SnpAttestation reads
// with the options Validate gives it: every report byte except
// REPORT_DATA (compared by Validate itself, not through those options) and
// the signature (verified before, per report), the endorsement keys' DER,
// and which minimum TCB applies (minimumLine: "" for Config.MinimumTCB, else
// the product line of Config.MinimumTCBByLine). The verifier's Config is
// fixed, so equal keys give equal answers.
func (v *Verifier) validatedKey(raw []byte, chain *spb.CertificateChain, minimumLine string) [32]byte {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		_, _ = h.Write(n[:])
		_, _ = h.Write(b)
	}
	field([]byte(minimumLine))
	field(raw[:offReportData])
	field(raw[offReportDataEnd:offSignature])
	field(chain.GetVcekCert())
	field(chain.GetVlekCert())
	var key [32]byte
	h.Sum(key[:0])
	return key
}
