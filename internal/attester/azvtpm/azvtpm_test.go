package azvtpm

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-tpm-tools/simulator"
	"github.com/google/go-tpm/legacy/tpm2"
	"github.com/google/go-tpm/tpmutil"

	"github.com/trustgate/trustgate/internal/attest/vectors"
	"github.com/trustgate/trustgate/internal/initdata"
)

// noClose hands the simulator to the attester, which closes its TPM after
// each use, without shutting the simulator down.
type noClose struct{ io.ReadWriter }

func (noClose) Close() error { return nil }

// azureTPM is a TPM simulator provisioned like Azure's vTPM: an RSA AK at
// 0x81000003, the HCL report at 0x01400001 and the report-data index.
type azureTPM struct {
	sim   *simulator.Simulator
	akPub *rsa.PublicKey
	hcl   []byte
}

// fakeHCL builds an HCL report: the 32-byte header, the hardware report
// area (1184 bytes), the IGVM request data and its JSON variable data. Real
// reports are 2600 bytes; the simulator's NV indexes hold 2048, so the
// variable data is kept short.
func fakeHCL(reportType uint32) []byte {
	vardata := []byte(`{"keys":[{"kid":"HCLAkPub","kty":"RSA","e":"AQAB","n":"test"}],"vm-configuration":{"tpm-enabled":true},"user-data":""}`)
	var b bytes.Buffer
	b.WriteString(hclSignature)
	binary.Write(&b, binary.LittleEndian, []uint32{2, 1184, 2, 0, 0, 0, 0})
	hw := make([]byte, 1184)
	sum := sha256.Sum256(vardata)
	copy(hw[0x50:], sum[:]) // SNP REPORT_DATA = sha256(variable data)
	b.Write(hw)
	binary.Write(&b, binary.LittleEndian, []uint32{uint32(20 + len(vardata)), 1, reportType, 1, uint32(len(vardata))})
	b.Write(vardata)
	return b.Bytes()
}

