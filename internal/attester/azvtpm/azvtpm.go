// Package azvtpm is the guest-side attester for Azure confidential VMs,
// where the SNP or TDX hardware report is held by a paravisor (HCL) and
// reached through the vTPM: the HCL report is read from an NV index, and a
// TPM quote over the SHA-256 PCRs carries the report data as its nonce. The
// evidence JSON is upstream's (az-snp-vtpm version 2, az-tdx-vtpm version
// 1); initdata is bound by extending PCR 8 with its digest.
package azvtpm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-tpm/legacy/tpm2"
	"github.com/google/go-tpm/tpmutil"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	teeaz "github.com/trustgate/trustgate/internal/tee/azvtpm"
)

// Well-known vTPM handles of Azure's paravisor.
const (
	HCLReportIndex  = 0x01400001 // the HCL report (header, SNP/TD report, runtime data)
	ReportDataIndex = 0x01400002 // writing 64 bytes here makes the HCL put them in user-data
	AKHandle        = 0x81000003 // the persistent attestation key
	InitDataPCR     = teeaz.InitDataPCR
	numPCRs         = teeaz.NumPCRs

	// DefaultIMDS is Azure's instance metadata service.
	DefaultIMDS = "http://169.254.169.254"
	// DefaultTPMPath is the kernel's TPM resource manager.
	DefaultTPMPath = "/dev/tpmrm0"

	maxIMDSBody = 1 << 20
)

// The evidence types are internal/tee/azvtpm's, shared with the verifier.
type (
	TPMQuote    = teeaz.TPMQuote
	SNPEvidence = teeaz.SNPEvidence
	TDXEvidence = teeaz.TDXEvidence
)

// Attester collects Azure vTPM evidence. The zero value is unusable; use
// NewSNP or NewTDX. Tests replace OpenTPM with go-tpm-tools' simulator and
// IMDS with a loopback server.
type Attester struct {
	tee string
	// OpenTPM opens the vTPM; nil means DefaultTPMPath.
	OpenTPM func() (io.ReadWriteCloser, error)
	// IMDS is the metadata service base URL (VCEK, TD quote); "" means
	// DefaultIMDS.
	IMDS string
	// HTTPClient talks to IMDS; nil means a client with a 10 s timeout.
	HTTPClient *http.Client

	mu sync.Mutex // one TPM conversation at a time
}

var _ attester.Attester = (*Attester)(nil)

// NewSNP returns the az-snp-vtpm attester.
func NewSNP() *Attester { return &Attester{tee: attest.TeeAzSNPvTPM} }

// NewTDX returns the az-tdx-vtpm attester.
func NewTDX() *Attester { return &Attester{tee: attest.TeeAzTDXvTPM} }

// Tee returns "az-snp-vtpm" or "az-tdx-vtpm".
func (a *Attester) Tee() string { return a.tee }

// Detect reads the HCL report from the vTPM and returns the TEE it wraps
// ("az-snp-vtpm", "az-tdx-vtpm"), or "" when this is not an Azure CVM.
func Detect() string {
	rw, err := tpm2.OpenTPM(DefaultTPMPath)
	if err != nil {
		return ""
	}
	defer rw.Close()
	hcl, err := tpm2.NVReadEx(rw, tpmutil.Handle(HCLReportIndex), tpm2.HandleOwner, "", 0)
	if err != nil {
		return ""
	}
	switch teeaz.ReportType(hcl) {
	case teeaz.ReportTypeSNP:
		return attest.TeeAzSNPvTPM
	case teeaz.ReportTypeTDX:
		return attest.TeeAzTDXvTPM
	}
	return ""
}

func (a *Attester) open() (io.ReadWriteCloser, error) {
	if a.OpenTPM != nil {
		return a.OpenTPM()
	}
	return tpm2.OpenTPM(DefaultTPMPath)
}

// pcrSelection is every SHA-256 PCR, as upstream quotes.
func pcrSelection() tpm2.PCRSelection {
	s := tpm2.PCRSelection{Hash: tpm2.AlgSHA256}
	for i := 0; i < numPCRs; i++ {
		s.PCRs = append(s.PCRs, i)
	}
	return s
}

