// Package snp verifies AMD SEV-SNP attestation reports: it parses raw
// 1184-byte reports and the upstream attestation agent's evidence JSON,
// verifies the VCEK or VLEK chain to AMD's ARK and the report signature with
// go-sev-guest, then validates bindings (REPORT_DATA, HOST_DATA), VMPL,
// debug policy and TCB minimums, and maps the report to claims under the
// names upstream Trustee uses.
package snp

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-sev-guest/abi"
)

// ReportSize is the size of an SNP ATTESTATION_REPORT in AMD's ABI.
const ReportSize = abi.ReportSize

// MaxEvidenceSize bounds the evidence JSON we are willing to parse: a report
// serialized as arrays of numbers plus a few DER certificates stays well below.
const MaxEvidenceSize = 256 << 10

// Certs holds the endorsement and product certificates (DER) delivered with
// a report. Only the VCEK or VLEK is required; the ASK/ARK shipped by a guest
// are never trusted as roots.
type Certs struct {
	VCEK, VLEK, ASK, ASVK, ARK []byte
}

// Evidence is a parsed SNP evidence: the report in AMD's ABI layout and the
// certificates that came with it.
type Evidence struct {
	Report []byte // ReportSize bytes
	Certs  Certs
}

// tcbJSON is the sev crate's TcbVersion. Fmc is present (non-null) only on
// Turin, whose TCB_VERSION byte layout differs from Milan and Genoa.
type tcbJSON struct {
	Fmc        *uint8 `json:"fmc"`
	Bootloader uint8  `json:"bootloader"`
	TEE        uint8  `json:"tee"`
	SNP        uint8  `json:"snp"`
	Microcode  uint8  `json:"microcode"`
}

type versionJSON struct {
	Major uint8 `json:"major"`
	Minor uint8 `json:"minor"`
	Build uint8 `json:"build"`
}

type signatureJSON struct {
	R bytesJSON `json:"r"`
	S bytesJSON `json:"s"`
}

// bytesJSON decodes a JSON array of numbers (serde's encoding of [u8; N]).
type bytesJSON []byte

func (b *bytesJSON) UnmarshalJSON(data []byte) error {
	if out, ok := parseByteArray(data); ok {
		*b = out
		return nil
	}
	// Slow path, for its error message. []uint16, not []uint8: encoding/json
	// would accept a base64 string for []uint8, which upstream never sends.
	var nums []uint16
	if err := json.Unmarshal(data, &nums); err != nil {
		return fmt.Errorf("byte array: %w", err)
	}
	out := make([]byte, len(nums))
	for i, v := range nums {
		if v > 255 {
			return fmt.Errorf("byte array: element %d is %d, not a byte", i, v)
		}
		out[i] = byte(v)
	}
	*b = out
	return nil
}

// parseByteArray decodes a JSON array of integers 0..255 without
// reflection (certificates arrive as thousands of numbers). encoding/json
// has already checked the token's syntax; anything unusual returns false.
func parseByteArray(data []byte) ([]byte, bool) {
	i, n := 0, len(data)
	ws := func() {
		for i < n && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
			i++
		}
	}
	ws()
	if i >= n || data[i] != '[' {
		return nil, false
	}
	i++
	out := make([]byte, 0, n/3)
	ws()
	if i < n && data[i] == ']' {
		return out, true
	}
	for i < n {
		ws()
		v, digits := 0, 0
		for i < n && data[i] >= '0' && data[i] <= '9' {
			v = v*10 + int(data[i]-'0')
			i++
			digits++
			if v > 255 || digits > 3 {
				return nil, false
			}
		}
		if digits == 0 {
			return nil, false
		}
		out = append(out, byte(v))
		ws()
		if i >= n {
			return nil, false
		}
		switch data[i] {
		case ',':
			i++
		case ']':
			i++
			ws()
			return out, i == n
		default:
			return nil, false
		}
	}
	return nil, false
}

