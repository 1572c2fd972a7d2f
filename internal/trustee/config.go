// Package trustee assembles the trustee server from its parts (store,
// verifiers, attestation service, KBS server) with zero-config defaults, and
// holds the `trustee admin` client and the `trustee bench` load generator.
//
// Other binaries start a trustee in-process with Run(ctx, cfg); the trustee
// command is a thin wrapper around Main.
package trustee

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/trustgate/trustgate/internal/identity"
)

// Config is trustee's configuration. Precedence: flags, then environment
// variables (TRUSTEE_<NAME>, or TRUSTGATE_TRUSTEE_<NAME>), then the TOML
// file, then defaults.
type Config struct {
	// Listen is the address to serve on (default 127.0.0.1:8080).
	Listen string `toml:"listen"`
	// DataDir holds the SQLite database, TLS certificate, admin keys and
	// KEK made on first run (default ./trustee-data).
	DataDir string `toml:"data_dir"`
	// InsecureHTTP serves plain HTTP instead of HTTPS.
	InsecureHTTP bool `toml:"insecure_http"`
	// Store is a SQLite path or a postgres:// URL (default DataDir/trustee.db).
	Store string `toml:"store"`
	// KEKFile holds the key-encryption key, base64 (default DataDir/kek).
	// The environment variable TRUSTEE_KEK (base64) takes precedence.
	KEKFile string `toml:"kek_file"`
	// TLSCert and TLSKey are PEM files (default DataDir/tls.crt, tls.key,
	// self-signed and made on first run).
	TLSCert string `toml:"tls_cert"`
	TLSKey  string `toml:"tls_key"`
	// AdminPublicKeys are PEM Ed25519 public keys trusted for the admin
	// API (default DataDir/admin.pub, made on first run with admin.key).
	AdminPublicKeys []string `toml:"admin_public_keys"`
	// SessionTimeout bounds a KBS handshake (default 5m).
	SessionTimeout Duration `toml:"session_timeout"`
	// TokenLifetime is the attestation token lifetime (default 5m).
	TokenLifetime Duration `toml:"token_lifetime"`
	// MaxBody is the request body limit in bytes (default 2 MiB).
	MaxBody int64 `toml:"max_body"`
	// AuthRate and AuthBurst limit /kbs/v0/auth per client address
	// (default 20/s, burst 40; 0 rate disables).
	AuthRate  float64 `toml:"auth_rate"`
	AuthBurst int     `toml:"auth_burst"`
	// MaxImportBody is the body limit of collateral and bundle imports
	// (default 32 MiB).
	MaxImportBody int64 `toml:"max_import_body"`
	// CollateralFetch lets the verifiers fetch missing collateral (AMD KDS
	// VCEKs and CRLs, Intel PCS TCB info, QE identity and CRLs) over HTTPS
	// and cache it in the store (default true). Air-gapped sites set it
	// false and import collateral bundles instead.
	CollateralFetch bool `toml:"collateral_fetch"`
	// DevEmulatedSNPRoot is a PEM ARK that enables the snp-emulated
	// verifier. Development only.
	DevEmulatedSNPRoot string `toml:"dev_emulated_snp_root"`
	// AuditRetention deletes audit events older than this (0: keep all;
	// archive first with `trustee admin audit export`).
	AuditRetention Duration `toml:"audit_retention"`
	// IdentityTrustDomain is the SPIFFE trust domain of the workload
	// identity CA (default trustgate.local), fixed when the CA is first
	// created: a start with another one is refused.
	IdentityTrustDomain string `toml:"identity_trust_domain"`
	// LogLevel is debug, info, warn or error; LogFormat text or json.
	LogLevel  string `toml:"log_level"`
	LogFormat string `toml:"log_format"`
}

// Duration is a time.Duration written as "5m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Defaults returns the zero-config configuration.
func Defaults() Config {
	return Config{
		Listen:          "127.0.0.1:8080",
		DataDir:         "trustee-data",
		SessionTimeout:  Duration{5 * time.Minute},
		TokenLifetime:   Duration{5 * time.Minute},
		MaxBody:         2 << 20,
		MaxImportBody:   32 << 20,
		CollateralFetch: true,
		AuthRate:        20,
		AuthBurst:       40,
		LogLevel:        "info",
		LogFormat:       "text",

		IdentityTrustDomain: identity.DefaultTrustDomain,
	}
}

