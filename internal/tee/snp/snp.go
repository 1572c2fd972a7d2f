// Package snp is the AMD SEV-SNP wire format shared by the guest's attester
// (internal/attester/snp, snpemu) and trustee's verifier (internal/attest/snp):
// the report layout of AMD's SNP firmware ABI and upstream's attestation-agent
// evidence JSON (the sev crate's AttestationReport as serde writes it, plus
// its certificate table). One encoder and one decoder, so that the two sides
// cannot drift; upstream's captured evidence checks both byte for byte.
//
// Nothing here verifies anything: decoding checks structure only.
package snp

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-sev-guest/abi"

	"github.com/trustgate/trustgate/internal/tee"
)

// ReportSize is the size of an SNP ATTESTATION_REPORT in AMD's ABI.
const ReportSize = abi.ReportSize

// Offsets and sizes of report fields (AMD SEV-SNP ABI, table
// "ATTESTATION_REPORT") that both sides read.
const (
	OffReportData   = 0x50
	ReportDataSize  = 64
	OffMeasurement  = 0x90
	OffHostData     = 0xC0
	HostDataSize    = 32
	OffSignature    = 0x2A0
	OffReportedTCB  = 0x180
	OffCPUIDFamily  = 0x188
	TurinFamily     = 0x1A
	signatureRSSize = 72
)

// MaxEvidenceSize bounds the evidence JSON a verifier parses: a report
// serialized as arrays of numbers plus a few DER certificates stays well
// below.
const MaxEvidenceSize = 256 << 10

// Evidence is the SNP evidence exactly as upstream's attestation agent
// serializes it. Field order follows upstream so that the JSON is
// byte-compatible.
type Evidence struct {
	AttestationReport *Report     `json:"attestation_report"`
	CertChain         []CertEntry `json:"cert_chain"`
}

// Report mirrors the sev crate's AttestationReport serialization: byte
// arrays as JSON arrays of numbers.
type Report struct {
	Version         uint32    `json:"version"`
	GuestSVN        uint32    `json:"guest_svn"`
	Policy          uint64    `json:"policy"`
	FamilyID        ByteArray `json:"family_id"`
	ImageID         ByteArray `json:"image_id"`
	VMPL            uint32    `json:"vmpl"`
	SigAlgo         uint32    `json:"sig_algo"`
	CurrentTCB      TCB       `json:"current_tcb"`
	PlatInfo        uint64    `json:"plat_info"`
	KeyInfo         uint32    `json:"key_info"`
	ReportData      ByteArray `json:"report_data"`
	Measurement     ByteArray `json:"measurement"`
	HostData        ByteArray `json:"host_data"`
	IDKeyDigest     ByteArray `json:"id_key_digest"`
	AuthorKeyDigest ByteArray `json:"author_key_digest"`
	ReportID        ByteArray `json:"report_id"`
	ReportIDMA      ByteArray `json:"report_id_ma"`
	ReportedTCB     TCB       `json:"reported_tcb"`
	// The CPUID fields exist from report version 3 (null before, as the
	// sev crate writes an absent Option).
	CPUIDFamID   *uint8    `json:"cpuid_fam_id"`
	CPUIDModID   *uint8    `json:"cpuid_mod_id"`
	CPUIDStep    *uint8    `json:"cpuid_step"`
	ChipID       ByteArray `json:"chip_id"`
	CommittedTCB TCB       `json:"committed_tcb"`
	Current      Version   `json:"current"`
	Committed    Version   `json:"committed"`
	LaunchTCB    TCB       `json:"launch_tcb"`
	// The mitigation vectors exist from report version 5; absent before,
	// as in upstream's evidence for older reports.
	LaunchMitVector  *uint64   `json:"launch_mit_vector,omitempty"`
	CurrentMitVector *uint64   `json:"current_mit_vector,omitempty"`
	Signature        Signature `json:"signature"`
}

// TCB is a TCB_VERSION; FMC exists only on Turin and later (null before),
// whose byte layout differs from Milan and Genoa.
type TCB struct {
	FMC        *uint8 `json:"fmc"`
	Bootloader uint8  `json:"bootloader"`
	TEE        uint8  `json:"tee"`
	SNP        uint8  `json:"snp"`
	Microcode  uint8  `json:"microcode"`
}

// Version is a firmware version triple.
type Version struct {
	Major uint8 `json:"major"`
	Minor uint8 `json:"minor"`
	Build uint8 `json:"build"`
}

