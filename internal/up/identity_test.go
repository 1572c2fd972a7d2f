package up

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/trustgate/trustgate/internal/dashboard"
	"github.com/trustgate/trustgate/internal/testenv"
)

// TestUpIdentity: up (identity is its only mode) certifies the de-identification sidecar's
// in-memory key through Trustee's identity CA (its certificate names the
// workload's SPIFFE ID and chains to the public bundle, not cocofy's CA),
// runs a second workload whose sidecar calls it with workload-to-workload
// mTLS, and the dashboard lists both workloads' valid certificates.
func TestUpIdentity(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, out, logs := startTestStack(t, ctx, "-", nil)
	defer s.Close()
	if s.GatewayURL == "" || !strings.HasSuffix(s.SidecarCA, filepath.Join("identity", "bundle.pem")) {
		t.Fatalf("gateway %q, sidecar CA %q", s.GatewayURL, s.SidecarCA)
	}
	tc, err := s.ClientTLS() // verifies with the identity bundle
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
	var serverKeys []crypto.PublicKey
	for name, u := range map[string]string{"deid sidecar": s.SidecarURL, "gateway → deid (workload mTLS)": s.GatewayURL} {
		resp, err := c.Post(u+"/api/redact", "text/plain", strings.NewReader(seed))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "Dr. [NAME] admitted [NAME] to [LOCATION] on [DATE]\n" {
			t.Fatalf("%s: %d %q", name, resp.StatusCode, b)
		}
		leaf := resp.TLS.PeerCertificates[0]
		serverKeys = append(serverKeys, leaf.PublicKey)
		want := DeidSPIFFEID
		if u == s.GatewayURL {
			want = GatewaySPIFFEID
		}
		if len(leaf.URIs) != 1 || leaf.URIs[0].String() != want {
			t.Errorf("%s: server certificate URIs %v, want %s", name, leaf.URIs, want)
		}
		if life := leaf.NotAfter.Sub(leaf.NotBefore); life > 2*time.Hour {
			t.Errorf("%s: certificate lives %s, want a short-lived one", name, life)
		}
	}
	// The sidecars' keys are born in memory: no private key stored under
	// the state dir (cocofy's key dir, the offline bundle, the VM's
	// initdata) is the private half of either server certificate.
	checkNoStoredServerKey(t, s.Dir, serverKeys)
	// The canary scan: those keys in no file, database row, offline
	// bundle or log.
	checkSidecarKeysNowhere(t, s, logs.String(), out.String())
	// Changing the policy or the reference values stops issuance.
	checkRevocationByPolicy(t, s)

	// The deid sidecar admits only the gateway's SPIFFE ID among workloads
	// (and users of the client CA): a user reaching it directly still works
	// (above); a TLS client without a certificate is refused.
	noCert := tc.Clone()
	noCert.Certificates = nil
	if conn, err := tls.Dial("tcp", strings.TrimPrefix(s.SidecarURL, "https://"), noCert); err == nil {
		err = conn.Handshake()
		_, rerr := conn.Read(make([]byte, 1))
		conn.Close()
		if err == nil && rerr == nil {
			t.Error("deid sidecar answered a client without a certificate")
		}
	}

	dash := login(t, s)
	var ids dashboard.IdentitiesView
	waitFor(t, 10*time.Second, func() bool {
		getJSON(t, dash, s.DashboardURL+"/api/v1/identities", &ids)
		var got []string
		for _, c := range ids.Certificates {
			got = append(got, c.SPIFFEID)
		}
		return slices.Contains(got, DeidSPIFFEID) && slices.Contains(got, GatewaySPIFFEID)
	})

	if os.Getenv(testenv.ChromiumPath) == "" && !testenv.InCI() {
		t.Log("TRUSTGATE_TEST_CHROMIUM not set: the dashboard page is not checked in Chromium")
		return
	}
	pw, err := os.ReadFile(s.DashPassword)
	if err != nil {
		t.Fatal(err)
	}
	bctx, closeBrowser := testenv.Chromium(t, 1280, 1100)
	defer closeBrowser()
	step, cancelStep := context.WithTimeout(bctx, 60*time.Second)
	defer cancelStep()
	if err := chromedp.Do(step,
		chromedp.Navigate(s.DashboardURL+"/"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("password"), strings.TrimSpace(string(pw))),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#identities tr.valid[data-spiffe-id="`+DeidSPIFFEID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#identities tr.valid[data-spiffe-id="`+GatewaySPIFFEID+`"]`)),
	); err != nil {
		html, _ := chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("dashboard in Chromium: the identities section: %v\n%s", err, html)
	}
	checkAppInChromium(t, s)
}

