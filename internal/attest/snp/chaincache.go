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
type chainCache struct {
	mu  sync.Mutex
	ll  *list.List // front is most recently used; values are *chainEntry
	m   map[[32]byte]*list.Element
	max int
}

type chainEntry struct {
	key [32]byte
	ek  *x509.Certificate
	// notBefore/notAfter is the intersection of the endorsement key's
	// validity with that of every trusted root certificate, so that a hit
	// is never accepted at a time when the full verification would refuse
	// a certificate of the chain as expired or not yet valid.
	notBefore, notAfter time.Time
}

func newChainCache(max int) *chainCache {
	return &chainCache{ll: list.New(), m: make(map[[32]byte]*list.Element), max: max}
}

// get returns the endorsement key cached under key if it is valid at now.
func (c *chainCache) get(key [32]byte, now time.Time) (*x509.Certificate, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*chainEntry)
	if now.Before(e.notBefore) || now.After(e.notAfter) {
		return nil, false // the full verification decides, with its error
	}
	c.ll.MoveToFront(el)
	return e.ek, true
}

func (c *chainCache) put(e *chainEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[e.key]; ok {
		el.Value = e
		c.ll.MoveToFront(el)
		return
	}
	c.m[e.key] = c.ll.PushFront(e)
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*chainEntry).key)
	}
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
