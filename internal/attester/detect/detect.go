// Package detect picks the guest's attester: the TEE the machine offers, in
// the order upstream's attestation agent checks them (tdx, az-tdx-vtpm,
// az-snp-vtpm, snp, falling back to sample), or the one named by --tee.
// It is the guest side's catalog: adding a TEE means one case here.
package detect

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/sample"
	"github.com/trustgate/trustgate/internal/attester/snp"
	"github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/attester/tdx"
)

// Options configure the attesters that need configuration. Only the
// software TEEs (sample, snp-emulated) read them: on hardware the bound
// values come from the platform.
type Options struct {
	// SoftwareInitDataDigest is the initdata digest a software TEE reports
	// as bound at launch (the stand-in for HOST_DATA / MRCONFIGID).
	SoftwareInitDataDigest []byte
	// EmulatedDir holds the snp-emulated chain (snpemu.GenerateRoot).
	EmulatedDir string
	// EmulatedMeasurement is the launch measurement snp-emulated reports.
	EmulatedMeasurement []byte
	// Logger receives the fallback warning; nil means slog.Default().
	Logger *slog.Logger
}

// probe is one hardware check, in upstream's order.
type probe struct {
	tee    string
	detect func() bool
}

// probes lists the hardware TEEs in upstream's detection order. Variables,
// not constants, so that tests can replace them.
var probes = []probe{
	{attest.TeeTDX, tdx.Detect},
	{attest.TeeAzTDXvTPM, detectAzTDX},
	{attest.TeeAzSNPvTPM, detectAzSNP},
	{attest.TeeSNP, snp.Detect},
}

// Detect returns the TEE this machine offers, or "sample" when none is found.
func Detect() string {
	for _, p := range probes {
		if p.detect() {
			return p.tee
		}
	}
	return attest.TeeSample
}

// Names lists the TEE names New accepts.
func Names() []string {
	n := []string{attest.TeeSample, attest.TeeSNPEmulated}
	for _, p := range probes {
		n = append(n, p.tee)
	}
	sort.Strings(n)
	return n
}

// New returns the attester for tee; "" or "auto" detects it.
func New(tee string, opts Options) (attester.Attester, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if tee == "" || tee == "auto" {
		tee = Detect()
		if tee == attest.TeeSample {
			log.Warn("no TEE detected: using the sample (software) attester, which no production policy accepts; " +
				"if this should be a confidential VM, check that the guest kernel exposes /sys/kernel/config/tsm/report, /dev/sev-guest or /dev/tpmrm0")
		}
	}
	switch tee {
	case attest.TeeSample:
		return &sample.Attester{InitDataDigest: opts.SoftwareInitDataDigest}, nil
	case attest.TeeSNPEmulated:
		if opts.EmulatedDir == "" {
			return nil, fmt.Errorf("tee snp-emulated needs the emulated chain directory (--emulated-dir)")
		}
		a, err := snpemu.New(snpemu.Config{Dir: opts.EmulatedDir, Measurement: opts.EmulatedMeasurement, InitDataDigest: opts.SoftwareInitDataDigest})
		if err != nil {
			return nil, err
		}
		return a, nil
	case attest.TeeSNP:
		return snp.New(), nil
	case attest.TeeTDX:
		return tdx.New(), nil
	case attest.TeeAzSNPvTPM, attest.TeeAzTDXvTPM:
		return newAz(tee)
	}
	return nil, fmt.Errorf("unknown TEE %q (known: %s)", tee, strings.Join(Names(), ", "))
}