func (b bytesJSON) MarshalJSON() ([]byte, error) {
	nums := make([]uint16, len(b)) // uint16 so that encoding/json writes numbers, not base64
	for i, v := range b {
		nums[i] = uint16(v)
	}
	return json.Marshal(nums)
}

// reportJSON mirrors the sev crate's AttestationReport as serde writes it.
type reportJSON struct {
	Version         uint32        `json:"version"`
	GuestSvn        uint32        `json:"guest_svn"`
	Policy          uint64        `json:"policy"`
	FamilyID        bytesJSON     `json:"family_id"`
	ImageID         bytesJSON     `json:"image_id"`
	Vmpl            uint32        `json:"vmpl"`
	SigAlgo         uint32        `json:"sig_algo"`
	CurrentTcb      tcbJSON       `json:"current_tcb"`
	PlatInfo        uint64        `json:"plat_info"`
	KeyInfo         uint32        `json:"key_info"`
	ReportData      bytesJSON     `json:"report_data"`
	Measurement     bytesJSON     `json:"measurement"`
	HostData        bytesJSON     `json:"host_data"`
	IDKeyDigest     bytesJSON     `json:"id_key_digest"`
	AuthorKeyDigest bytesJSON     `json:"author_key_digest"`
	ReportID        bytesJSON     `json:"report_id"`
	ReportIDMA      bytesJSON     `json:"report_id_ma"`
	ReportedTcb     tcbJSON       `json:"reported_tcb"`
	CpuidFamID      *uint8        `json:"cpuid_fam_id,omitempty"`
	CpuidModID      *uint8        `json:"cpuid_mod_id,omitempty"`
	CpuidStep       *uint8        `json:"cpuid_step,omitempty"`
	ChipID          bytesJSON     `json:"chip_id"`
	CommittedTcb    tcbJSON       `json:"committed_tcb"`
	Current         versionJSON   `json:"current"`
	Committed       versionJSON   `json:"committed"`
	LaunchTcb       tcbJSON       `json:"launch_tcb"`
	LaunchMitVector *uint64       `json:"launch_mit_vector,omitempty"`
	CurrentMitVec   *uint64       `json:"current_mit_vector,omitempty"`
	Signature       signatureJSON `json:"signature"`
}

type certEntryJSON struct {
	// CertType is a string for the standard entries; the sev crate writes
	// other entries as objects (e.g. {"OTHER": "<uuid>"}), which we skip.
	CertType json.RawMessage `json:"cert_type"`
	Data     bytesJSON       `json:"data"`
}

type evidenceJSON struct {
	AttestationReport *reportJSON     `json:"attestation_report"`
	CertChain         []certEntryJSON `json:"cert_chain"`
}

// ParseEvidence parses upstream's AA evidence JSON
// ({"attestation_report":{…},"cert_chain":[{"cert_type","data"}]}) and
// rebuilds the report in AMD's ABI layout. It checks structure only; nothing
// is trusted until Verify succeeds.
func ParseEvidence(data []byte) (*Evidence, error) {
	if len(data) > MaxEvidenceSize {
		return nil, fmt.Errorf("parse snp evidence: %d bytes exceeds limit of %d", len(data), MaxEvidenceSize)
	}
	var ev evidenceJSON
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, fmt.Errorf("parse snp evidence: %w", err)
	}
	if ev.AttestationReport == nil {
		return nil, errors.New("parse snp evidence: missing attestation_report")
	}
	raw, err := ev.AttestationReport.abiBytes()
	if err != nil {
		return nil, fmt.Errorf("parse snp evidence: %w", err)
	}
	out := &Evidence{Report: raw}
	for i, c := range ev.CertChain {
		var typ string
		if json.Unmarshal(c.CertType, &typ) != nil {
			continue
		}
		var dst *[]byte
		switch typ {
		case "VCEK", "vcek":
			dst = &out.Certs.VCEK
		case "VLEK", "vlek":
			dst = &out.Certs.VLEK
		case "ASK", "ask":
			dst = &out.Certs.ASK
		case "ASVK", "asvk":
			dst = &out.Certs.ASVK
		case "ARK", "ark":
			dst = &out.Certs.ARK
		default:
			continue // other table entries (e.g. OEM) carry nothing we verify
		}
		if len(*dst) != 0 {
			return nil, fmt.Errorf("parse snp evidence: duplicate %s in cert_chain[%d]", typ, i)
		}
		*dst = c.Data
	}
	return out, nil
}

