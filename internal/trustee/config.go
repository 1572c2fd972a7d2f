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
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/identity"
)

// Config is trustee's configuration. Precedence: flags, then environment
// variables (TRUSTEE_<NAME>, or the older TRUSTGATE_TRUSTEE_<NAME>), then the TOML
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

// EnvPrefix is the prefix of trustee's environment variables:
// TRUSTEE_<FLAG> for `trustee serve`, TRUSTEE_ADMIN_<FLAG> for `trustee
// admin`. LegacyEnvPrefix (TRUSTGATE_TRUSTEE_<FLAG>) is still read after it.
const (
	EnvPrefix       = "TRUSTEE_"
	LegacyEnvPrefix = "TRUSTGATE_TRUSTEE_"
)

// stringList is a comma-separated flag value.
type stringList struct{ dst *[]string }

func (l stringList) String() string {
	if l.dst == nil {
		return ""
	}
	return strings.Join(*l.dst, ",")
}

func (l stringList) Set(v string) error {
	*l.dst = nil
	if v != "" {
		*l.dst = strings.Split(v, ",")
	}
	return nil
}

// serveFlagSet is `trustee serve`'s flags, each bound to its field of cfg
// with cfg's value as its default.
func serveFlagSet(cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("trustee serve", flag.ContinueOnError)
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "address to listen on")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "data directory")
	fs.BoolVar(&cfg.InsecureHTTP, "insecure-http", cfg.InsecureHTTP, "serve plain HTTP, not HTTPS: development only")
	fs.StringVar(&cfg.Store, "store", cfg.Store, "SQLite path or postgres://… URL (default DATA_DIR/trustee.db)")
	fs.StringVar(&cfg.KEKFile, "kek-file", cfg.KEKFile, "key-encryption key file (default DATA_DIR/kek; env TRUSTEE_KEK_FILE; TRUSTEE_KEK holds the key itself)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", cfg.TLSCert, "TLS certificate PEM (default DATA_DIR/tls.crt, made on first run)")
	fs.StringVar(&cfg.TLSKey, "tls-key", cfg.TLSKey, "TLS key PEM (default DATA_DIR/tls.key)")
	fs.Var(stringList{&cfg.AdminPublicKeys}, "admin-public-key", "comma-separated admin Ed25519 public key PEM `files` (default DATA_DIR/admin.pub)")
	fs.TextVar(&cfg.SessionTimeout, "session-timeout", cfg.SessionTimeout, "KBS session timeout, a `duration`")
	fs.TextVar(&cfg.TokenLifetime, "token-lifetime", cfg.TokenLifetime, "attestation token lifetime, a `duration`")
	fs.Int64Var(&cfg.MaxBody, "max-body", cfg.MaxBody, "request body limit in bytes")
	fs.Float64Var(&cfg.AuthRate, "auth-rate", cfg.AuthRate, "per-client /auth requests per second, 0 disables")
	fs.IntVar(&cfg.AuthBurst, "auth-burst", cfg.AuthBurst, "per-client /auth burst")
	fs.Int64Var(&cfg.MaxImportBody, "max-import-body", cfg.MaxImportBody, "collateral and bundle import body limit in bytes")
	fs.BoolVar(&cfg.CollateralFetch, "collateral-fetch", cfg.CollateralFetch, "fetch missing collateral from AMD KDS / Intel PCS and cache it; false for air-gapped sites")
	fs.StringVar(&cfg.DevEmulatedSNPRoot, "dev-emulated-snp-root", cfg.DevEmulatedSNPRoot, "PEM ARK enabling the snp-emulated verifier: development only")
	fs.TextVar(&cfg.AuditRetention, "audit-retention", cfg.AuditRetention, "delete audit events older than this `duration`, e.g. 2160h; 0 keeps all")
	fs.StringVar(&cfg.IdentityTrustDomain, "identity-trust-domain", cfg.IdentityTrustDomain, "SPIFFE trust domain of the workload identity CA, fixed when the CA is first created")
	cliflags.LogFlags(fs, &cfg.LogLevel, &cfg.LogFormat)
	return fs
}

// ParseServeFlags builds the serve configuration from args and env.
// Precedence: flags, then TRUSTEE_<FLAG> (then TRUSTGATE_TRUSTEE_<FLAG>;
// an empty variable counts as unset), then the --config TOML file, then
// Defaults. A mistake on the command line or in a variable is a
// cliflags.UsageError; flag.ErrHelp means the help was printed.
func ParseServeFlags(args []string, getenv func(string) string) (Config, error) {
	given := Defaults()
	fs := serveFlagSet(&given)
	configFile := fs.String("config", "", "TOML configuration file (flags and variables override its values)")
	cliflags.DocumentEnv(fs, EnvPrefix)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage of trustee serve:")
		fs.PrintDefaults()
	}
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return Config{}, cliflags.AsUsage(err)
	}
	if fs.NArg() > 0 {
		return Config{}, cliflags.Usagef("unexpected arguments: %v", fs.Args())
	}
	lookup := func(k string) (string, bool) { v := getenv(k); return v, v != "" }
	for _, prefix := range []string{EnvPrefix, LegacyEnvPrefix} {
		if err := cliflags.FromLookup(fs, prefix, lookup); err != nil {
			return Config{}, cliflags.UsageError{Err: err}
		}
	}

	cfg := given
	if cf := *configFile; cf != "" {
		cfg = Defaults()
		md, err := toml.DecodeFile(cf, &cfg)
		if err != nil {
			return Config{}, fmt.Errorf("config %s: %w", cf, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			return Config{}, fmt.Errorf("config %s: unknown keys %v", cf, und)
		}
		// What flags and variables set wins over the file.
		onFile := serveFlagSet(&cfg)
		var err2 error
		fs.Visit(func(f *flag.Flag) {
			if f.Name != "config" && err2 == nil {
				err2 = onFile.Set(f.Name, f.Value.String())
			}
		})
		if err2 != nil {
			return Config{}, err2
		}
	}
	cfg.resolve()
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	if _, err := cliflags.NewLogger(cfg.LogLevel, cfg.LogFormat, io.Discard); err != nil {
		return Config{}, err
	}
	return cfg, nil
}
