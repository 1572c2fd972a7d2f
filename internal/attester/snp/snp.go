// Package snp is the guest-side attester for AMD SEV-SNP. It asks the
// firmware for an attestation report through the kernel's configfs-tsm
// interface (/sys/kernel/config/tsm/report), falling back to the
// /dev/sev-guest ioctl on older kernels, and serializes it exactly as the
// upstream attestation agent does so that any Trustee can verify it.
package snp

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/google/go-configfs-tsm/configfs/configfsi"
	"github.com/google/go-configfs-tsm/configfs/linuxtsm"
	"github.com/google/go-configfs-tsm/report"
	"github.com/google/go-sev-guest/client"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
)

// Paths the kernel exposes on an SNP guest; Detect looks at them.
const (
	TSMReportPath   = "/sys/kernel/config/tsm/report"
	SevGuestDevice  = "/dev/sev-guest"
	SevGuestPlatDir = "/sys/devices/platform/sev-guest"
)

// Attester collects SNP reports. The zero value uses the real kernel
// interfaces; tests set TSM or Device to go-configfs-tsm's and
// go-sev-guest's fakes.
type Attester struct {
	// TSM is the configfs-tsm client; nil means the Linux one when
	// available.
	TSM configfsi.Client
	// Device is the /dev/sev-guest device used when configfs-tsm is not
	// available; nil means opening the real device.
	Device client.Device
	// VMPL is the privilege level requested for the report (0 by default,
	// as upstream).
	VMPL uint

	mu sync.Mutex // the sev-guest device handles one request at a time
}

var _ attester.Attester = (*Attester)(nil)

// New returns an attester using the kernel interfaces.
func New() *Attester { return &Attester{} }

// Tee returns "snp".
func (*Attester) Tee() string { return attest.TeeSNP }

// Detect reports whether this machine looks like an SNP guest, the check
// upstream's attestation agent makes (the sev-guest platform device).
func Detect() bool {
	for _, p := range []string{SevGuestPlatDir, SevGuestDevice} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return tsmProvider() == "sev_guest"
}

func tsmProvider() string {
	c, err := linuxtsm.MakeClient()
	if err != nil {
		return ""
	}
	r, err := report.Create(c, &report.Request{})
	if err != nil {
		return ""
	}
	defer r.Destroy()
	p, err := r.ReadOption("provider")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(p))
}

// Evidence returns upstream's SNP evidence JSON with reportData
// (zero-padded or truncated to 64 bytes) in REPORT_DATA.
func (a *Attester) Evidence(ctx context.Context, reportData []byte) ([]byte, error) {
	raw, certs, err := a.rawReport(ctx, reportData)
	if err != nil {
		return nil, err
	}
	ev, err := EvidenceFromRaw(raw, certs)
	if err != nil {
		return nil, fmt.Errorf("snp evidence: %w", err)
	}
	return ev, nil
}

// InitDataSize is the size of HOST_DATA.
func (*Attester) InitDataSize() int { return teesnp.HostDataSize }

// ExpectedInitData is HOST_DATA binding digest.
func (*Attester) ExpectedInitData(digest []byte) []byte { return teesnp.HostData(digest) }

// BoundInitData returns HOST_DATA (32 bytes), where the host binds the
// initdata digest at launch.
func (a *Attester) BoundInitData(ctx context.Context) ([]byte, error) {
	raw, _, err := a.rawReport(ctx, nil)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), raw[teesnp.OffHostData:teesnp.OffHostData+teesnp.HostDataSize]...), nil
}

func (a *Attester) rawReport(ctx context.Context, reportData []byte) (raw, certs []byte, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var rd [64]byte
	copy(rd[:], reportData)
	a.mu.Lock()
	defer a.mu.Unlock()

	tsm := a.TSM
	if tsm == nil && a.Device == nil {
		if c, err := linuxtsm.MakeClient(); err == nil {
			tsm = c
		}
	}
	var tsmErr error
	if tsm != nil {
		req := &report.Request{InBlob: rd[:], GetAuxBlob: true}
		if a.VMPL != 0 {
			// Only written when asked for: kernels under a paravisor
			// refuse levels below their privlevel_floor.
			req.Privilege = &report.Privilege{Level: a.VMPL}
		}
		resp, err := report.Get(tsm, req)
		if err == nil {
			if p := strings.TrimSpace(resp.Provider); p != "" && p != "sev_guest" {
				return nil, nil, fmt.Errorf("snp report: configfs-tsm provider is %q, not sev_guest", p)
			}
			if len(resp.OutBlob) < ReportSize {
				return nil, nil, fmt.Errorf("snp report: configfs-tsm returned %d bytes, want %d", len(resp.OutBlob), ReportSize)
			}
			return resp.OutBlob[:ReportSize], resp.AuxBlob, nil
		}
		tsmErr = err
	}

	dev := a.Device
	if dev == nil {
		d, err := client.OpenDevice()
		if err != nil {
			if tsmErr != nil {
				return nil, nil, fmt.Errorf("snp report: configfs-tsm: %v; %s: %w", tsmErr, SevGuestDevice, err)
			}
			return nil, nil, fmt.Errorf("%w: %v", errNoReport, err)
		}
		defer d.Close()
		dev = d
	}
	// The Device functions stay: the LeveledQuoteProvider replacing them
	// opens the real device itself, which tests cannot substitute.
	//lint:ignore SA1019 see above
	raw, certs, err = client.GetRawExtendedReportAtVmpl(dev, rd, int(a.VMPL))
	if err != nil {
		// Hosts without a certificate table reject the extended request;
		// the plain report still verifies once the VCEK is fetched.
		//lint:ignore SA1019 see above
		raw, err = client.GetRawReportAtVmpl(dev, rd, int(a.VMPL))
		if err != nil {
			return nil, nil, fmt.Errorf("snp report via %s: %w", SevGuestDevice, err)
		}
		certs = nil
	}
	if len(raw) < ReportSize {
		return nil, nil, fmt.Errorf("snp report: device returned %d bytes, want %d", len(raw), ReportSize)
	}
	return raw[:ReportSize], certs, nil
}