func putTCB(dst []byte, t tcbJSON) {
	if t.Fmc != nil { // Turin: FMC, BL, TEE, SNP, reserved[3], UCODE
		dst[0], dst[1], dst[2], dst[3], dst[7] = *t.Fmc, t.Bootloader, t.TEE, t.SNP, t.Microcode
		return
	}
	// Milan, Genoa: BL, TEE, reserved[4], SNP, UCODE
	dst[0], dst[1], dst[6], dst[7] = t.Bootloader, t.TEE, t.SNP, t.Microcode
}

func putBytes(dst []byte, name string, src []byte) error {
	if len(src) != len(dst) {
		return fmt.Errorf("field %s has %d bytes, want %d", name, len(src), len(dst))
	}
	copy(dst, src)
	return nil
}

// abiBytes lays the report out as AMD's SNP ABI (Table 23 of the SNP
// firmware ABI) so that the signature can be checked over the exact bytes the
// firmware signed.
func (r *reportJSON) abiBytes() ([]byte, error) {
	b := make([]byte, ReportSize)
	le := binary.LittleEndian
	le.PutUint32(b[0x00:], r.Version)
	le.PutUint32(b[0x04:], r.GuestSvn)
	le.PutUint64(b[0x08:], r.Policy)
	le.PutUint32(b[0x30:], r.Vmpl)
	le.PutUint32(b[0x34:], r.SigAlgo)
	putTCB(b[0x38:0x40], r.CurrentTcb)
	le.PutUint64(b[0x40:], r.PlatInfo)
	le.PutUint32(b[0x48:], r.KeyInfo)
	for _, f := range []struct {
		name     string
		off, end int
		v        []byte
	}{
		{"family_id", 0x10, 0x20, r.FamilyID},
		{"image_id", 0x20, 0x30, r.ImageID},
		{"report_data", 0x50, 0x90, r.ReportData},
		{"measurement", 0x90, 0xC0, r.Measurement},
		{"host_data", 0xC0, 0xE0, r.HostData},
		{"id_key_digest", 0xE0, 0x110, r.IDKeyDigest},
		{"author_key_digest", 0x110, 0x140, r.AuthorKeyDigest},
		{"report_id", 0x140, 0x160, r.ReportID},
		{"report_id_ma", 0x160, 0x180, r.ReportIDMA},
		{"chip_id", 0x1A0, 0x1E0, r.ChipID},
		{"signature.r", 0x2A0, 0x2E8, r.Signature.R},
		{"signature.s", 0x2E8, 0x330, r.Signature.S},
	} {
		if err := putBytes(b[f.off:f.end], f.name, f.v); err != nil {
			return nil, err
		}
	}
	putTCB(b[0x180:0x188], r.ReportedTcb)
	if r.Version >= abi.ReportVersion3 {
		if r.CpuidFamID == nil || r.CpuidModID == nil || r.CpuidStep == nil {
			return nil, fmt.Errorf("report version %d lacks cpuid_fam_id/cpuid_mod_id/cpuid_step", r.Version)
		}
		b[0x188], b[0x189], b[0x18A] = *r.CpuidFamID, *r.CpuidModID, *r.CpuidStep
	}
	putTCB(b[0x1E0:0x1E8], r.CommittedTcb)
	b[0x1E8], b[0x1E9], b[0x1EA] = r.Current.Build, r.Current.Minor, r.Current.Major
	b[0x1EC], b[0x1ED], b[0x1EE] = r.Committed.Build, r.Committed.Minor, r.Committed.Major
	putTCB(b[0x1F0:0x1F8], r.LaunchTcb)
	if r.LaunchMitVector != nil {
		le.PutUint64(b[0x1F8:], *r.LaunchMitVector)
	}
	if r.CurrentMitVec != nil {
		le.PutUint64(b[0x200:], *r.CurrentMitVec)
	}
	return b, nil
}