// Signature holds the ECDSA P-384 r and s, each 72 bytes little endian.
type Signature struct {
	R ByteArray `json:"r"`
	S ByteArray `json:"s"`
}

// CertEntry is one entry of the extended report's certificate table, as the
// sev crate names it: cert_type is "ARK", "ASK", "VCEK", "VLEK", "ASVK",
// "CRL", "Empty" (strings), or {"OTHER":"<guid>"} for other GUIDs.
type CertEntry struct {
	CertType any       `json:"cert_type"`
	Data     ByteArray `json:"data"`
}

// Name returns the entry's cert_type when it is a string ("VCEK", …), or ""
// for the object form.
func (c CertEntry) Name() string {
	s, _ := c.CertType.(string)
	return s
}

// Certificate-table GUIDs go-sev-guest does not name.
const (
	CRLGUID   = "92f81bc3-5811-4d3d-97ff-d19f88dc67ea"
	EmptyGUID = "00000000-0000-0000-0000-000000000000"
)

var certTypes = map[string]string{
	abi.ArkGUID:  "ARK",
	abi.AskGUID:  "ASK",
	abi.VcekGUID: "VCEK",
	abi.VlekGUID: "VLEK",
	CRLGUID:      "CRL",
	EmptyGUID:    "Empty", // the sev crate's name for the nil GUID
}

// CertEntryFor returns the entry for a certificate-table row with guid
// (lower-case, hyphenated), named as the sev crate names it.
func CertEntryFor(guid string, data []byte) CertEntry {
	if name, ok := certTypes[guid]; ok {
		return CertEntry{CertType: name, Data: data}
	}
	return CertEntry{CertType: map[string]string{"OTHER": guid}, Data: data}
}

// ByteArray is a byte string written as a JSON array of numbers, as serde
// does for [u8; N].
type ByteArray []byte

// MarshalJSON writes the bytes as an array of numbers.
func (b ByteArray) MarshalJSON() ([]byte, error) {
	out := make([]byte, 0, 4*len(b)+2)
	out = append(out, '[')
	for i, v := range b {
		if i > 0 {
			out = append(out, ',')
		}
		out = fmt.Appendf(out, "%d", v)
	}
	return append(out, ']'), nil
}