// checkAppInChromium: a hospital user's browser (headless Chromium with the
// client .p12 cocofy made in its NSS database, trusting only Trustee's
// identity bundle) reaches the app through the deid sidecar with mTLS, and
// the server certificate it sees is the Trustee-issued one naming the
// workload's SPIFFE ID.
func checkAppInChromium(t *testing.T, s *Stack) {
	pw, err := os.ReadFile(s.ClientP12 + ".password")
	if err != nil {
		t.Fatal(err)
	}
	bctx, closeBrowser := testenv.ChromiumClientCert(t, 1280, 900, testenv.ClientCert{
		P12: s.ClientP12, P12Password: strings.TrimSpace(string(pw)), TrustedCAs: s.SidecarCA,
	})
	defer closeBrowser()
	step, cancelStep := context.WithTimeout(bctx, 60*time.Second)
	defer cancelStep()
	if _, err := chromedp.Call(step, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(step,
		chromedp.Navigate(s.SidecarURL+"/"),
		chromedp.WaitVisible(chromedp.CSS("header h1")),
	); err != nil {
		diag, cancelDiag := context.WithTimeout(bctx, 5*time.Second)
		defer cancelDiag()
		html, _ := chromedp.Run(diag, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("app through the sidecar in Chromium (was the client certificate offered?): %v\n%s", err, html)
	}
	h1, err := chromedp.Run(step, chromedp.Text(chromedp.CSS("header h1")))
	if err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(step, chromedp.Title())
	if err != nil || title != "Clinical note de-identification" || h1 != title {
		t.Fatalf("app page: title %q, h1 %q (%v)", title, h1, err)
	}
	res, err := chromedp.Call(step, network.GetCertificate, network.GetCertificateParams{Origin: s.SidecarURL})
	if err != nil || len(res.TableNames) == 0 {
		t.Fatalf("Network.getCertificate %s: %v (%d certificates)", s.SidecarURL, err, len(res.TableNames))
	}
	der, err := base64.StdEncoding.DecodeString(res.TableNames[0])
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(leaf.URIs) != 1 || leaf.URIs[0].String() != DeidSPIFFEID {
		t.Errorf("Chromium saw a server certificate with URIs %v, want %s", leaf.URIs, DeidSPIFFEID)
	}
	bundle, err := os.ReadFile(s.SidecarCA)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(bundle)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("the server certificate Chromium saw (issuer %s) does not chain to Trustee's identity bundle: %v", leaf.Issuer, err)
	}
	// cocofy's CA (the client CA) must not be what the server certificate
	// chains to: the browser trusted only the identity bundle.
	cocofyCA, err := os.ReadFile(filepath.Join(filepath.Dir(s.ClientP12), "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	cp := x509.NewCertPool()
	cp.AppendCertsFromPEM(cocofyCA)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: cp, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("the server certificate Chromium saw chains to cocofy's CA, not only to Trustee's identity CA")
	}
}

// checkNoStoredServerKey fails when a file under dir holds a private key
// (a PEM block whose type ends in "PRIVATE KEY", or the whole file as DER
// PKCS#8/SEC 1/PKCS#1) whose public key is one of pubs. Keys inside
// password-protected PKCS#12 files are not opened: cocofy writes only the
// users' client key there.
func checkNoStoredServerKey(t *testing.T, dir string, pubs []crypto.PublicKey) {
	t.Helper()
	if len(pubs) == 0 {
		t.Fatal("no server public key to look for")
	}
	parse := func(der []byte) crypto.PublicKey {
		if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
			return k.(crypto.Signer).Public()
		}
		if k, err := x509.ParseECPrivateKey(der); err == nil {
			return k.Public()
		}
		if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
			return k.Public()
		}
		return nil
	}
	keys := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found := []crypto.PublicKey{parse(data)}
		for rest := data; ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			if strings.HasSuffix(b.Type, "PRIVATE KEY") {
				pub := parse(b.Bytes)
				if pub == nil {
					t.Errorf("%s: a %s block that does not parse", path, b.Type)
				}
				found = append(found, pub)
			}
		}
		for _, pub := range found {
			if pub == nil {
				continue
			}
			keys++
			for _, sp := range pubs {
				if sp.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
					t.Errorf("%s holds the private key of a sidecar's server certificate", path)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if keys == 0 {
		t.Fatalf("no private key at all under %s: the scan looked in the wrong place", dir)
	}
}
