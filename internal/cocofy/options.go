// Package cocofy hardens ordinary Kubernetes workloads into confidential
// ones (Confidential Containers on Kata / peer pods): runtime class, the
// initdata annotation (aa.toml, cdh.toml, agent policy), signed sealed-secret
// references in place of Secret values, optional mTLS and beacon sidecars.
// It edits the YAML with kyaml so comments and field order survive, and it is
// deterministic: the same input and key directory give byte-identical output,
// and applying it to its own output changes nothing.
//
// Plaintext secret values never reach the output: they go to Trustee through
// the admin API, or with Offline into a bundle file outside the output
// directory for `trustee admin import`.
package cocofy

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/trustgate/trustgate/internal/agentpolicy"
	"github.com/trustgate/trustgate/internal/identity"
	"github.com/trustgate/trustgate/internal/initdata"
)

// Annotation and naming constants.
const (
	DefaultRuntimeClass   = "kata-remote"
	MachineTypeAnnotation = "io.katacontainers.config.hypervisor.machine_type"
	// HardenedAnnotation marks objects cocofy produced; its value is the tool version.
	HardenedAnnotation   = "trustgate.dev/cocofy"
	SealedFromAnnotation = "trustgate.dev/sealed-from"
	// SealedTypeAnnotation keeps the type of a typed Secret cocofy sealed.
	SealedTypeAnnotation  = "trustgate.dev/sealed-type"
	SealedSuffix          = "-sealed"
	SidecarName           = "tls-sidecar"
	SidecarPort           = 8443
	BeaconName            = "beacon"
	DefaultSidecarImage   = "ghcr.io/trustgate/tls-sidecar:latest"
	DefaultBeaconImage    = "ghcr.io/trustgate/beacon:latest"
	DefaultImagePolicyURI = "kbs:///default/image-policy/default"
	// ReferenceValueName is the RVPS name the initdata digests are registered under.
	ReferenceValueName = "init_data"
	toolVersion        = "v1"
)

// Options configure Apply. The zero value plus TrusteeURL is usable.
type Options struct {
	RuntimeClass   string
	MachineType    string
	Namespace      string // default namespace for objects without one
	TrusteeURL     string // https://trustee.example:8080 as the guest reaches it
	TrusteeCertPEM []byte // Trustee's TLS certificate (or CA), embedded in aa.toml/cdh.toml
	AdminURL       string // where cocofy reaches the admin API (default TrusteeURL)
	AdminKeyPEM    []byte // Ed25519 private key for admin JWTs
	Offline        bool
	BundlePath     string
	ImportKeyPEM   []byte // Trustee's import public key: encrypts the bundle
	KeyDir         string
	Algorithm      string // initdata digest algorithm, default sha256
	ImagePolicyURI string
	PolicyMode     string // strict (default) or hardened
	AllowLogs      bool
	ResolveDigests bool
	Resolver       Resolver // used when ResolveDigests; default: remote registry

	Sidecar        bool
	SidecarImage   string
	SidecarAppPort int
	SANs           []string
	KeyType        string // ecdsa-p256 (default) or rsa4096
	// With Sidecar, by default the sidecar generates its server key in the
	// TEE and gets a short-lived certificate from Trustee's identity CA
	// (docs/tls-sidecar.md, "Workload identity"): cocofy makes no server key
	// or certificate, and the initdata names the workload's namespace and
	// service account (identity.toml). The hospital users' client CA and
	// client certificate are made as before.
	//
	// UploadedServerKey (deprecated, --uploaded-server-key) brings back the
	// old scheme for pipelines still migrating: cocofy makes a long-lived
	// server key and certificate in its key directory and uploads both to
	// Trustee, which releases them after attestation; the key then exists
	// outside the TEE.
	UploadedServerKey bool
	// InitDataIdentity (initdata create, --workload-identity): the
	// identity.toml of a standalone guest's initdata, for a tls-sidecar
	// --identity outside Kubernetes (the Ansible CVM role).
	InitDataIdentity *identity.Workload
	Beacon           string // dashboard URL; empty: no beacon
	BeaconImage      string
	// FixPodSecurity sets what the user's containers lack for Pod Security
	// "restricted" (allowPrivilegeEscalation, capabilities.drop ALL,
	// runAsNonRoot, seccompProfile); without it cocofy only warns.
	FixPodSecurity bool
	// TEE is the trusted execution environment the pod runs in (snp, tdx,
	// az-snp-vtpm, az-tdx-vtpm); empty: guessed from RuntimeClass. It
	// decides which initdata digests the hardware can bind.
	TEE string
}

// identity reports whether the tls-sidecar runs in workload-identity mode
// (key born in the TEE, certificate from Trustee's identity CA): the
// default with Sidecar, unless the deprecated UploadedServerKey is set.
func (o *Options) identity() bool { return o.Sidecar && !o.UploadedServerKey }

