package up

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/detect"
	"github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/beacon"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/imagesig"
	imgpolicy "github.com/trustgate/trustgate/internal/imagesig/policy"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbs"
)

// CosignKeyResource is where up stores the public key Gate 1 trusts.
const CosignKeyResource = "default/cosign-public-key/1"

// DenialResult is one demo scenario's outcome.
type DenialResult struct {
	Scenario string
	Denied   bool
	Reason   string
}

// Denials runs the failure scenarios against a running up and prints each
// refusal. Every one must be refused; an allowed scenario is an error.
func Denials(ctx context.Context, r *Record, out io.Writer) error {
	fmt.Fprintln(out, "trustgate demo denials: each scenario must be refused")
	scenarios := []struct {
		name string
		run  func(context.Context, *Record) (string, error)
	}{
		{"initdata changed after provisioning", changedInitData},
		{"unsigned image (Gate 1)", unsignedImage},
		{"debug-enabled TEE", debugTEE},
		{"forged beacon", forgedBeacon},
	}
	var failed []string
	for i, sc := range scenarios {
		reason, err := sc.run(ctx, r)
		switch {
		case err != nil:
			fmt.Fprintf(out, "  %d. %-38s ERROR   %v\n", i+1, sc.name, err)
			failed = append(failed, sc.name)
		case reason == "":
			fmt.Fprintf(out, "  %d. %-38s ALLOWED (this must not happen)\n", i+1, sc.name)
			failed = append(failed, sc.name)
		default:
			fmt.Fprintf(out, "  %d. %-38s DENIED  %s\n", i+1, sc.name, reason)
		}
	}
	fmt.Fprintf(out, "See each denial in the dashboard's feed and alerts: %s\n", r.DashboardURL)
	if len(failed) > 0 {
		return fmt.Errorf("scenarios not refused: %s", strings.Join(failed, ", "))
	}
	return nil
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// vmGuest prepares a guest runtime like the VM's, with its own attester.
func vmGuest(ctx context.Context, r *Record, att attester.Attester, initdataPath string) (*guest.Runtime, error) {
	cert, err := os.ReadFile(r.TrusteeCert)
	if err != nil {
		return nil, err
	}
	return guest.Prepare(ctx, &guest.Config{KBSURL: r.TrusteeURL, KBSCertPEM: cert, Attester: att,
		InitDataPath: initdataPath, Logger: quietLogger()}, detect.Options{})
}

// changedInitData: the VM's initdata is edited after cocofy registered its
// digest. The emulated hardware binds the new digest (so the guest starts),
// but Trustee's policy no longer affirms the configuration.
func changedInitData(ctx context.Context, r *Record) (string, error) {
	raw, err := os.ReadFile(r.InitData)
	if err != nil {
		return "", err
	}
	changed := append(append([]byte{}, raw...), []byte("\n# edited after provisioning\n")...)
	tmp, err := os.MkdirTemp("", "trustgate-demo-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "initdata.toml")
	if err := os.WriteFile(path, changed, 0o600); err != nil {
		return "", err
	}
	id, err := initdata.Parse(changed)
	if err != nil {
		return "", err
	}
	att, err := snpemu.New(snpemu.Config{Dir: r.SnpEmuDir, Measurement: Measurement, InitDataDigest: id.Digest()})
	if err != nil {
		return "", err
	}
	return fetchDenied(ctx, r, att, path)
}

// debugTEE: a VM launched with the SNP debug policy bit set.
func debugTEE(ctx context.Context, r *Record) (string, error) {
	raw, err := os.ReadFile(r.InitData)
	if err != nil {
		return "", err
	}
	id, err := initdata.Parse(raw)
	if err != nil {
		return "", err
	}
	att, err := snpemu.New(snpemu.Config{Dir: r.SnpEmuDir, Measurement: Measurement, InitDataDigest: id.Digest(), Debug: true})
	if err != nil {
		return "", err
	}
	return fetchDenied(ctx, r, att, r.InitData)
}

// fetchDenied asks Trustee for the blob connection string and returns the
// refusal, or "" when the secret was (wrongly) released.
func fetchDenied(ctx context.Context, r *Record, att attester.Attester, initdataPath string) (string, error) {
	rt, err := vmGuest(ctx, r, att, initdataPath)
	if err != nil {
		return "", err
	}
	if rt.KBS == nil {
		return "", errors.New("guest has no KBS")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := rt.KBS.GetResource(ctx, ConnectionStringResource); err != nil {
		return "Trustee refused the secret: " + err.Error(), nil
	}
	return "", nil
}

// unsignedImage: the guest is asked to run an image nobody signed. The
// policy's key comes from Trustee through the VM's guest (so Gate 1 itself
// rests on Gate 2); the refusal is reported to the dashboard as an incident
// signed by the VM's TEE key.
func unsignedImage(ctx context.Context, r *Record) (string, error) {
	reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer reg.Close()
	img, err := random.Image(1024, 1)
	if err != nil {
		return "", err
	}
	host := strings.TrimPrefix(reg.URL, "http://")
	ref, err := name.ParseReference(host+"/hospital/deid:unsigned", name.Insecure)
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img, remote.WithContext(ctx)); err != nil {
		return "", fmt.Errorf("push demo image: %w", err)
	}
	polJSON := fmt.Sprintf(`{"default":[{"type":"reject"}],"transports":{"docker":{%q:[{"type":"sigstoreSigned","keyPath":"kbs:///%s"}]}}}`,
		host+"/hospital", CosignKeyResource)
	pol, err := imgpolicy.Parse([]byte(polJSON))
	if err != nil {
		return "", err
	}
	_, verr := imagesig.Verify(ctx, pol, ref.String(), imagesig.Options{Fetcher: imagesig.NewAPIServerFetcher(r.GuestURL)})
	if verr == nil {
		return "", nil
	}
	var denied *imagesig.DeniedError
	if !errors.As(verr, &denied) {
		return "", fmt.Errorf("image check failed for another reason: %w", verr)
	}
	s := &beacon.Sender{Source: beacon.GuestAPI{URL: r.GuestURL}, Dashboard: r.DashboardURL,
		Workload: beacon.Workload{Pod: Pod, Namespace: Namespace, TEE: "snp-emulated"}}
	if err := s.Report(ctx, beacon.Incident{Kind: "image-rejected", Message: verr.Error()}); err != nil {
		return "", fmt.Errorf("report to dashboard: %w", err)
	}
	return verr.Error(), nil
}

// forgedBeacon: a heartbeat whose token has the right shape but is signed
// by a key Trustee never used.
func forgedBeacon(ctx context.Context, r *Record) (string, error) {
	forger, err := ear.GenerateKey()
	if err != nil {
		return "", err
	}
	tee, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	ek, _ := tee.PublicKey.ECDH()
	pub, err := kbs.NewTeePubKey(ek)
	if err != nil {
		return "", err
	}
	iss, err := ear.NewIssuer(forger, ear.Options{})
	if err != nil {
		return "", err
	}
	tok, _, err := iss.Issue(ear.Appraisal{Tee: "snp-emulated", PolicyID: "default_cpu",
		TrustVector: map[string]int{"executables": 2, "hardware": 2, "configuration": 2},
		Claims:      map[string]any{"measurement": "00"}, RuntimeDataClaims: map[string]any{"tee-pubkey": pub.Map()}})
	if err != nil {
		return "", err
	}
	der, _ := x509.MarshalPKCS8PrivateKey(tee)
	key, err := beacon.ParseTEEKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		return "", err
	}
	hb, err := beacon.Sign(tok, key, beacon.Payload{Workload: beacon.Workload{Pod: "impostor", Namespace: Namespace, TEE: "snp-emulated"},
		ID: beacon.NewID(), SentAt: time.Now().UTC(), Seq: 1})
	if err != nil {
		return "", err
	}
	body, _ := json.Marshal(hb)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.DashboardURL+"/api/v1/beacons", strings.NewReader(string(body)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	if resp.StatusCode == http.StatusUnauthorized {
		return "dashboard: " + strings.TrimSpace(string(msg)), nil
	}
	if resp.StatusCode/100 == 2 {
		return "", nil
	}
	return "", fmt.Errorf("dashboard answered %d: %s", resp.StatusCode, strings.TrimSpace(string(msg)))
}