// Evidence returns upstream's evidence JSON; reportData (at most 64 bytes)
// is the quote's nonce and, where the paravisor supports it, the HCL
// report's user-data.
func (a *Attester) Evidence(ctx context.Context, reportData []byte) ([]byte, error) {
	if len(reportData) > 64 {
		return nil, fmt.Errorf("%s evidence: report data is %d bytes, at most 64", a.tee, len(reportData))
	}
	hcl, quote, wroteUserData, err := a.collect(reportData)
	if err != nil {
		return nil, err
	}
	switch a.tee {
	case attest.TeeAzSNPvTPM:
		vcek, err := a.vcek(ctx)
		if err != nil {
			return nil, err
		}
		version := 1
		if wroteUserData {
			version = 2
		}
		return teeaz.EncodeSNP(version, quote, hcl, vcek)
	case attest.TeeAzTDXvTPM:
		const hw = teeaz.HCLHeaderSize
		if teeaz.ReportType(hcl) != teeaz.ReportTypeTDX || len(hcl) < hw+teeaz.TDReportSize {
			return nil, fmt.Errorf("%s evidence: the HCL report does not hold a TD report", a.tee)
		}
		td, err := a.tdQuote(ctx, hcl[hw:hw+teeaz.TDReportSize])
		if err != nil {
			return nil, err
		}
		return teeaz.EncodeTDX(1, quote, hcl, td)
	}
	return nil, fmt.Errorf("azvtpm: unknown TEE %q", a.tee)
}

func (a *Attester) collect(reportData []byte) (hcl []byte, q TPMQuote, wroteUserData bool, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rw, err := a.open()
	if err != nil {
		return nil, q, false, fmt.Errorf("%s: open vTPM: %w", a.tee, err)
	}
	defer rw.Close()
	if _, perr := tpm2.NVReadPublic(rw, tpmutil.Handle(ReportDataIndex)); perr == nil {
		ud := teeaz.UserData(reportData)
		if err := tpm2.NVWrite(rw, tpm2.HandleOwner, tpmutil.Handle(ReportDataIndex), "", ud, 0); err != nil {
			return nil, q, false, fmt.Errorf("%s: write report data to the HCL: %w", a.tee, err)
		}
		wroteUserData = true
	}
	hcl, err = tpm2.NVReadEx(rw, tpmutil.Handle(HCLReportIndex), tpm2.HandleOwner, "", 0)
	if err != nil {
		return nil, q, false, fmt.Errorf("%s: read the HCL report (NV index %#x): %w", a.tee, HCLReportIndex, err)
	}
	sel := pcrSelection()
	msg, rawSig, err := tpm2.QuoteRaw(rw, tpmutil.Handle(AKHandle), "", "", reportData, sel, tpm2.AlgNull)
	if err != nil {
		return nil, q, false, fmt.Errorf("%s: quote with the vTPM AK (%#x): %w", a.tee, AKHandle, err)
	}
	sig, err := tpm2.DecodeSignature(bytes.NewBuffer(rawSig))
	if err != nil || sig.RSA == nil {
		return nil, q, false, fmt.Errorf("%s: quote signature is not RSASSA: %v", a.tee, err)
	}
	pcrs, err := readPCRs(rw)
	if err != nil {
		return nil, q, false, fmt.Errorf("%s: read PCRs: %w", a.tee, err)
	}
	values := make([][]byte, numPCRs)
	for i := range values {
		v, ok := pcrs[i]
		if !ok {
			return nil, q, false, fmt.Errorf("%s: PCR %d missing from the SHA-256 bank", a.tee, i)
		}
		values[i] = v
	}
	return hcl, teeaz.NewTPMQuote(sig.RSA.Signature, msg, values), wroteUserData, nil
}

// InitDataSize is the size of a SHA-256 digest, which PCR 8 is extended
// with.
func (a *Attester) InitDataSize() int { return sha256.Size }

