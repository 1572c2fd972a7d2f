package up

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/trustgate/trustgate/internal/attester/detect"
	"github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/tlssidecar"
)

// The sidecars hold keys born in memory and certificates from Trustee's
// identity CA (docs/tls-sidecar.md, "Workload identity").
const (
	// GatewayServiceAccount is the second workload's service account: a
	// research gateway whose sidecar calls the de-identification workload
	// with workload-to-workload mTLS.
	GatewayServiceAccount = "gateway"
	// identityDNS is the server name both sidecars ask for.
	identityDNS = "localhost"
)

// SPIFFE IDs of the two workloads (service account "default" is what
// cocofy gives a pod that names none, as the hospital example's).
var (
	DeidSPIFFEID    = "spiffe://" + identity.DefaultTrustDomain + "/ns/" + Namespace + "/sa/default"
	GatewaySPIFFEID = "spiffe://" + identity.DefaultTrustDomain + "/ns/" + Namespace + "/sa/" + GatewayServiceAccount
)

// identityPolicy adds to the default resource policy: the two workloads may
// have their identity, with the DNS name localhost, when their attestation
// is affirming (the same conditions as a resource release).
const identityPolicy = `
identity_ok if {
	data.plugin == "identity"
	input.submods.cpu0["ear.status"] == "affirming"
	not any_not_affirming
	not software_tee
	data["resource-path"] in [["default", "default"], ["default", "gateway"]]
}

allow if {
	identity_ok
	not data.query.dns
}

allow if {
	identity_ok
	data.query.dns == "localhost"
}
`

// writeBundle fetches Trustee's public identity trust bundle into
// StateDir/identity/bundle.pem: what clients verify the sidecars with.
func (s *Stack) writeBundle(ctx context.Context) (string, error) {
	b, err := s.Admin.IdentityBundle(ctx)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(s.Dir, "identity")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "bundle.pem")
	return p, os.WriteFile(p, b, 0o644)
}

// gatewayInitData derives the gateway's initdata from the hospital
// workload's (same Trustee, agent policy, algorithm) with its own identity
// entry, and registers its digest as an init_data reference value.
func (s *Stack) gatewayInitData(ctx context.Context) (string, []byte, error) {
	raw, err := os.ReadFile(s.InitData)
	if err != nil {
		return "", nil, err
	}
	id, err := initdata.Parse(raw)
	if err != nil {
		return "", nil, err
	}
	data := maps.Clone(id.Data)
	data[identity.InitDataEntry] = identity.Workload{Namespace: Namespace, ServiceAccount: GatewayServiceAccount}.InitDataTOML()
	gw, err := initdata.Build(id.Algorithm, data)
	if err != nil {
		return "", nil, err
	}
	gid, err := initdata.Parse(gw)
	if err != nil {
		return "", nil, err
	}
	rv, err := s.Admin.GetReferenceValue(ctx, "init_data")
	if err != nil {
		return "", nil, fmt.Errorf("init_data reference value: %w", err)
	}
	digest := fmt.Sprintf("%x", gid.Digest())
	if !slices.Contains(rv.Value, any(digest)) {
		if err := s.Admin.SetReferenceValue(ctx, "init_data", append(rv.Value, digest), rv.Expiration); err != nil {
			return "", nil, fmt.Errorf("register the gateway's initdata: %w", err)
		}
	}
	dir := filepath.Join(s.Dir, "vm-gateway")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, err
	}
	p := filepath.Join(dir, "initdata.toml")
	return p, gid.Digest(), os.WriteFile(p, gw, 0o600)
}

// startGateway runs the second confidential VM: its guest and a sidecar in
// identity mode whose upstream is the de-identification sidecar, verified
// by SPIFFE ID, while it admits the hospital's users by client certificate.
func (s *Stack) startGateway(ctx context.Context, opts Options, clientCA string, p progress) error {
	path, digest, err := s.gatewayInitData(ctx)
	if err != nil {
		return err
	}
	att, err := snpemu.New(snpemu.Config{Dir: filepath.Join(s.Dir, "snp-emulated"), Measurement: Measurement, InitDataDigest: digest})
	if err != nil {
		return err
	}
	certPEM, err := os.ReadFile(s.TrusteeCert)
	if err != nil {
		return err
	}
	d, err := guest.Start(ctx, &guest.Config{KBSURL: s.TrusteeURL, KBSCertPEM: certPEM, Attester: att, Listen: "127.0.0.1:0",
		InitDataPath: path, Logger: s.log.With("component", "gateway-guest")}, detect.Options{})
	if err != nil {
		return fmt.Errorf("gateway guest: %w", err)
	}
	s.onStop(func() { _ = d.Close() })
	_, appPort, _ := net.SplitHostPort(s.SidecarURL[len("https://"):])
	sc, err := tlssidecar.New(tlssidecar.Config{
		Listen: opts.GatewayAddr, Upstream: "https://localhost:" + appPort, API: "http://" + d.Addr,
		Identity: true, DNSNames: []string{identityDNS}, ClientCAURI: "kbs:///" + clientCA, UpstreamIDs: []string{DeidSPIFFEID},
		MaxBackoff: 2 * time.Second, Logger: s.log.With("component", "gateway-sidecar"),
	})
	if err != nil {
		return err
	}
	s.gateway = sc
	s.goRun("gateway sidecar", func() error { return sc.Run(ctx) })
	if err := waitSidecar(sc, s.errs); err != nil {
		return fmt.Errorf("gateway %w", err)
	}
	_, port, _ := net.SplitHostPort(sc.Addr().String())
	s.GatewayURL = "https://localhost:" + port
	p.step("research gateway (second VM, %s) on %s: calls the deid sidecar as %s, accepts only %s upstream", GatewaySPIFFEID, s.GatewayURL, GatewaySPIFFEID, DeidSPIFFEID)
	return nil
}

// waitSidecar waits until sc serves, a component fails, or 60 s pass.
func waitSidecar(sc *tlssidecar.Sidecar, errs <-chan error) error {
	select {
	case <-sc.Ready():
		return nil
	case err := <-errs:
		return err
	case <-time.After(60 * time.Second):
		return errors.New("tls-sidecar got no TLS material from the guest in 60 s (attestation refused? see the log)")
	}
}