// resolve fills paths derived from DataDir.
func (c *Config) resolve() {
	if c.Store == "" {
		c.Store = filepath.Join(c.DataDir, "trustee.db")
	}
	if c.KEKFile == "" {
		c.KEKFile = filepath.Join(c.DataDir, "kek")
	}
	if c.TLSCert == "" && c.TLSKey == "" {
		c.TLSCert = filepath.Join(c.DataDir, "tls.crt")
		c.TLSKey = filepath.Join(c.DataDir, "tls.key")
	}
	if len(c.AdminPublicKeys) == 0 {
		c.AdminPublicKeys = []string{filepath.Join(c.DataDir, "admin.pub")}
	}
}

// Validate checks values that would otherwise fail late.
func (c *Config) Validate() error {
	var errs []error
	if c.Listen == "" {
		errs = append(errs, errors.New("listen must not be empty"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data_dir must not be empty"))
	}
	if c.SessionTimeout.Duration <= 0 {
		errs = append(errs, errors.New("session_timeout must be positive"))
	}
	if c.TokenLifetime.Duration <= 0 {
		errs = append(errs, errors.New("token_lifetime must be positive"))
	}
	if c.AuditRetention.Duration < 0 || (c.AuditRetention.Duration > 0 && c.AuditRetention.Duration < time.Hour) {
		errs = append(errs, errors.New("audit_retention must be 0 (keep all) or at least 1h"))
	}
	if c.MaxBody < 1024 {
		errs = append(errs, errors.New("max_body must be at least 1024 bytes"))
	}
	if c.MaxImportBody < 1024 {
		errs = append(errs, errors.New("max_import_body must be at least 1024 bytes"))
	}
	if c.AuthRate < 0 || c.AuthBurst < 0 {
		errs = append(errs, errors.New("auth_rate and auth_burst must not be negative"))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("tls_cert and tls_key go together"))
	}
	if td := c.IdentityTrustDomain; td != "" { // "" is the default
		if err := identity.ValidateTrustDomain(td); err != nil {
			errs = append(errs, fmt.Errorf("identity_trust_domain: %w", err))
		}
	}
	return errors.Join(errs...)
}

// ParseServeFlags builds the serve configuration from args and env.
func ParseServeFlags(args []string, getenv func(string) string) (Config, error) {
	fs := flag.NewFlagSet("trustee serve", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	var (
		configFile = fs.String("config", "", "TOML configuration file (env TRUSTEE_CONFIG)")
		listen     = fs.String("listen", "", "address to listen on (default 127.0.0.1:8080; env TRUSTEE_LISTEN)")
		dataDir    = fs.String("data-dir", "", "data directory (default ./trustee-data; env TRUSTEE_DATA_DIR)")
		insecure   = fs.Bool("insecure-http", false, "serve plain HTTP, not HTTPS: development only (env TRUSTEE_INSECURE_HTTP)")
		storeURL   = fs.String("store", "", "SQLite path or postgres://… URL (env TRUSTEE_STORE)")
		kekFile    = fs.String("kek-file", "", "key-encryption key file (env TRUSTEE_KEK_FILE; TRUSTEE_KEK holds the key itself)")
		tlsCert    = fs.String("tls-cert", "", "TLS certificate PEM (env TRUSTEE_TLS_CERT)")
		tlsKey     = fs.String("tls-key", "", "TLS key PEM (env TRUSTEE_TLS_KEY)")
		adminPub   = fs.String("admin-public-key", "", "comma-separated admin Ed25519 public key PEM files (env TRUSTEE_ADMIN_PUBLIC_KEY)")
		sessionTO  = fs.Duration("session-timeout", 0, "KBS session timeout (default 5m; env TRUSTEE_SESSION_TIMEOUT)")
		tokenLife  = fs.Duration("token-lifetime", 0, "attestation token lifetime (default 5m; env TRUSTEE_TOKEN_LIFETIME)")
		maxBody    = fs.Int64("max-body", 0, "request body limit in bytes (default 2097152; env TRUSTEE_MAX_BODY)")
		authRate   = fs.Float64("auth-rate", -1, "per-client /auth requests per second, 0 disables (default 20; env TRUSTEE_AUTH_RATE)")
		authBurst  = fs.Int("auth-burst", -1, "per-client /auth burst (default 40; env TRUSTEE_AUTH_BURST)")
		maxImport  = fs.Int64("max-import-body", 0, "collateral and bundle import body limit in bytes (default 33554432; env TRUSTEE_MAX_IMPORT_BODY)")
		fetch      = fs.Bool("collateral-fetch", true, "fetch missing collateral from AMD KDS / Intel PCS and cache it; false for air-gapped sites (env TRUSTEE_COLLATERAL_FETCH)")
		devSNP     = fs.String("dev-emulated-snp-root", "", "PEM ARK enabling the snp-emulated verifier: development only (env TRUSTEE_DEV_EMULATED_SNP_ROOT)")
		retention  = fs.Duration("audit-retention", 0, "delete audit events older than this, e.g. 2160h; 0 keeps all (env TRUSTEE_AUDIT_RETENTION)")
		trustDom   = fs.String("identity-trust-domain", "", "SPIFFE trust domain of the workload identity CA (default trustgate.local), fixed when the CA is first created (env TRUSTEE_IDENTITY_TRUST_DOMAIN)")
		logLevel   = fs.String("log-level", "", "debug, info, warn, error (env TRUSTEE_LOG_LEVEL)")
		logFormat  = fs.String("log-format", "", "text or json (env TRUSTEE_LOG_FORMAT)")
	)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	env := func(name string) (string, bool) {
		key := strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		for _, k := range []string{"TRUSTEE_" + key, "TRUSTGATE_TRUSTEE_" + key} {
			if v := getenv(k); v != "" {
				return v, true
			}
		}
		return "", false
	}

	cfg := Defaults()
	cf := *configFile
	if !set["config"] {
		if v, ok := env("config"); ok {
			cf = v
		}
	}
	if cf != "" {
		md, err := toml.DecodeFile(cf, &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("config %s: %w", cf, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			return Config{}, fmt.Errorf("config %s: unknown keys %v", cf, und)
		}
	}

	var errs []error
	str := func(name string, flagVal string, dst *string) {
		if set[name] {
			*dst = flagVal
		} else if v, ok := env(name); ok {
			*dst = v
		}
	}
	str("listen", *listen, &cfg.Listen)
	str("data-dir", *dataDir, &cfg.DataDir)
	str("store", *storeURL, &cfg.Store)
	str("kek-file", *kekFile, &cfg.KEKFile)
	str("tls-cert", *tlsCert, &cfg.TLSCert)
	str("tls-key", *tlsKey, &cfg.TLSKey)
	str("dev-emulated-snp-root", *devSNP, &cfg.DevEmulatedSNPRoot)
	str("log-level", *logLevel, &cfg.LogLevel)
	str("log-format", *logFormat, &cfg.LogFormat)
	str("identity-trust-domain", *trustDom, &cfg.IdentityTrustDomain)
	var pubs string
	str("admin-public-key", *adminPub, &pubs)
	if pubs != "" {
		cfg.AdminPublicKeys = strings.Split(pubs, ",")
	}
	boolean := func(name string, flagVal bool, dst *bool) {
		if set[name] {
			*dst = flagVal
		} else if v, ok := env(name); ok {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("TRUSTEE_%s: %w", strings.ToUpper(strings.ReplaceAll(name, "-", "_")), err))
			}
			*dst = b
		}
	}
	boolean("insecure-http", *insecure, &cfg.InsecureHTTP)
	boolean("collateral-fetch", *fetch, &cfg.CollateralFetch)
	dur := func(name string, flagVal time.Duration, dst *Duration) {
		if set[name] {
			dst.Duration = flagVal
		} else if v, ok := env(name); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
			dst.Duration = d
		}
	}
	dur("session-timeout", *sessionTO, &cfg.SessionTimeout)
	dur("token-lifetime", *tokenLife, &cfg.TokenLifetime)
	dur("audit-retention", *retention, &cfg.AuditRetention)
	if set["max-body"] {
		cfg.MaxBody = *maxBody
	} else if v, ok := env("max-body"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("max-body: %w", err))
		}
		cfg.MaxBody = n
	}
	if set["max-import-body"] {
		cfg.MaxImportBody = *maxImport
	} else if v, ok := env("max-import-body"); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("max-import-body: %w", err))
		}
		cfg.MaxImportBody = n
	}
	if set["auth-rate"] {
		cfg.AuthRate = *authRate
	} else if v, ok := env("auth-rate"); ok {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("auth-rate: %w", err))
		}
		cfg.AuthRate = n
	}
	if set["auth-burst"] {
		cfg.AuthBurst = *authBurst
	} else if v, ok := env("auth-burst"); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("auth-burst: %w", err))
		}
		cfg.AuthBurst = n
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	cfg.resolve()
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}