// TEEs and the largest initdata digest (bytes) each binds: SNP HOST_DATA is
// 32 bytes, TDX MRCONFIGID 48; on Azure's vTPM attesters (az-snp-vtpm,
// az-tdx-vtpm) the digest is extended into PCR 8 of the SHA-256 bank and
// upstream's attester accepts only a 32-byte digest.
var teeDigestLimit = map[string]int{"snp": 32, "tdx": 48, "az-snp-vtpm": 32, "az-tdx-vtpm": 32}

// tee returns the TEE named or guessed from the runtime class ("" if unknown).
func (o *Options) tee() (string, error) {
	if o.TEE != "" {
		if _, ok := teeDigestLimit[o.TEE]; !ok {
			return "", fmt.Errorf("--tee %q: want snp, tdx, az-snp-vtpm or az-tdx-vtpm", o.TEE)
		}
		return o.TEE, nil
	}
	switch rc := strings.ToLower(o.RuntimeClass); {
	case strings.Contains(rc, "tdx"):
		return "tdx", nil
	case strings.Contains(rc, "snp"):
		return "snp", nil
	}
	return "", nil
}

// checkBindable refuses an initdata digest the target TEE cannot bind into
// its hardware report: the guest would then start with initdata nobody can
// verify.
func (o *Options) checkBindable() error {
	tee, err := o.tee()
	if err != nil {
		return err
	}
	size, _ := initdata.Digest(o.Algorithm, nil)
	if tee == "" {
		if len(size) > 32 {
			return fmt.Errorf("--initdata-algorithm %s: cocofy cannot tell the TEE from runtime class %q, and only a 32-byte digest (sha256) binds on every TEE (SNP HOST_DATA, Azure vTPM PCR 8); use --initdata-algorithm sha256, or name the TEE with --tee (tdx binds sha384)", o.Algorithm, o.RuntimeClass)
		}
		return nil
	}
	if limit := teeDigestLimit[tee]; len(size) > limit {
		return fmt.Errorf("--initdata-algorithm %s: %s binds at most a %d-byte initdata digest, %s is %d bytes; use --initdata-algorithm sha256%s", o.Algorithm, tee, limit, o.Algorithm, len(size), map[bool]string{true: " or sha384", false: ""}[limit >= 48])
	}
	return nil
}

func (o *Options) normalize() error {
	if o.RuntimeClass == "" {
		o.RuntimeClass = DefaultRuntimeClass
	}
	if o.Algorithm == "" {
		o.Algorithm = initdata.SHA256
	}
	if _, err := initdata.Digest(o.Algorithm, nil); err != nil {
		return err
	}
	if err := o.checkBindable(); err != nil {
		return err
	}
	if o.ImagePolicyURI == "" {
		o.ImagePolicyURI = DefaultImagePolicyURI
	}
	if o.PolicyMode == "" {
		o.PolicyMode = agentpolicy.Strict
	}
	if o.PolicyMode != agentpolicy.Strict && o.PolicyMode != agentpolicy.Hardened {
		return fmt.Errorf("--policy must be strict or hardened, not %q", o.PolicyMode)
	}
	if o.SidecarImage == "" {
		o.SidecarImage = DefaultSidecarImage
	}
	if o.BeaconImage == "" {
		o.BeaconImage = DefaultBeaconImage
	}
	switch o.KeyType {
	case "":
		o.KeyType = KeyECDSAP256
	case KeyECDSAP256, KeyRSA4096:
	default:
		return fmt.Errorf("--key-type must be %s or %s, not %q", KeyECDSAP256, KeyRSA4096, o.KeyType)
	}
	if o.TrusteeURL == "" {
		return fmt.Errorf("--trustee-url is required: the guest must know where to attest")
	}
	u, err := url.Parse(o.TrusteeURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("--trustee-url %q must be an http(s) URL", o.TrusteeURL)
	}
	o.TrusteeURL = strings.TrimRight(o.TrusteeURL, "/")
	if o.AdminURL == "" {
		o.AdminURL = o.TrusteeURL
	}
	if o.KeyDir == "" {
		dir, err := DefaultKeyDir()
		if err != nil {
			return err
		}
		o.KeyDir = dir
	}
	if !o.Offline && len(o.AdminKeyPEM) == 0 {
		return fmt.Errorf("uploading to Trustee needs --admin-key (or use --offline to write a bundle)")
	}
	return nil
}

// DefaultKeyDir is where cocofy keeps its signing key and sidecar PKI:
// $TRUSTGATE_COCOFY_KEY_DIR, else <user config dir>/trustgate/cocofy.
func DefaultKeyDir() (string, error) {
	if d := os.Getenv("TRUSTGATE_COCOFY_KEY_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find key directory (set --key-dir): %w", err)
	}
	return filepath.Join(base, "trustgate", "cocofy"), nil
}
