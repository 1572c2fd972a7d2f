package snp

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-configfs-tsm/configfs/configfsi"
	"github.com/google/go-configfs-tsm/configfs/faketsm"
	"github.com/google/go-sev-guest/abi"
	sevtest "github.com/google/go-sev-guest/testing"
	"github.com/google/uuid"

	"github.com/trustgate/trustgate/internal/attest/vectors"
)

// fakeSNP is a configfs-tsm report subsystem whose outblob is a real SNP
// report layout signed by go-sev-guest's test-only AMD chain.
func fakeSNP(t *testing.T, hostData []byte) (configfsi.Client, *sevtest.AmdSigner) {
	t.Helper()
	signer, err := sevtest.DefaultTestOnlyCertChain("Genoa", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certs, err := signer.CertTableBytes()
	if err != nil {
		t.Fatal(err)
	}
	sub := faketsm.Report611(0)
	base := sub.ReadAttr
	sub.ReadAttr = func(e *faketsm.ReportEntry, attr string) ([]byte, error) {
		switch attr {
		case "provider":
			return []byte("sev_guest\n"), nil
		case "auxblob":
			return certs, nil
		case "outblob":
			in := e.InAttrs["inblob"]
			if in == nil || len(in.Value) == 0 {
				return nil, syscall.EINVAL
			}
			raw := signedReport(t, signer, in.Value, hostData)
			return raw, nil
		}
		return base(e, attr)
	}
	return &faketsm.Client{Subsystems: map[string]configfsi.Client{"report": sub}}, signer
}

func signedReport(t testing.TB, signer *sevtest.AmdSigner, reportData, hostData []byte) []byte {
	r := sevtest.CreateRawReport(&sevtest.TestReportOptions{
		ReportData: reportData,
		Version:    3,
		FMS:        abi.FmsToCpuid1Eax(0x19, 0x11, 1), // Genoa
	})
	raw := r[:ReportSize]
	copy(raw[offHostData:], hostData)
	copy(raw[0x90:], bytes.Repeat([]byte{0xAB}, 48)) // measurement
	raw[0x38], raw[0x3E], raw[0x3F] = 3, 8, 115      // current_tcb
	rs, ss, err := signer.Sign(abi.SignedComponent(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := abi.SetSignature(rs, ss, raw); err != nil {
		t.Fatal(err)
	}
	return raw
}

// rawFromEvidence rebuilds the 1184-byte report from upstream's JSON; it is
// the inverse the verifier side performs, written here independently so the
// forward conversion is checked against real upstream evidence.
func rawFromEvidence(t testing.TB, ev *Evidence) []byte {
	t.Helper()
	r := ev.AttestationReport
	raw := make([]byte, ReportSize)
	binary.LittleEndian.PutUint32(raw[0x00:], r.Version)
	binary.LittleEndian.PutUint32(raw[0x04:], r.GuestSVN)
	binary.LittleEndian.PutUint64(raw[0x08:], r.Policy)
	copy(raw[0x10:], r.FamilyID)
	copy(raw[0x20:], r.ImageID)
	binary.LittleEndian.PutUint32(raw[0x30:], r.VMPL)
	binary.LittleEndian.PutUint32(raw[0x34:], r.SigAlgo)
	binary.LittleEndian.PutUint64(raw[0x40:], r.PlatInfo)
	binary.LittleEndian.PutUint32(raw[0x48:], r.KeyInfo)
	copy(raw[0x50:], r.ReportData)
	copy(raw[0x90:], r.Measurement)
	copy(raw[0xC0:], r.HostData)
	copy(raw[0xE0:], r.IDKeyDigest)
	copy(raw[0x110:], r.AuthorKeyDigest)
	copy(raw[0x140:], r.ReportID)
	copy(raw[0x160:], r.ReportIDMA)
	if r.CPUIDFamID != nil {
		raw[0x188], raw[0x189], raw[0x18A] = *r.CPUIDFamID, *r.CPUIDModID, *r.CPUIDStep
	}
	copy(raw[0x1A0:], r.ChipID)
	raw[0x1E8], raw[0x1E9], raw[0x1EA] = r.Current.Build, r.Current.Minor, r.Current.Major
	raw[0x1EC], raw[0x1ED], raw[0x1EE] = r.Committed.Build, r.Committed.Minor, r.Committed.Major
	for off, tcb := range map[int]TCB{0x38: r.CurrentTCB, 0x180: r.ReportedTCB, 0x1E0: r.CommittedTCB, 0x1F0: r.LaunchTCB} {
		if tcb.FMC != nil {
			raw[off], raw[off+1], raw[off+2], raw[off+3], raw[off+7] = *tcb.FMC, tcb.Bootloader, tcb.TEE, tcb.SNP, tcb.Microcode
		} else {
			raw[off], raw[off+1], raw[off+6], raw[off+7] = tcb.Bootloader, tcb.TEE, tcb.SNP, tcb.Microcode
		}
	}
	copy(raw[0x2A0:], r.Signature.R)
	copy(raw[0x2A0+72:], r.Signature.S)
	return raw
}

// verifySig checks the report signature with the VCEK from the cert chain.
func verifySig(t testing.TB, raw, vcekDER []byte) bool {
	t.Helper()
	cert, err := x509.ParseCertificate(vcekDER)
	if err != nil {
		t.Fatalf("parse vcek: %v", err)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		t.Fatalf("vcek key is %T", cert.PublicKey)
	}
	le := func(b []byte) *big.Int {
		be := bytes.Clone(b)
		slices.Reverse(be)
		return new(big.Int).SetBytes(be)
	}
	digest := sha512.Sum384(raw[:offSignature])
	return ecdsa.Verify(pub, digest[:], le(raw[0x2A0:0x2A0+72]), le(raw[0x2A0+72:0x2A0+144]))
}

func TestEvidenceMatchesUpstreamVector(t *testing.T) {
	dir := vectors.Dir("trustee/snp-aa-evidence")
	want, err := os.ReadFile(filepath.Join(dir, "evidence.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev Evidence
	if err := json.Unmarshal(want, &ev); err != nil {
		t.Fatalf("parse upstream evidence: %v", err)
	}
	raw := rawFromEvidence(t, &ev)
	if !verifySig(t, raw, ev.CertChain[0].Data) {
		t.Fatal("rebuilt upstream report does not verify with its VCEK: layout wrong")
	}
	var table abi.CertTable
	table.Entries = []abi.CertTableEntry{{GUID: uuid.MustParse(abi.VcekGUID), RawCert: ev.CertChain[0].Data}}
	got, err := EvidenceFromRaw(raw, table.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, compact.Bytes()) {
		t.Fatalf("evidence differs from upstream's\n got %.300s\nwant %.300s", got, compact.Bytes())
	}
}

func TestEvidenceThroughConfigfsTSM(t *testing.T) {
	hostData := bytes.Repeat([]byte{7}, 32)
	tsm, _ := fakeSNP(t, hostData)
	a := &Attester{TSM: tsm}
	rd := bytes.Repeat([]byte{0x42}, 48)
	out, err := a.Evidence(context.Background(), rd)
	if err != nil {
		t.Fatal(err)
	}
	var ev Evidence
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatal(err)
	}
	wantRD := append(bytes.Clone(rd), make([]byte, 16)...)
	if !bytes.Equal(ev.AttestationReport.ReportData, wantRD) {
		t.Fatalf("report_data = %x, want %x", ev.AttestationReport.ReportData, wantRD)
	}
	var vcek []byte
	for _, c := range ev.CertChain {
		if c.CertType == "VCEK" {
			vcek = c.Data
		}
	}
	if vcek == nil {
		t.Fatalf("no VCEK in cert_chain: %v", ev.CertChain)
	}
	raw := rawFromEvidence(t, &ev)
	if !verifySig(t, raw, vcek) {
		t.Fatal("signature does not verify after JSON round trip")
	}
	raw[0x90] ^= 1
	if verifySig(t, raw, vcek) {
		t.Fatal("signature verifies with a flipped measurement bit")
	}
	bound, err := a.BoundInitData(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bound, hostData) {
		t.Fatalf("BoundInitData = %x, want %x", bound, hostData)
	}
}

func TestEvidenceThroughSevGuestDevice(t *testing.T) {
	signer, err := sevtest.DefaultTestOnlyCertChain("Milan", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certs, err := signer.CertTableBytes()
	if err != nil {
		t.Fatal(err)
	}
	var rd [64]byte
	copy(rd[:], "nonce-bound")
	raw := signedReport(t, signer, rd[:], nil)
	resp := &sevtest.GetReportResponse{}
	copy(resp.Resp.Data[:], raw)
	resp.Resp.Status = 0
	resp.Resp.ReportSize = uint32(ReportSize)
	dev := &sevtest.Device{
		ReportDataRsp: map[string]any{hex.EncodeToString(rd[:]): resp},
		Certs:         certs,
		Signer:        signer,
	}
	a := &Attester{Device: dev}
	out, err := a.Evidence(context.Background(), rd[:11])
	if err != nil {
		t.Fatal(err)
	}
	var ev Evidence
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ev.AttestationReport.ReportData, rd[:]) {
		t.Fatalf("report_data = %x", ev.AttestationReport.ReportData)
	}
	if len(ev.CertChain) == 0 {
		t.Fatal("no certificates from the extended report")
	}
}

func TestReportFromRawRejectsShort(t *testing.T) {
	if _, err := EvidenceFromRaw(make([]byte, 100), nil); err == nil {
		t.Fatal("short report accepted")
	}
}
