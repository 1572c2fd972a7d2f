package snp

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/uuid"
)

// ReportSize is the size of an SEV-SNP ATTESTATION_REPORT (AMD SNP ABI).
const ReportSize = abi.ReportSize

// Offsets into the raw report (AMD SEV-SNP ABI, table "ATTESTATION_REPORT").
const (
	offReportData = 0x50
	offHostData   = 0xC0
	offSignature  = 0x2A0
	turinFamily   = 0x1A
)

// Evidence is the SNP evidence exactly as upstream's attestation agent
// serializes it (the sev crate's AttestationReport plus its cert table).
// Field order follows upstream so that the JSON is byte-compatible.
type Evidence struct {
	AttestationReport Report      `json:"attestation_report"`
	CertChain         []CertEntry `json:"cert_chain"`
}

// Report mirrors the sev crate's AttestationReport serialization: byte
// arrays as JSON arrays of numbers (hence []int, not []byte, which
// encoding/json would base64-encode).
type Report struct {
	Version         uint32    `json:"version"`
	GuestSVN        uint32    `json:"guest_svn"`
	Policy          uint64    `json:"policy"`
	FamilyID        byteArray `json:"family_id"`
	ImageID         byteArray `json:"image_id"`
	VMPL            uint32    `json:"vmpl"`
	SigAlgo         uint32    `json:"sig_algo"`
	CurrentTCB      TCB       `json:"current_tcb"`
	PlatInfo        uint64    `json:"plat_info"`
	KeyInfo         uint32    `json:"key_info"`
	ReportData      byteArray `json:"report_data"`
	Measurement     byteArray `json:"measurement"`
	HostData        byteArray `json:"host_data"`
	IDKeyDigest     byteArray `json:"id_key_digest"`
	AuthorKeyDigest byteArray `json:"author_key_digest"`
	ReportID        byteArray `json:"report_id"`
	ReportIDMA      byteArray `json:"report_id_ma"`
	ReportedTCB     TCB       `json:"reported_tcb"`
	CPUIDFamID      *uint8    `json:"cpuid_fam_id"`
	CPUIDModID      *uint8    `json:"cpuid_mod_id"`
	CPUIDStep       *uint8    `json:"cpuid_step"`
	ChipID          byteArray `json:"chip_id"`
	CommittedTCB    TCB       `json:"committed_tcb"`
	Current         Version   `json:"current"`
	Committed       Version   `json:"committed"`
	LaunchTCB       TCB       `json:"launch_tcb"`
	// The mitigation vectors exist from report version 5; absent before,
	// as in upstream's evidence for older reports.
	LaunchMitVector  *uint64   `json:"launch_mit_vector,omitempty"`
	CurrentMitVector *uint64   `json:"current_mit_vector,omitempty"`
	Signature        Signature `json:"signature"`
}

// TCB is a TCB_VERSION; FMC exists only on Turin and later (null before).
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
	R byteArray `json:"r"`
	S byteArray `json:"s"`
}

// CertEntry is one entry of the extended report's certificate table, as the
// sev crate names it: cert_type is "ARK", "ASK", "VCEK", "VLEK", "CRL",
// "Empty" or
// {"OTHER":"<guid>"} for unknown GUIDs.
type CertEntry struct {
	CertType any       `json:"cert_type"`
	Data     byteArray `json:"data"`
}

// byteArray marshals as a JSON array of numbers, as serde does for [u8; N].
type byteArray []byte

func (b byteArray) MarshalJSON() ([]byte, error) {
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

func (b *byteArray) UnmarshalJSON(data []byte) error {
	var nums []uint8Num
	if err := json.Unmarshal(data, &nums); err != nil {
		return err
	}
	*b = make([]byte, len(nums))
	for i, n := range nums {
		(*b)[i] = byte(n)
	}
	return nil
}

// uint8Num rejects numbers outside 0..255 instead of truncating them.
type uint8Num uint8

func (n *uint8Num) UnmarshalJSON(data []byte) error {
	var v uint8
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("byte value: %w", err)
	}
	*n = uint8Num(v)
	return nil
}

var certTypes = map[string]string{
	abi.ArkGUID:                            "ARK",
	abi.AskGUID:                            "ASK",
	abi.VcekGUID:                           "VCEK",
	abi.VlekGUID:                           "VLEK",
	"92f81bc3-5811-4d3d-97ff-d19f88dc67ea": "CRL",
	"00000000-0000-0000-0000-000000000000": "Empty", // the sev crate's name for the nil GUID
}