// UnmarshalJSON reads an array of numbers 0..255; a base64 string (which
// encoding/json would accept for []byte, and upstream never sends) and
// out-of-range numbers are refused.
func (b *ByteArray) UnmarshalJSON(data []byte) error {
	if out, ok := parseByteArray(data); ok {
		*b = out
		return nil
	}
	// Slow path, for its error message. []uint16, not []uint8: encoding/json
	// would accept a base64 string for []uint8.
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

// IsTurin reports whether a raw report's TCB_VERSION fields use the Turin
// layout (FMC byte first): report version 3 or later with CPUID family
// 0x1A (Zen 5) or later.
func IsTurin(raw []byte) bool {
	return len(raw) >= ReportSize && binary.LittleEndian.Uint32(raw[0:4]) >= abi.ReportVersion3 && raw[OffCPUIDFamily] >= TurinFamily
}

// TCBFromBytes decodes an 8-byte TCB_VERSION in the Turin or the
// Milan/Genoa layout.
func TCBFromBytes(b []byte, turin bool) TCB {
	if turin {
		fmc := b[0]
		return TCB{FMC: &fmc, Bootloader: b[1], TEE: b[2], SNP: b[3], Microcode: b[7]}
	}
	return TCB{Bootloader: b[0], TEE: b[1], SNP: b[6], Microcode: b[7]}
}

func (t TCB) put(dst []byte) {
	if t.FMC != nil { // Turin: FMC, BL, TEE, SNP, reserved[3], UCODE
		dst[0], dst[1], dst[2], dst[3], dst[7] = *t.FMC, t.Bootloader, t.TEE, t.SNP, t.Microcode
		return
	}
	// Milan, Genoa: BL, TEE, reserved[4], SNP, UCODE
	dst[0], dst[1], dst[6], dst[7] = t.Bootloader, t.TEE, t.SNP, t.Microcode
}

// ReportFromRaw decodes the first ReportSize bytes of raw into upstream's
// field-by-field form.
func ReportFromRaw(raw []byte) (*Report, error) {
	if len(raw) < ReportSize {
		return nil, fmt.Errorf("snp report is %d bytes, want %d", len(raw), ReportSize)
	}
	raw = raw[:ReportSize]
	le32 := func(o int) uint32 { return binary.LittleEndian.Uint32(raw[o:]) }
	le64 := func(o int) uint64 { return binary.LittleEndian.Uint64(raw[o:]) }
	cp := func(o, n int) ByteArray { return append(ByteArray(nil), raw[o:o+n]...) }
	turin := IsTurin(raw)
	tcb := func(o int) TCB { return TCBFromBytes(raw[o:o+8], turin) }
	r := &Report{
		Version:         le32(0x00),
		GuestSVN:        le32(0x04),
		Policy:          le64(0x08),
		FamilyID:        cp(0x10, 16),
		ImageID:         cp(0x20, 16),
		VMPL:            le32(0x30),
		SigAlgo:         le32(0x34),
		CurrentTCB:      tcb(0x38),
		PlatInfo:        le64(0x40),
		KeyInfo:         le32(0x48),
		ReportData:      cp(OffReportData, ReportDataSize),
		Measurement:     cp(OffMeasurement, 48),
		HostData:        cp(OffHostData, HostDataSize),
		IDKeyDigest:     cp(0xE0, 48),
		AuthorKeyDigest: cp(0x110, 48),
		ReportID:        cp(0x140, 32),
		ReportIDMA:      cp(0x160, 32),
		ReportedTCB:     tcb(OffReportedTCB),
		ChipID:          cp(0x1A0, 64),
		CommittedTCB:    tcb(0x1E0),
		Current:         Version{Build: raw[0x1E8], Minor: raw[0x1E9], Major: raw[0x1EA]},
		Committed:       Version{Build: raw[0x1EC], Minor: raw[0x1ED], Major: raw[0x1EE]},
		LaunchTCB:       tcb(0x1F0),
		Signature:       Signature{R: cp(OffSignature, signatureRSSize), S: cp(OffSignature+signatureRSSize, signatureRSSize)},
	}
	if r.Version >= abi.ReportVersion3 {
		fam, mod, step := raw[OffCPUIDFamily], raw[OffCPUIDFamily+1], raw[OffCPUIDFamily+2]
		r.CPUIDFamID, r.CPUIDModID, r.CPUIDStep = &fam, &mod, &step
	}
	if r.Version >= abi.ReportVersion5 {
		launch, current := le64(0x1F8), le64(0x200)
		r.LaunchMitVector, r.CurrentMitVector = &launch, &current
	}
	return r, nil
}

// Raw lays the report out as AMD's SNP ABI so that the signature can be
// checked over the exact bytes the firmware signed (the inverse of
// ReportFromRaw). Every byte string must have its field's size.
func (r *Report) Raw() ([]byte, error) {
	b := make([]byte, ReportSize)
	le := binary.LittleEndian
	le.PutUint32(b[0x00:], r.Version)
	le.PutUint32(b[0x04:], r.GuestSVN)
	le.PutUint64(b[0x08:], r.Policy)
	le.PutUint32(b[0x30:], r.VMPL)
	le.PutUint32(b[0x34:], r.SigAlgo)
	r.CurrentTCB.put(b[0x38:0x40])
	le.PutUint64(b[0x40:], r.PlatInfo)
	le.PutUint32(b[0x48:], r.KeyInfo)
	for _, f := range []struct {
		name     string
		off, end int
		v        []byte
	}{
		{"family_id", 0x10, 0x20, r.FamilyID},
		{"image_id", 0x20, 0x30, r.ImageID},
		{"report_data", OffReportData, OffReportData + ReportDataSize, r.ReportData},
		{"measurement", OffMeasurement, 0xC0, r.Measurement},
		{"host_data", OffHostData, OffHostData + HostDataSize, r.HostData},
		{"id_key_digest", 0xE0, 0x110, r.IDKeyDigest},
		{"author_key_digest", 0x110, 0x140, r.AuthorKeyDigest},
		{"report_id", 0x140, 0x160, r.ReportID},
		{"report_id_ma", 0x160, 0x180, r.ReportIDMA},
		{"chip_id", 0x1A0, 0x1E0, r.ChipID},
		{"signature.r", OffSignature, OffSignature + signatureRSSize, r.Signature.R},
		{"signature.s", OffSignature + signatureRSSize, OffSignature + 2*signatureRSSize, r.Signature.S},
	} {
		if len(f.v) != f.end-f.off {
			return nil, fmt.Errorf("field %s has %d bytes, want %d", f.name, len(f.v), f.end-f.off)
		}
		copy(b[f.off:f.end], f.v)
	}
	r.ReportedTCB.put(b[OffReportedTCB : OffReportedTCB+8])
	if r.Version >= abi.ReportVersion3 {
		if r.CPUIDFamID == nil || r.CPUIDModID == nil || r.CPUIDStep == nil {
			return nil, fmt.Errorf("report version %d lacks cpuid_fam_id/cpuid_mod_id/cpuid_step", r.Version)
		}
		b[OffCPUIDFamily], b[OffCPUIDFamily+1], b[OffCPUIDFamily+2] = *r.CPUIDFamID, *r.CPUIDModID, *r.CPUIDStep
	}
	r.CommittedTCB.put(b[0x1E0:0x1E8])
	b[0x1E8], b[0x1E9], b[0x1EA] = r.Current.Build, r.Current.Minor, r.Current.Major
	b[0x1EC], b[0x1ED], b[0x1EE] = r.Committed.Build, r.Committed.Minor, r.Committed.Major
	r.LaunchTCB.put(b[0x1F0:0x1F8])
	if r.LaunchMitVector != nil {
		le.PutUint64(b[0x1F8:], *r.LaunchMitVector)
	}
	if r.CurrentMitVector != nil {
		le.PutUint64(b[0x200:], *r.CurrentMitVector)
	}
	return b, nil
}

// Encode writes upstream's evidence JSON for the first ReportSize bytes of
// raw and the certificate entries (nil: cert_chain is null, as upstream
// sends it when the firmware returned no table).
func Encode(raw []byte, chain []CertEntry) ([]byte, error) {
	rep, err := ReportFromRaw(raw)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Evidence{AttestationReport: rep, CertChain: chain})
}

