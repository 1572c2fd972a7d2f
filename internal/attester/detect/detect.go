// Package detect is the guest side's catalog of attesters, the twin of
// internal/attest/catalog: each TEE registers itself in its own
// catalog_<name>.go file here (one Register call), and detect picks the TEE the
// machine offers, probing the hardware TEEs in the order upstream's
// attestation agent checks them (tdx, az-tdx-vtpm, az-snp-vtpm, snp),
// falling back to sample, or builds the one named by --tee.
package detect

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
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

// Entry registers one attester.
type Entry struct {
	// Tee is the TEE name as sent on the KBS wire (attest.Tee*).
	Tee string
	// Probe reports whether this machine offers the TEE; nil for a
	// software TEE, which is used only when named.
	Probe func() bool
	// Order places the probe in upstream's detection order: lower first.
	Order int
	// New builds the attester.
	New func(Options) (attester.Attester, error)
}

var (
	mu      sync.Mutex
	entries = map[string]Entry{}
)

// Register adds an attester; it panics on a duplicate name or order,
// programming errors found at init time.
func Register(e Entry) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := entries[e.Tee]; dup {
		panic("detect: duplicate attester " + e.Tee)
	}
	for _, o := range entries {
		if e.Probe != nil && o.Probe != nil && o.Order == e.Order {
			panic(fmt.Sprintf("detect: attesters %s and %s share probe order %d", o.Tee, e.Tee, e.Order))
		}
	}
	entries[e.Tee] = e
}

// probes returns the hardware TEEs in detection order.
func probes() []Entry {
	mu.Lock()
	defer mu.Unlock()
	var out []Entry
	for _, e := range entries {
		if e.Probe != nil {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out
}

// Detect returns the TEE this machine offers, or "sample" when none is found.
func Detect() string { return detectFrom(probes()) }

func detectFrom(ps []Entry) string {
	for _, p := range ps {
		if p.Probe() {
			return p.Tee
		}
	}
	return attest.TeeSample
}

// Names lists the TEE names New accepts, sorted.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	n := make([]string, 0, len(entries))
	for t := range entries {
		n = append(n, t)
	}
	sort.Strings(n)
	return n
}

// Hardware lists the TEEs detect probes for, in detection order.
func Hardware() []string {
	var n []string
	for _, p := range probes() {
		n = append(n, p.Tee)
	}
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
	mu.Lock()
	e, ok := entries[tee]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown TEE %q (known: %s)", tee, strings.Join(Names(), ", "))
	}
	return e.New(opts)
}