func newAzureTPM(t *testing.T, reportType uint32) *azureTPM {
	t.Helper()
	sim, err := simulator.Get()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	tmpl := tpm2.Public{
		Type: tpm2.AlgRSA, NameAlg: tpm2.AlgSHA256, Attributes: tpm2.FlagSignerDefault,
		RSAParameters: &tpm2.RSAParams{Sign: &tpm2.SigScheme{Alg: tpm2.AlgRSASSA, Hash: tpm2.AlgSHA256}, KeyBits: 2048},
	}
	h, pub, err := tpm2.CreatePrimary(sim, tpm2.HandleOwner, tpm2.PCRSelection{}, "", "", tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if err := tpm2.EvictControl(sim, "", tpm2.HandleOwner, h, tpmutil.Handle(AKHandle)); err != nil {
		t.Fatal(err)
	}
	hcl := fakeHCL(reportType)
	attrs := tpm2.AttrOwnerWrite | tpm2.AttrOwnerRead | tpm2.AttrAuthRead | tpm2.AttrAuthWrite
	if err := tpm2.NVDefineSpace(sim, tpm2.HandleOwner, tpmutil.Handle(HCLReportIndex), "", "", nil, attrs, uint16(len(hcl))); err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(hcl); off += 512 {
		end := min(off+512, len(hcl))
		if err := tpm2.NVWrite(sim, tpm2.HandleOwner, tpmutil.Handle(HCLReportIndex), "", hcl[off:end], uint16(off)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tpm2.NVDefineSpace(sim, tpm2.HandleOwner, tpmutil.Handle(ReportDataIndex), "", "", nil, attrs, 64); err != nil {
		t.Fatal(err)
	}
	return &azureTPM{sim: sim, akPub: pub.(*rsa.PublicKey), hcl: hcl}
}

func (z *azureTPM) open() (io.ReadWriteCloser, error) { return noClose{z.sim}, nil }

func fakeIMDS(t *testing.T) *httptest.Server {
	t.Helper()
	vcek := []byte("vcek-der-bytes")
	if blk, _ := pem.Decode(vectors.Read(t, "trustee/az-snp-vtpm/vcek.pem")); blk != nil {
		vcek = blk.Bytes
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/metadata/THIM/amd/certification" && r.Header.Get("Metadata") == "true":
			json.NewEncoder(w).Encode(map[string]string{"vcekCert": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: vcek}))})
		case r.URL.Path == "/acc/tdquote" && r.Method == http.MethodPost:
			var in struct{ Report string }
			json.NewDecoder(r.Body).Decode(&in)
			rep, _ := base64.RawURLEncoding.DecodeString(in.Report)
			q := append([]byte("QUOTE:"), rep[:16]...)
			json.NewEncoder(w).Encode(map[string]string{"quote": base64.RawURLEncoding.EncodeToString(q)})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// checkQuote verifies the quote as a verifier would: RSASSA-SHA256 by the
// AK over the TPMS_ATTEST, nonce equal to the report data, PCR digest equal
// to the hash of the reported PCRs.
func checkQuote(t *testing.T, q TPMQuote, ak *rsa.PublicKey, nonce []byte) {
	t.Helper()
	msg, _ := hex.DecodeString(q.Message)
	sig, _ := hex.DecodeString(q.Signature)
	h := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(ak, crypto.SHA256, h[:], sig); err != nil {
		t.Fatalf("quote signature: %v", err)
	}
	ad, err := tpm2.DecodeAttestationData(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ad.ExtraData, nonce) {
		t.Fatalf("quote nonce %x, want %x", ad.ExtraData, nonce)
	}
	if len(q.PCRs) != 24 {
		t.Fatalf("%d PCRs, want 24", len(q.PCRs))
	}
	d := sha256.New()
	for _, p := range q.PCRs {
		b, _ := hex.DecodeString(p)
		d.Write(b)
	}
	if !bytes.Equal(ad.AttestedQuoteInfo.PCRDigest, d.Sum(nil)) {
		t.Fatal("PCR digest in the quote does not match the reported PCRs")
	}
}

func TestSNPEvidence(t *testing.T) {
	z := newAzureTPM(t, hclTypeSNP)
	a := NewSNP()
	a.OpenTPM = z.open
	a.IMDS = fakeIMDS(t).URL
	digest := sha256.Sum256([]byte("initdata toml"))
	if err := a.ExtendInitData(digest[:]); err != nil {
		t.Fatal(err)
	}
	rd := bytes.Repeat([]byte{0xAB}, 48)
	out, err := a.Evidence(context.Background(), rd)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(out, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "tpm_quote", "hcl_report", "vcek"} {
		if _, ok := keys[k]; !ok {
			t.Fatalf("evidence lacks %q", k)
		}
	}
	var ev SNPEvidence
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Version != 2 {
		t.Fatalf("version %d, want 2 (report data written to the HCL)", ev.Version)
	}
	hcl, err := base64.URLEncoding.DecodeString(ev.HCLReport)
	if err != nil || !bytes.Equal(hcl, z.hcl) {
		t.Fatalf("hcl_report is not the NV index content (padded base64url): %v", err)
	}
	if _, err := base64.URLEncoding.DecodeString(ev.VCEK); err != nil {
		t.Fatalf("vcek: %v", err)
	}
	checkQuote(t, ev.TPMQuote, z.akPub, rd)
	ud, err := tpm2.NVReadEx(z.sim, tpmutil.Handle(ReportDataIndex), tpm2.HandleOwner, "", 0)
	if err != nil || !bytes.Equal(ud[:48], rd) {
		t.Fatalf("report data not written to the HCL index: %x %v", ud, err)
	}
	bound, err := a.BoundInitData(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := initdata.VTPMPCR8(digest[:])
	if !bytes.Equal(bound, want[:]) {
		t.Fatalf("PCR8 = %x, want sha256(zeros||digest) = %x", bound, want)
	}
	if ev.TPMQuote.PCRs[8] != hex.EncodeToString(want[:]) {
		t.Fatal("quoted PCR 8 is not the initdata binding")
	}
}

func TestTDXEvidence(t *testing.T) {
	z := newAzureTPM(t, hclTypeTDX)
	a := NewTDX()
	a.OpenTPM = z.open
	a.IMDS = fakeIMDS(t).URL
	rd := []byte("nonce")
	out, err := a.Evidence(context.Background(), rd)
	if err != nil {
		t.Fatal(err)
	}
	var ev TDXEvidence
	if err := json.Unmarshal(out, &ev); err != nil {
		t.Fatal(err)
	}
	td, err := base64.URLEncoding.DecodeString(ev.TDQuote)
	if err != nil || !bytes.HasPrefix(td, []byte("QUOTE:")) || !bytes.Equal(td[6:], z.hcl[32:48]) {
		t.Fatalf("td_quote is not IMDS's quote of the TD report: %q %v", td, err)
	}
	checkQuote(t, ev.TPMQuote, z.akPub, rd)
	if Detect() != "" {
		t.Log("this machine has an Azure vTPM")
	}
}

func TestEvidenceErrors(t *testing.T) {
	z := newAzureTPM(t, hclTypeSNP)
	a := NewTDX() // an SNP HCL report on a TDX attester
	a.OpenTPM = z.open
	a.IMDS = fakeIMDS(t).URL
	if _, err := a.Evidence(context.Background(), []byte("x")); err == nil {
		t.Fatal("TDX evidence from an SNP HCL report")
	}
	s := NewSNP()
	s.OpenTPM = z.open
	if _, err := s.Evidence(context.Background(), make([]byte, 65)); err == nil {
		t.Fatal("65 bytes of report data accepted")
	}
	s.IMDS = "http://127.0.0.1:1"
	if _, err := s.Evidence(context.Background(), []byte("x")); err == nil {
		t.Fatal("evidence without a VCEK")
	}
}

// TestVectorShape checks our JSON members and encodings against upstream's
// captured az-snp-vtpm evidence.
func TestVectorShape(t *testing.T) {
	dir := vectors.Dir("trustee/az-snp-vtpm")
	b, err := os.ReadFile(filepath.Join(dir, "evidence-v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev SNPEvidence
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("upstream evidence does not fit our struct: %v", err)
	}
	hcl, err := base64.URLEncoding.DecodeString(ev.HCLReport)
	if err != nil {
		t.Fatalf("hcl_report is not padded base64url: %v", err)
	}
	if hclType(hcl) != hclTypeSNP || ev.Version != 2 || len(ev.TPMQuote.PCRs) != 24 {
		t.Fatalf("type %d version %d pcrs %d", hclType(hcl), ev.Version, len(ev.TPMQuote.PCRs))
	}
	if _, err := hex.DecodeString(ev.TPMQuote.Message); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, compact.Bytes()) {
		t.Fatal("re-serialising upstream's evidence changes it: member order or encoding differs")
	}
}
