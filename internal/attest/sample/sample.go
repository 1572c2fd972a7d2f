// Package sample verifies upstream's "sample" TEE evidence: a software-only
// stand-in with no hardware root of trust, used for protocol tests. Its only
// check is the runtime-data binding; nothing it reports should ever satisfy a
// production policy (trustgate's default resource policy refuses it).
package sample

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/trustgate/trustgate/internal/attest"
	teesample "github.com/trustgate/trustgate/internal/tee/sample"
)

// Evidence is the sample evidence; the type is internal/tee/sample's,
// shared with the attester.
type Evidence = teesample.Evidence

// Upstream's fixed sample claims.
const (
	LaunchDigest         = "abcde"
	PlatformVersionMajor = 1
	PlatformVersionMinor = 4
)

// MaxEvidenceSize bounds the evidence document.
const MaxEvidenceSize = teesample.MaxEvidenceSize

// Verifier verifies sample evidence.
type Verifier struct{}

var _ attest.Verifier = Verifier{}

// Parse decodes sample evidence (no trust involved).
func Parse(evidence []byte) (*Evidence, error) {
	if len(evidence) > MaxEvidenceSize {
		return nil, attest.Fail(attest.TeeSample, "parse", fmt.Errorf("evidence of %d bytes exceeds %d", len(evidence), MaxEvidenceSize))
	}
	var e Evidence
	dec := json.NewDecoder(bytes.NewReader(evidence))
	if err := dec.Decode(&e); err != nil {
		return nil, attest.Fail(attest.TeeSample, "parse", err)
	}
	if e.SVN == "" {
		return nil, attest.Fail(attest.TeeSample, "parse", errors.New("missing svn"))
	}
	return &e, nil
}

// Verify checks that report_data equals want.ReportData byte for byte (as
// upstream) and, when the evidence carries init_data, that it equals
// want.InitDataDigest. Upstream's sample ignores initdata; a sample evidence
// without init_data is accepted likewise, but one that carries a different
// digest is refused.
func (Verifier) Verify(_ context.Context, evidence []byte, want attest.Expected) (attest.Claims, error) {
	e, err := Parse(evidence)
	if err != nil {
		return nil, err
	}
	if len(want.ReportData) == 0 {
		return nil, attest.Fail(attest.TeeSample, "report_data", errors.New("no expected report data given"))
	}
	rd, err := base64.StdEncoding.DecodeString(e.ReportData)
	if err != nil {
		return nil, attest.Fail(attest.TeeSample, "report_data", errors.New("report_data is not standard base64"))
	}
	if subtle.ConstantTimeCompare(rd, want.ReportData) != 1 {
		return nil, attest.Fail(attest.TeeSample, "report_data", errors.New("REPORT_DATA is different from that in Sample Quote"))
	}
	initData := ""
	if e.InitData != "" {
		id, err := base64.StdEncoding.DecodeString(e.InitData)
		if err != nil {
			return nil, attest.Fail(attest.TeeSample, "init_data", errors.New("init_data is not standard base64"))
		}
		if want.InitDataDigest != nil && subtle.ConstantTimeCompare(id, want.InitDataDigest) != 1 {
			return nil, attest.Fail(attest.TeeSample, "init_data", errors.New("init_data differs from the digest of the initdata sent"))
		}
		initData = hex.EncodeToString(id)
	}
	return attest.Claims{
		"svn":           e.SVN,
		"report_data":   e.ReportData,
		"launch_digest": LaunchDigest,
		"platform_version": map[string]any{
			"major": PlatformVersionMajor,
			"minor": PlatformVersionMinor,
		},
		"debug":     false,
		"init_data": initData,
	}, nil
}