// EvidenceFromRaw builds upstream's evidence JSON from a raw 1184-byte report
// and the GUID certificate table the firmware returned with it (may be
// empty: cert_chain is then null, as upstream sends it).
func EvidenceFromRaw(raw, certTable []byte) ([]byte, error) {
	rep, err := ReportFromRaw(raw)
	if err != nil {
		return nil, err
	}
	ev := Evidence{AttestationReport: *rep}
	if len(certTable) > 0 {
		var table abi.CertTable
		if err := table.Unmarshal(certTable); err != nil {
			return nil, fmt.Errorf("parse snp certificate table: %w", err)
		}
		for _, e := range table.Entries {
			// go-sev-guest mixes its own platform-info entry into tables it
			// builds; it is not a certificate and upstream never sends it.
			if e.GUID == uuid.MustParse(abi.ExtraPlatformInfoGUID) {
				continue
			}
			var ct any = map[string]string{"OTHER": e.GUID.String()}
			if name, ok := certTypes[e.GUID.String()]; ok {
				ct = name
			}
			ev.CertChain = append(ev.CertChain, CertEntry{CertType: ct, Data: e.RawCert})
		}
	}
	return json.Marshal(ev)
}

// ReportFromRaw decodes a raw report into upstream's field-by-field form.
func ReportFromRaw(raw []byte) (*Report, error) {
	if len(raw) < ReportSize {
		return nil, fmt.Errorf("snp report is %d bytes, want %d", len(raw), ReportSize)
	}
	raw = raw[:ReportSize]
	le32 := func(o int) uint32 { return binary.LittleEndian.Uint32(raw[o:]) }
	le64 := func(o int) uint64 { return binary.LittleEndian.Uint64(raw[o:]) }
	cp := func(o, n int) byteArray { return append(byteArray(nil), raw[o:o+n]...) }
	r := &Report{
		Version:         le32(0x00),
		GuestSVN:        le32(0x04),
		Policy:          le64(0x08),
		FamilyID:        cp(0x10, 16),
		ImageID:         cp(0x20, 16),
		VMPL:            le32(0x30),
		SigAlgo:         le32(0x34),
		PlatInfo:        le64(0x40),
		KeyInfo:         le32(0x48),
		ReportData:      cp(offReportData, 64),
		Measurement:     cp(0x90, 48),
		HostData:        cp(offHostData, 32),
		IDKeyDigest:     cp(0xE0, 48),
		AuthorKeyDigest: cp(0x110, 48),
		ReportID:        cp(0x140, 32),
		ReportIDMA:      cp(0x160, 32),
		ChipID:          cp(0x1A0, 64),
		Current:         Version{Build: raw[0x1E8], Minor: raw[0x1E9], Major: raw[0x1EA]},
		Committed:       Version{Build: raw[0x1EC], Minor: raw[0x1ED], Major: raw[0x1EE]},
		Signature:       Signature{R: cp(offSignature, 72), S: cp(offSignature+72, 72)},
	}
	turin := false
	if r.Version >= 3 {
		fam, mod, step := raw[0x188], raw[0x189], raw[0x18A]
		r.CPUIDFamID, r.CPUIDModID, r.CPUIDStep = &fam, &mod, &step
		turin = fam >= turinFamily
	}
	tcb := func(o int) TCB {
		b := raw[o : o+8]
		if turin {
			fmc := b[0]
			return TCB{FMC: &fmc, Bootloader: b[1], TEE: b[2], SNP: b[3], Microcode: b[7]}
		}
		return TCB{Bootloader: b[0], TEE: b[1], SNP: b[6], Microcode: b[7]}
	}
	r.CurrentTCB = tcb(0x38)
	r.ReportedTCB = tcb(0x180)
	r.CommittedTCB = tcb(0x1E0)
	r.LaunchTCB = tcb(0x1F0)
	if r.Version >= abi.ReportVersion5 {
		launch, current := le64(0x1F8), le64(0x200)
		r.LaunchMitVector, r.CurrentMitVector = &launch, &current
	}
	return r, nil
}

// errNoReport is returned when neither configfs-tsm nor /dev/sev-guest works.
var errNoReport = errors.New("no SEV-SNP report interface: neither configfs-tsm (/sys/kernel/config/tsm/report) nor /dev/sev-guest is usable")
