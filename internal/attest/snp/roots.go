package snp

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"

	"github.com/google/go-sev-guest/verify/trust"
)

// unknownProductLine is what go-sev-guest names a CPU model it does not know
// (for example Genoa-family Siena parts, CPUID model 0xA0). For those we try
// every AMD product root: the VCEK must still chain to a genuine AMD ARK and
// its HWID must still match CHIP_ID.
const unknownProductLine = "Unknown"

var (
	amdRootsOnce sync.Once
	amdRoots     map[string][]*trust.AMDRootCerts
	amdRootsErr  error
)

// AMDRoots returns AMD's ARK with its ASK (VCEK) and ASVK (VLEK) for Milan,
// Genoa and Turin, from the bundles go-sev-guest embeds (KDS cert_chain).
func AMDRoots() (map[string][]*trust.AMDRootCerts, error) {
	amdRootsOnce.Do(func() {
		amdRoots, amdRootsErr = buildRoots(map[string][2][]byte{
			"Milan": {trust.AskArkMilanVcekBytes, trust.AskArkMilanVlekBytes},
			"Genoa": {trust.AskArkGenoaVcekBytes, trust.AskArkGenoaVlekBytes},
			"Turin": {trust.AskArkTurinVcekBytes, trust.AskArkTurinVlekBytes},
		})
	})
	return amdRoots, amdRootsErr
}

func buildRoots(bundles map[string][2][]byte) (map[string][]*trust.AMDRootCerts, error) {
	out := map[string][]*trust.AMDRootCerts{}
	for _, line := range []string{"Milan", "Genoa", "Turin"} {
		b := bundles[line]
		ask, ark, err := ParseKDSChain(b[0])
		if err != nil {
			return nil, fmt.Errorf("parse embedded %s VCEK chain: %w", line, err)
		}
		asvk, ark2, err := ParseKDSChain(b[1])
		if err != nil {
			return nil, fmt.Errorf("parse embedded %s VLEK chain: %w", line, err)
		}
		if !ark.Equal(ark2) {
			return nil, fmt.Errorf("embedded %s VCEK and VLEK chains have different ARKs", line)
		}
		r := trust.AMDRootCertsProduct(line)
		r.ProductCerts = &trust.ProductCerts{Ark: ark, Ask: ask, Asvk: asvk}
		out[line] = []*trust.AMDRootCerts{r}
		out[unknownProductLine] = append(out[unknownProductLine], r)
	}
	return out, nil
}

// RootsFor builds a trusted-roots map for one custom product root (the
// snp-emulated chain): it is accepted for any product line.
func RootsFor(r *trust.AMDRootCerts) map[string][]*trust.AMDRootCerts {
	out := map[string][]*trust.AMDRootCerts{}
	for _, line := range []string{"Milan", "Genoa", "Turin", unknownProductLine} {
		out[line] = []*trust.AMDRootCerts{r}
	}
	return out
}

// ParseKDSChain parses a KDS cert_chain PEM bundle: the intermediate (ASK or
// ASVK) followed by the ARK. Text around the PEM blocks is ignored.
func ParseKDSChain(data []byte) (intermediate, ark *x509.Certificate, err error) {
	var certs []*x509.Certificate
	for {
		var blk *pem.Block
		blk, data = pem.Decode(data)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("parse certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) != 2 {
		return nil, nil, errors.New("want exactly two certificates (intermediate, ARK)")
	}
	return certs[0], certs[1], nil
}
