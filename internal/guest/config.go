package guest

import (
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/initdata"
)

// DefaultListen is the local API address upstream's API Server REST uses.
const DefaultListen = "127.0.0.1:8006"

// Config configures the guest daemon. Flags fill it first; values the
// operator left empty are then taken from the verified initdata's aa.toml
// and cdh.toml.
type Config struct {
	// KBSURL is the KBS base URL (http(s)://host:port; /kbs/v0 is added).
	KBSURL string
	// KBSCertPEM is an extra CA certificate (PEM) trusted for the KBS's TLS
	// certificate, for self-signed deployments.
	KBSCertPEM []byte
	// KBSCertSHA256 pins the KBS's TLS certificate by the SHA-256 of its
	// DER (the fingerprint trustee prints at first start).
	KBSCertSHA256 []byte
	// Tee names the attester ("sample", "snp", "tdx", "az-snp-vtpm",
	// "az-tdx-vtpm", "snp-emulated"); "" detects it in upstream's order.
	Tee string
	// Attester, when set, replaces Tee and detection (tests, trustgate up).
	Attester attester.Attester
	// Listen is the local API address; "" means DefaultListen.
	Listen string
	// InitDataPath is --initdata; "" searches the well-known locations.
	InitDataPath string
	// InitData is the parsed, verified initdata (set by Load).
	InitData *initdata.InitData
	// Credentials are fetched into files before the API serves.
	Credentials []Credential
	// SkipSealedSecretVerification accepts sealed secrets without checking
	// their ES256 signature (upstream's skip_sealed_secret_verification).
	SkipSealedSecretVerification bool
	// SealedSecretKey is a local verification key: a PEM/JWK file, or a
	// directory holding one file per kid. Used for kids that are not
	// kbs:/// URIs.
	SealedSecretKey string
	// UnsealDirs are the directories `guest run` scans for files holding a
	// sealed secret.
	UnsealDirs []string
	// Image is cdh.toml's [image] table, for the image signature gate.
	Image ImageConfig
	// Logger receives operator messages; nil means slog.Default().
	Logger *slog.Logger
}

// Credential is one cdh.toml [[credentials]] entry: a resource written to a
// file at start.
type Credential struct {
	ResourceURI string `toml:"resource_uri"`
	Path        string `toml:"path"`
}

// ImageConfig is cdh.toml's [image] table.
type ImageConfig struct {
	ImageSecurityPolicyURI              string   `toml:"image_security_policy_uri"`
	SigstoreConfigURI                   string   `toml:"sigstore_config_uri"`
	AuthenticatedRegistryCredentialsURI string   `toml:"authenticated_registry_credentials_uri"`
	RegistryConfigurationURI            string   `toml:"registry_configuration_uri"`
	ExtraRootCertificates               []string `toml:"extra_root_certificates"`
}

// aaTOML is the part of upstream's attestation-agent config we use.
type aaTOML struct {
	TokenConfigs struct {
		KBS *struct {
			URL  string `toml:"url"`
			Cert string `toml:"cert"`
		} `toml:"kbs"`
		CocoAS *struct {
			URL string `toml:"url"`
		} `toml:"coco_as"`
	} `toml:"token_configs"`
}

// cdhTOML is the part of upstream's confidential-data-hub config we use.
type cdhTOML struct {
	KBC struct {
		Name    string `toml:"name"`
		URL     string `toml:"url"`
		KBSCert string `toml:"kbs_cert"`
	} `toml:"kbc"`
	Credentials                  []Credential `toml:"credentials"`
	Image                        ImageConfig  `toml:"image"`
	SkipSealedSecretVerification bool         `toml:"skip_sealed_secret_verification"`
}

// ApplyInitData fills the fields the operator left empty from id's aa.toml
// and cdh.toml. Unknown keys are ignored, as upstream's components each read
// only their part.
func (c *Config) ApplyInitData(id *initdata.InitData) error {
	c.InitData = id
	if id == nil {
		return nil
	}
	var aa aaTOML
	if s, ok := id.Data[initdata.KeyAA]; ok {
		if _, err := toml.Decode(s, &aa); err != nil {
			return fmt.Errorf("initdata aa.toml: %w", err)
		}
	}
	var cdh cdhTOML
	if s, ok := id.Data[initdata.KeyCDH]; ok {
		if _, err := toml.Decode(s, &cdh); err != nil {
			return fmt.Errorf("initdata cdh.toml: %w", err)
		}
	}
	if c.KBSURL == "" {
		c.KBSURL = cdh.KBC.URL
	}
	if c.KBSURL == "" && aa.TokenConfigs.KBS != nil {
		c.KBSURL = aa.TokenConfigs.KBS.URL
	}
	if len(c.KBSCertPEM) == 0 && cdh.KBC.KBSCert != "" {
		c.KBSCertPEM = []byte(cdh.KBC.KBSCert)
	}
	if len(c.KBSCertPEM) == 0 && aa.TokenConfigs.KBS != nil && aa.TokenConfigs.KBS.Cert != "" {
		c.KBSCertPEM = []byte(aa.TokenConfigs.KBS.Cert)
	}
	for _, cr := range cdh.Credentials {
		if err := cr.validate(); err != nil {
			return fmt.Errorf("initdata cdh.toml: %w", err)
		}
	}
	c.Credentials = append(c.Credentials, cdh.Credentials...)
	if cdh.SkipSealedSecretVerification {
		c.SkipSealedSecretVerification = true
	}
	if c.Image.ImageSecurityPolicyURI == "" {
		c.Image = cdh.Image
	}
	return nil
}

func (cr Credential) validate() error {
	if cr.ResourceURI == "" || cr.Path == "" {
		return fmt.Errorf("credential needs resource_uri and path")
	}
	if !filepath.IsAbs(cr.Path) {
		return fmt.Errorf("credential path %q must be absolute", cr.Path)
	}
	return nil
}

func (c *Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}
