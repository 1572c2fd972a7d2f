// Package sample is the guest side of upstream's "sample" TEE: it produces
// software evidence {"svn","report_data"} binding the report data, for
// protocol tests on machines without a TEE.
package sample

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	teesample "github.com/trustgate/trustgate/internal/tee/sample"
)

// Attester produces sample evidence.
type Attester struct {
	// SVN is reported as "svn"; "1" when empty (upstream's value).
	SVN string
	// InitDataDigest is what BoundInitData returns and what the evidence
	// reports as init_data: the stand-in for a hardware-bound initdata
	// digest. Nil means none.
	InitDataDigest []byte
}

var _ attester.Attester = (*Attester)(nil)

// Tee returns "sample".
func (a *Attester) Tee() string { return attest.TeeSample }

// Evidence returns {"svn":…,"report_data":"<std b64>"} binding reportData.
func (a *Attester) Evidence(_ context.Context, reportData []byte) ([]byte, error) {
	svn := a.SVN
	if svn == "" {
		svn = "1"
	}
	e := teesample.Evidence{SVN: svn, ReportData: base64.StdEncoding.EncodeToString(reportData)}
	if a.InitDataDigest != nil {
		e.InitData = base64.StdEncoding.EncodeToString(a.InitDataDigest)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("sample evidence: %w", err)
	}
	return b, nil
}

// BoundInitData returns the configured initdata digest.
func (a *Attester) BoundInitData(context.Context) ([]byte, error) {
	return append([]byte(nil), a.InitDataDigest...), nil
}
