package up

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	_ "embed"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/trustgate/trustgate/examples"
	"github.com/trustgate/trustgate/internal/agentpolicy"
	"github.com/trustgate/trustgate/internal/cocofy"
	"github.com/trustgate/trustgate/internal/policy"
)

// emulatedPolicy extends the default CPU attestation policy with rules for
// the snp-emulated VM. They mirror the SNP rules: the measurement and the
// initdata digest must match registered reference values and debug must be
// off. The hardware claim is affirmed because Trustee only verifies such
// evidence when an operator started it with the development root.
//
//go:embed emulated.rego
var emulatedPolicy string

// AttestationPolicy is the default_cpu policy up installs.
func AttestationPolicy() string { return policy.DefaultAttestationPolicy() + "\n" + emulatedPolicy }

// azuriteKey is the public, documented key of Azurite's development account.
const azuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

func (s *Stack) startBlobStore(ctx context.Context, opts Options, p progress) error {
	bin := opts.Azurite
	if bin == "" {
		bin = FindAzurite(os.Getenv("TRUSTGATE_TOOLS"), ".")
	}
	if bin == "" || bin == "-" {
		s.BlobDir = filepath.Join(s.Dir, "blobs")
		if err := os.MkdirAll(s.BlobDir, 0o700); err != nil {
			return err
		}
		s.BlobConn = localDirPrefix + s.BlobDir
		p.step("blob store: local directory %s (install Azurite with npm to use the Azure Blob API)", filepath.Join(s.BlobDir, Container))
		return nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	args := []string{"--silent", "--skipApiVersionCheck", "--loose", "--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port),
		"--location", filepath.Join(s.Dir, "azurite")}
	if filepath.Base(bin) == "azurite" {
		args = append(args, "--queuePort", "0", "--tablePort", "0")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start azurite: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	s.onStop(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p.step("starting Azurite (%s); its first start takes about 20 s on 2 cores", bin)
	if err := waitListen(ctx, addr, exited, azuriteWait, p); err != nil {
		return fmt.Errorf("azurite: %w (or run with --no-azurite to keep blobs in a local directory)", err)
	}
	s.BlobConn = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + azuriteKey +
		";BlobEndpoint=http://" + addr + "/devstoreaccount1;"
	p.step("blob store: Azurite on %s, container %s", addr, Container)
	return nil
}

// azuriteWait bounds Azurite's start.
const azuriteWait = 2 * time.Minute

// waitListen waits until something accepts connections on addr, printing
// progress every 5 s; it fails when exited closes (the process died),
// ctx ends or limit passes.
func waitListen(ctx context.Context, addr string, exited <-chan struct{}, limit time.Duration, p progress) error {
	start := time.Now()
	lastNote := start
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Since(start) > limit {
			return fmt.Errorf("nothing listens on %s after %s", addr, limit)
		}
		if time.Since(lastNote) >= 5*time.Second {
			lastNote = time.Now()
			p.step("still waiting for Azurite on %s (%.0f s so far)", addr, time.Since(start).Seconds())
		}
		select {
		case <-exited:
			return fmt.Errorf("it exited before listening on %s", addr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// FindAzurite returns the Azurite blob command up starts: azurite-blob (or
// azurite) on PATH, else the one scripts/test.sh installs, under
// tools/npm/node_modules/.bin (tools is TRUSTGATE_TOOLS when set), else
// under .tools/npm/node_modules/.bin of dir or of a directory above it (the
// repository); "" when there is none.
func FindAzurite(tools, dir string) string {
	for _, name := range []string{"azurite-blob", "azurite"} {
		if found, err := exec.LookPath(name); err == nil {
			return found
		}
	}
	rel := filepath.Join("npm", "node_modules", ".bin", "azurite-blob")
	var cands []string
	if tools != "" {
		cands = append(cands, filepath.Join(tools, rel))
	}
	if abs, err := filepath.Abs(dir); err == nil {
		for d := abs; ; d = filepath.Dir(d) {
			cands = append(cands, filepath.Join(d, ".tools", rel))
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return c
		}
	}
	return ""
}

// cosignKey reads, or makes on first run, the ECDSA P-256 key pair the
// hospital's pipeline signs images with (cosign's key type), and returns
// the public key (PEM) that Gate 1 trusts.
func cosignKey(dir string) ([]byte, error) {
	pubPath := filepath.Join(dir, "cosign.pub")
	if b, err := os.ReadFile(pubPath); err == nil {
		return b, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "cosign.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	pder, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return nil, err
	}
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder})
	return pub, os.WriteFile(pubPath, pub, 0o644)
}

// hardened is what cocofy made of the example.
type hardened struct {
	manifests   string
	imageDigest string
	clientCA    string // Trustee resource path of the sidecar's client CA
}

// provision installs policies, reference values and secrets, and hardens
// the example with cocofy (which uploads its own secrets and the initdata
// digest). The sidecars run in identity mode: cocofy makes no server key,
// and the resource policy lets the two workloads have their identity.
func (s *Stack) provision(ctx context.Context, p progress) (*hardened, error) {
	if err := s.Admin.SetAttestationPolicy(ctx, policy.DefaultAttestationPolicyID, []byte(AttestationPolicy())); err != nil {
		return nil, fmt.Errorf("attestation policy: %w", err)
	}
	rp := policy.DefaultResourcePolicy() + identityPolicy
	if err := s.Admin.SetResourcePolicy(ctx, []byte(rp)); err != nil {
		return nil, fmt.Errorf("resource policy: %w", err)
	}
	exp := time.Now().AddDate(1, 0, 0)
	if err := s.Admin.SetReferenceValue(ctx, "snp_launch_measurement", []any{hex.EncodeToString(Measurement)}, exp); err != nil {
		return nil, fmt.Errorf("reference value: %w", err)
	}
	pub, err := cosignKey(filepath.Join(s.Dir, "cosign"))
	if err != nil {
		return nil, err
	}
	if err := s.Admin.SetResource(ctx, CosignKeyResource, pub); err != nil {
		return nil, fmt.Errorf("store the image signing key: %w", err)
	}
	p.step("provisioned: default policies, measurement reference value, %s", CosignKeyResource)

	input, err := exampleInput()
	if err != nil {
		return nil, err
	}
	certPEM, err := os.ReadFile(s.TrusteeCert)
	if err != nil {
		return nil, err
	}
	adminPEM, err := os.ReadFile(s.AdminKey)
	if err != nil {
		return nil, err
	}
	opts := s.cocofyOptions(certPEM)
	opts.AdminKeyPEM = adminPEM
	keyDir := opts.KeyDir
	outDir := filepath.Join(s.Dir, "hardened")
	res, err := cocofy.Apply(ctx, opts, input, "hospital.yaml", outDir, &bytes.Buffer{})
	if err != nil {
		return nil, fmt.Errorf("cocofy: %w", err)
	}
	p.step("cocofy hardened examples/hospital → %s (%d resources uploaded, initdata digest registered)", res.ManifestPath, len(res.Uploads))
	// The example's Secret holds a placeholder; this machine's blob store
	// replaces it (in real use the operator uploads the real value).
	if err := s.Admin.SetResource(ctx, ConnectionStringResource, []byte(s.BlobConn)); err != nil {
		return nil, fmt.Errorf("store the blob connection string: %w", err)
	}

	// The VM runs the de-identification workload: its initdata.
	var key string
	for k := range res.InitData {
		if strings.Contains(k, "/"+Namespace+"/") && strings.HasSuffix(k, "/"+App) {
			key = k
		}
	}
	if key == "" {
		keys := make([]string, 0, len(res.InitData))
		for k := range res.InitData {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("cocofy produced no initdata for %s/%s (have %v)", Namespace, App, keys)
	}
	vmDir := filepath.Join(s.Dir, "vm")
	if err := os.MkdirAll(vmDir, 0o700); err != nil {
		return nil, err
	}
	s.InitData = filepath.Join(vmDir, "initdata.toml")
	if err := os.WriteFile(s.InitData, res.InitData[key], 0o600); err != nil {
		return nil, err
	}
	pki := filepath.Join(keyDir, "sidecar", Namespace, App)
	s.ClientCert, s.ClientKey = filepath.Join(pki, "client.pem"), filepath.Join(pki, "client-key.pem")
	s.ClientP12, s.SidecarCA = filepath.Join(pki, "client.p12"), filepath.Join(pki, "ca.pem")
	return &hardened{manifests: res.ManifestPath, imageDigest: imageDigest(res.Manifests),
		clientCA: Namespace + "/sidecar-tls-" + App + "/client-ca"}, nil
}

// cocofyOptions are how up hardens the example: with the tls-sidecar in
// its default, identity mode (no server key made or uploaded) and the
// beacon, cocofy's key directory in StateDir/cocofy.
func (s *Stack) cocofyOptions(trusteeCertPEM []byte) cocofy.Options {
	return cocofy.Options{
		TrusteeURL: s.TrusteeURL, TrusteeCertPEM: trusteeCertPEM, KeyDir: filepath.Join(s.Dir, "cocofy"),
		Sidecar: true, SANs: []string{"localhost"}, Beacon: s.DashboardURL,
		// The VM here runs our binaries in-process, not container images, so
		// there are no image digests to pin: the hardened agent policy
		// (exec, logs and policy changes denied) rather than strict.
		PolicyMode: agentpolicy.Hardened,
	}
}

// exampleInput concatenates the example's plain manifests.
func exampleInput() ([]byte, error) {
	names, err := fs.Glob(examples.Hospital, "hospital/*.yaml")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("embedded example manifests missing: %v", err)
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		data, err := fs.ReadFile(examples.Hospital, n)
		if err != nil {
			return nil, err
		}
		if b.Len() > 0 {
			b.WriteString("\n---\n")
		}
		b.Write(data)
	}
	return b.Bytes(), nil
}

// imageDigest finds the first image pinned by digest in the manifests.
func imageDigest(manifests []byte) string {
	for _, line := range strings.Split(string(manifests), "\n") {
		if i := strings.Index(line, "@sha256:"); i >= 0 && strings.Contains(line, "image:") {
			d := line[i+1:]
			if len(d) >= 71 {
				return d[:71]
			}
		}
	}
	return ""
}
