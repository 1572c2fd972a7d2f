package snp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/attest/vectors"
)

// testCA is a throw-away CA standing in for the ARK where a CRL must be
// signed: AMD's real CRLs revoke nothing we have evidence for, and only
// AMD holds the ARK key.
type testCA struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test ARK"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCRLSign | x509.KeyUsageCertSign,
		NotBefore: time.Unix(0, 0), NotAfter: time.Now().AddDate(50, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCA{key, cert}
}

func (ca testCA) crl(t *testing.T, this, next time.Time, revoked ...*big.Int) []byte {
	t.Helper()
	var entries []x509.RevocationListEntry
	for _, s := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: this})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: this, NextUpdate: next,
		RevokedCertificateEntries: entries}, ca.cert, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestCheckCRL(t *testing.T) {
	ca, other := newTestCA(t), newTestCA(t)
	vcek, err := x509.ParseCertificate(vectors.Read(t, "trustee/snp/test-vcek.der"))
	if err != nil {
		t.Fatal(err)
	}
	roots, _ := AMDRoots()
	ask := roots["Milan"][0].ProductCerts.Ask
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		name string
		der  []byte
		want string // "" = accepted
	}{
		{"current, nothing revoked", ca.crl(t, now.Add(-day), now.Add(day), big.NewInt(99)), ""},
		{"ASK revoked", ca.crl(t, now.Add(-day), now.Add(day), ask.SerialNumber), "revoked"},
		{"VCEK revoked", ca.crl(t, now.Add(-day), now.Add(day), vcek.SerialNumber), "revoked"},
		{"expired", ca.crl(t, now.Add(-2*day), now.Add(-day)), "expired"},
		{"not yet valid", ca.crl(t, now.Add(day), now.Add(2*day)), "not valid before"},
		{"signed by another key", other.crl(t, now.Add(-day), now.Add(day)), "not signed by the AMD ARK"},
		{"garbage", []byte("not a CRL"), "parse AMD CRL"},
	}
	for _, tc := range cases {
		err := CheckCRL(tc.der, ca.cert, ask, vcek, now)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestRevocationFromImportedBundle: offline, the CRL comes from the
// collateral cache (an imported bundle) at the KDS URL of the report's
// product line, and a CRL that AMD's ARK did not sign is refused.
func TestRevocationFromImportedBundle(t *testing.T) {
	vc := trusteeVectors(t)[0] // Milan, VCEK
	ctx := context.Background()
	cache := collateral.NewMemCache()
	ca := newTestCA(t)
	url := kds.CrlLinkByKey("Milan", abi.VcekReportSigner)
	if err := collateral.Put(ctx, cache, url, nil, ca.crl(t, vc.now.Add(-time.Hour), vc.now.Add(time.Hour)), vc.now); err != nil {
		t.Fatal(err)
	}
	v := mustNew(Config{Now: func() time.Time { return vc.now }, Getter: &collateral.Getter{Cache: cache}, CheckRevocations: true})
	_, err := v.VerifyReport(ctx, vc.report, vc.certs, attest.Expected{})
	if attest.FailedCheck(err) != CheckRevocation || !strings.Contains(err.Error(), "not signed by the AMD ARK") {
		t.Fatalf("imported CRL not signed by the ARK: err = %v, want %s", err, CheckRevocation)
	}
}

func TestMinimumTCBByLine(t *testing.T) {
	vc := trusteeVectors(t)[0] // Milan; reported TCB bl=3 tee=0 snp=8 ucode=115
	ctx := context.Background()
	for _, tc := range []struct {
		spec string
		ok   bool
	}{
		{"Milan:bl=3,tee=0,snp=8,ucode=115", true},
		{"Milan:snp=9", false},
		{"Milan:ucode=116;Genoa:snp=1", false},
		{"Genoa:bl=99,snp=99", true}, // another line's minimum does not apply
	} {
		m, err := ParseMinimumTCB(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		v := mustNew(Config{Now: func() time.Time { return vc.now }, MinimumTCBByLine: m})
		_, err = v.VerifyReport(ctx, vc.report, vc.certs, attest.Expected{})
		if tc.ok && err != nil || !tc.ok && attest.FailedCheck(err) != CheckTCB {
			t.Errorf("%s: err = %v, want ok=%v", tc.spec, err, tc.ok)
		}
	}
}

// TestConfigMapsCopied: the verifier keeps its own copy of the minimum-TCB
// map (its validation cache assumes a fixed configuration), so a caller
// that raises its own map's minimum afterwards neither loosens nor
// tightens what the verifier applies, cached or not.
func TestConfigMapsCopied(t *testing.T) {
	vc := trusteeVectors(t)[0] // Milan; reported TCB bl=3 tee=0 snp=8 ucode=115
	ctx := context.Background()
	m, err := ParseMinimumTCB("Milan:snp=9")
	if err != nil {
		t.Fatal(err)
	}
	v := mustNew(Config{Now: func() time.Time { return vc.now }, MinimumTCBByLine: m})
	m["Milan"] = kds.TCBParts{} // the caller's map, after New
	for i := range 2 {
		if _, err := v.VerifyReport(ctx, vc.report, vc.certs, attest.Expected{}); attest.FailedCheck(err) != CheckTCB {
			t.Fatalf("verification %d after the caller lowered its map: err = %v, want %s", i, err, CheckTCB)
		}
	}
}

func TestParseMinimumTCB(t *testing.T) {
	m, err := ParseMinimumTCB(" Milan:bl=3, tee=0,snp=8,ucode=115 ; Genoa:snp=14")
	if err != nil || m["Milan"] != (kds.TCBParts{BlSpl: 3, SnpSpl: 8, UcodeSpl: 115}) || m["Genoa"] != (kds.TCBParts{SnpSpl: 14}) {
		t.Fatalf("%v %v", m, err)
	}
	for _, bad := range []string{"Milan", "Rome:snp=1", "Milan:snp=256", "Milan:x=1", "Milan:snp", "Milan:snp=1;Milan:snp=2", "Genoa:fmc=1"} {
		if _, err := ParseMinimumTCB(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