// Decode parses upstream's evidence JSON, bounded by MaxEvidenceSize. It
// checks structure only: nothing is trusted until a verifier has checked
// the signature over Report.Raw().
func Decode(data []byte) (*Evidence, error) {
	if len(data) > MaxEvidenceSize {
		return nil, fmt.Errorf("%d bytes exceeds limit of %d", len(data), MaxEvidenceSize)
	}
	var ev Evidence
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, err
	}
	if ev.AttestationReport == nil {
		return nil, errors.New("missing attestation_report")
	}
	return &ev, nil
}

// HostData is the HOST_DATA the host sets when it binds initdata with this
// digest at launch (zero-padded or truncated to 32 bytes).
func HostData(digest []byte) []byte { return tee.Regularize(digest, HostDataSize) }

// ReportData is the REPORT_DATA that binds a runtime-data digest
// (zero-padded or truncated to 64 bytes).
func ReportData(digest []byte) []byte { return tee.Regularize(digest, ReportDataSize) }

// Certs holds a report's endorsement and product certificates (DER) by
// role, as the certificate table names them.
type Certs struct {
	VCEK, VLEK, ASK, ASVK, ARK []byte
}

// Chain returns the cert_chain entries for c, in the order VCEK, VLEK, ASK,
// ASVK, ARK, skipping empty ones; nil when all are empty.
func (c Certs) Chain() []CertEntry {
	var chain []CertEntry
	for _, e := range []struct {
		typ  string
		data []byte
	}{{"VCEK", c.VCEK}, {"VLEK", c.VLEK}, {"ASK", c.ASK}, {"ASVK", c.ASVK}, {"ARK", c.ARK}} {
		if len(e.data) > 0 {
			chain = append(chain, CertEntry{CertType: e.typ, Data: e.data})
		}
	}
	return chain
}

// Certs sorts the evidence's cert_chain by role. Entries it has no role
// for (CRL, Empty, OTHER) are skipped; a role given twice is an error. The
// sev crate writes the names in upper case; lower case is accepted too.
func (ev *Evidence) Certs() (Certs, error) {
	var out Certs
	for i, c := range ev.CertChain {
		typ := c.Name()
		var dst *[]byte
		switch typ {
		case "VCEK", "vcek":
			dst = &out.VCEK
		case "VLEK", "vlek":
			dst = &out.VLEK
		case "ASK", "ask":
			dst = &out.ASK
		case "ASVK", "asvk":
			dst = &out.ASVK
		case "ARK", "ark":
			dst = &out.ARK
		default:
			continue // other table entries (e.g. OEM) carry nothing a verifier checks
		}
		if len(*dst) != 0 {
			return Certs{}, fmt.Errorf("duplicate %s in cert_chain[%d]", typ, i)
		}
		*dst = c.Data
	}
	return out, nil
}