// ExpectedInitData is PCR 8 after one extension, from zero, with digest.
func (a *Attester) ExpectedInitData(digest []byte) []byte { return teeaz.PCR8(digest) }

// BoundInitData returns PCR 8 of the SHA-256 bank: the paravisor's guest
// extends it once with the initdata digest (sha256(zeros || digest)).
func (a *Attester) BoundInitData(context.Context) ([]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rw, err := a.open()
	if err != nil {
		return nil, fmt.Errorf("%s: open vTPM: %w", a.tee, err)
	}
	defer rw.Close()
	v, err := tpm2.ReadPCR(rw, InitDataPCR, tpm2.AlgSHA256)
	if err != nil {
		return nil, fmt.Errorf("%s: read PCR %d: %w", a.tee, InitDataPCR, err)
	}
	return v, nil
}

// ExtendInitData extends PCR 8 with a SHA-256 initdata digest, as the
// attestation agent does at first boot so that the policy can check it.
func (a *Attester) ExtendInitData(digest []byte) error {
	if len(digest) != 32 {
		return fmt.Errorf("%s: initdata digest must be sha256 (32 bytes) to extend PCR %d", a.tee, InitDataPCR)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	rw, err := a.open()
	if err != nil {
		return err
	}
	defer rw.Close()
	return tpm2.PCRExtend(rw, tpmutil.Handle(InitDataPCR), tpm2.AlgSHA256, digest, "")
}

func (a *Attester) httpClient() *http.Client {
	if a.HTTPClient != nil {
		return a.HTTPClient
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (a *Attester) imds() string {
	if a.IMDS != "" {
		return strings.TrimRight(a.IMDS, "/")
	}
	return DefaultIMDS
}

// vcek fetches the VCEK from Azure's THIM endpoint (the certificate the
// platform's host cached), as upstream's imds::get_certs does.
func (a *Attester) vcek(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.imds()+"/metadata/THIM/amd/certification", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Metadata", "true")
	var body struct {
		VcekCert string `json:"vcekCert"`
	}
	if err := a.doJSON(req, &body); err != nil {
		return nil, fmt.Errorf("%s: fetch VCEK from IMDS: %w", a.tee, err)
	}
	blk, _ := pem.Decode([]byte(body.VcekCert))
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s: IMDS VCEK is not a PEM certificate", a.tee)
	}
	return blk.Bytes, nil
}

// tdQuote asks Azure's IMDS quoting service to turn the TD report into a
// TD quote.
func (a *Attester) tdQuote(ctx context.Context, tdReport []byte) ([]byte, error) {
	in, _ := json.Marshal(map[string]string{"report": base64.RawURLEncoding.EncodeToString(tdReport)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.imds()+"/acc/tdquote", bytes.NewReader(in))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	var body struct {
		Quote string `json:"quote"`
	}
	if err := a.doJSON(req, &body); err != nil {
		return nil, fmt.Errorf("%s: TD quote from IMDS: %w", a.tee, err)
	}
	q, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(body.Quote, "="))
	if err != nil || len(q) == 0 {
		return nil, fmt.Errorf("%s: IMDS TD quote is not base64url", a.tee)
	}
	return q, nil
}

func (a *Attester) doJSON(req *http.Request, out any) error {
	resp, err := a.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxIMDSBody))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return errors.New("response is not the expected JSON")
	}
	return nil
}

// readPCRs reads the SHA-256 bank; a TPM returns at most eight digests
// per PCR_Read, so it asks for them in groups.
func readPCRs(rw io.ReadWriter) (map[int][]byte, error) {
	out := map[int][]byte{}
	for lo := 0; lo < numPCRs; lo += 8 {
		sel := tpm2.PCRSelection{Hash: tpm2.AlgSHA256}
		for i := lo; i < lo+8 && i < numPCRs; i++ {
			sel.PCRs = append(sel.PCRs, i)
		}
		m, err := tpm2.ReadPCRs(rw, sel)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}
