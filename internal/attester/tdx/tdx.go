// Package tdx is the guest-side attester for Intel TDX. It obtains a TD quote
// through the kernel's configfs-tsm interface (provider tdx_guest) and sends
// it, with the CC event log when the firmware exposes one, in the JSON shape
// of upstream's attestation agent.
package tdx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/google/go-configfs-tsm/configfs/configfsi"
	"github.com/google/go-configfs-tsm/configfs/linuxtsm"
	"github.com/google/go-configfs-tsm/report"
	pb "github.com/google/go-tdx-guest/proto/tdx"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	teetdx "github.com/trustgate/trustgate/internal/tee/tdx"
)

// Paths on a TDX guest.
const (
	CCELPath       = "/sys/firmware/acpi/tables/data/CCEL"
	TSMReportPath  = "/sys/kernel/config/tsm/report"
	tsmProviderTDX = "tdx_guest"
)

// Evidence is upstream's TdxEvidence; the type is internal/tee/tdx's,
// shared with the verifier.
type Evidence = teetdx.Evidence

// Attester collects TD quotes. The zero value uses the Linux kernel; tests
// set TSM to go-configfs-tsm's fake and CCEL to a temporary file.
type Attester struct {
	TSM  configfsi.Client // nil: Linux configfs-tsm
	CCEL string           // path of the CC event log; "" means CCELPath

	mu sync.Mutex
}

var _ attester.Attester = (*Attester)(nil)

// New returns an attester using the kernel interfaces.
func New() *Attester { return &Attester{} }

// Tee returns "tdx".
func (*Attester) Tee() string { return attest.TeeTDX }

// Detect reports whether configfs-tsm is served by the TDX guest driver or a
// TDX guest device exists, the checks upstream makes.
func Detect() bool {
	for _, p := range []string{"/dev/tdx_guest", "/dev/tdx-guest", "/dev/tdx-attest"} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	c, err := linuxtsm.MakeClient()
	if err != nil {
		return false
	}
	r, err := report.Create(c, &report.Request{})
	if err != nil {
		return false
	}
	defer r.Destroy()
	p, err := r.ReadOption("provider")
	return err == nil && strings.TrimSpace(string(p)) == tsmProviderTDX
}

// Evidence returns upstream's TDX evidence JSON with reportData
// (zero-padded or truncated to 64 bytes) in the quote's REPORTDATA.
func (a *Attester) Evidence(ctx context.Context, reportData []byte) ([]byte, error) {
	q, err := a.quote(ctx, reportData)
	if err != nil {
		return nil, err
	}
	path := a.CCEL
	if path == "" {
		path = CCELPath
	}
	el, err := os.ReadFile(path)
	if err != nil {
		el = nil // no event log: cc_eventlog is null
	} else if el == nil {
		el = []byte{} // an empty table is still sent, as an empty string
	}
	return teetdx.Encode(q, el)
}

// InitDataSize is the size of MRCONFIGID.
func (*Attester) InitDataSize() int { return teetdx.MRConfigIDSize }

// ExpectedInitData is MRCONFIGID binding digest.
func (*Attester) ExpectedInitData(digest []byte) []byte { return teetdx.MRConfigID(digest) }

// BoundInitData returns MRCONFIGID (48 bytes), where the host binds the
// initdata digest at launch.
func (a *Attester) BoundInitData(ctx context.Context) ([]byte, error) {
	q, err := a.quote(ctx, nil)
	if err != nil {
		return nil, err
	}
	body, err := QuoteBody(q)
	if err != nil {
		return nil, err
	}
	return body.GetMrConfigId(), nil
}

// QuoteBody parses a raw quote (v4) and returns its TD report body.
func QuoteBody(raw []byte) (*pb.TDQuoteBody, error) {
	q, err := teetdx.ParseQuote(raw)
	if err != nil {
		return nil, fmt.Errorf("parse td quote: %w", err)
	}
	switch q := q.(type) {
	case *pb.QuoteV4:
		return q.GetTdQuoteBody(), nil
	}
	return nil, errors.New("parse td quote: no TD report body")
}

func (a *Attester) quote(ctx context.Context, reportData []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rd := teetdx.ReportData(reportData)
	a.mu.Lock()
	defer a.mu.Unlock()
	tsm := a.TSM
	if tsm == nil {
		c, err := linuxtsm.MakeClient()
		if err != nil {
			return nil, fmt.Errorf("tdx quote: configfs-tsm (%s) unavailable: %w", TSMReportPath, err)
		}
		tsm = c
	}
	resp, err := report.Get(tsm, &report.Request{InBlob: rd})
	if err != nil {
		return nil, fmt.Errorf("tdx quote via configfs-tsm: %w", err)
	}
	if p := strings.TrimSpace(resp.Provider); p != "" && p != tsmProviderTDX {
		return nil, fmt.Errorf("tdx quote: configfs-tsm provider is %q, not %s", p, tsmProviderTDX)
	}
	return resp.OutBlob, nil
}