// isTurin reports whether the report's CPUID says Zen 5 (family 0x1A), whose
// TCB_VERSION has an FMC byte first.
func isTurin(raw []byte) bool {
	return binary.LittleEndian.Uint32(raw[0:4]) >= abi.ReportVersion3 && raw[0x188] == 0x1A
}

func tcbFromBytes(b []byte, turin bool) tcbJSON {
	if turin {
		fmc := b[0]
		return tcbJSON{Fmc: &fmc, Bootloader: b[1], TEE: b[2], SNP: b[3], Microcode: b[7]}
	}
	return tcbJSON{Bootloader: b[0], TEE: b[1], SNP: b[6], Microcode: b[7]}
}

// MarshalEvidence serializes a raw report and its certificates as upstream's
// AA evidence JSON (the inverse of ParseEvidence). Attesters use it.
func MarshalEvidence(raw []byte, certs Certs) ([]byte, error) {
	if len(raw) != ReportSize {
		return nil, fmt.Errorf("marshal snp evidence: report has %d bytes, want %d", len(raw), ReportSize)
	}
	le := binary.LittleEndian
	turin := isTurin(raw)
	u64 := func(off int) *uint64 { v := le.Uint64(raw[off:]); return &v }
	r := &reportJSON{
		Version:         le.Uint32(raw[0x00:]),
		GuestSvn:        le.Uint32(raw[0x04:]),
		Policy:          le.Uint64(raw[0x08:]),
		FamilyID:        raw[0x10:0x20],
		ImageID:         raw[0x20:0x30],
		Vmpl:            le.Uint32(raw[0x30:]),
		SigAlgo:         le.Uint32(raw[0x34:]),
		CurrentTcb:      tcbFromBytes(raw[0x38:0x40], turin),
		PlatInfo:        le.Uint64(raw[0x40:]),
		KeyInfo:         le.Uint32(raw[0x48:]),
		ReportData:      raw[0x50:0x90],
		Measurement:     raw[0x90:0xC0],
		HostData:        raw[0xC0:0xE0],
		IDKeyDigest:     raw[0xE0:0x110],
		AuthorKeyDigest: raw[0x110:0x140],
		ReportID:        raw[0x140:0x160],
		ReportIDMA:      raw[0x160:0x180],
		ReportedTcb:     tcbFromBytes(raw[0x180:0x188], turin),
		ChipID:          raw[0x1A0:0x1E0],
		CommittedTcb:    tcbFromBytes(raw[0x1E0:0x1E8], turin),
		Current:         versionJSON{Build: raw[0x1E8], Minor: raw[0x1E9], Major: raw[0x1EA]},
		Committed:       versionJSON{Build: raw[0x1EC], Minor: raw[0x1ED], Major: raw[0x1EE]},
		LaunchTcb:       tcbFromBytes(raw[0x1F0:0x1F8], turin),
		Signature:       signatureJSON{R: raw[0x2A0:0x2E8], S: raw[0x2E8:0x330]},
	}
	if r.Version >= abi.ReportVersion3 {
		f, m, s := raw[0x188], raw[0x189], raw[0x18A]
		r.CpuidFamID, r.CpuidModID, r.CpuidStep = &f, &m, &s
	}
	if r.Version >= abi.ReportVersion5 {
		r.LaunchMitVector, r.CurrentMitVec = u64(0x1F8), u64(0x200)
	}
	ev := evidenceJSON{AttestationReport: r}
	for _, c := range []struct {
		typ  string
		data []byte
	}{{"VCEK", certs.VCEK}, {"VLEK", certs.VLEK}, {"ASK", certs.ASK}, {"ASVK", certs.ASVK}, {"ARK", certs.ARK}} {
		if len(c.data) > 0 {
			typ, _ := json.Marshal(c.typ)
			ev.CertChain = append(ev.CertChain, certEntryJSON{CertType: typ, Data: c.data})
		}
	}
	return json.Marshal(ev)
}
