package refvalue

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/trustgate/trustgate/internal/attest"
	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
	teetdx "github.com/trustgate/trustgate/internal/tee/tdx"
)

// valueFormat is how the default attestation policy compares the values of
// one reference value name with the verifiers' claims.
type valueFormat struct {
	kind  string // "hex", "dec", "flag"
	sizes []int  // hex: acceptable byte lengths
	what  string // what the value is, for errors
}

// formats lists the names the default attestation policy reads. Claims are
// strings: digests and registers lower-case hex, numbers decimal, flags
// "0"/"1"; a value in another form could never match, so it is refused at
// registration instead of silently never affirming. Names not listed
// (custom policies, the sample TEE) are not checked.
var formats = map[string]valueFormat{
	"snp_launch_measurement": {"hex", []int{48}, "SNP launch measurement (48 bytes)"},
	"measurement":            {"hex", []int{48}, "az-snp-vtpm launch measurement (48 bytes)"},
	"mr_td":                  {"hex", []int{48}, "TDX MRTD (48 bytes)"},
	"rtmr_0":                 {"hex", []int{48}, "TDX RTMR (48 bytes)"},
	"rtmr_1":                 {"hex", []int{48}, "TDX RTMR (48 bytes)"},
	"rtmr_2":                 {"hex", []int{48}, "TDX RTMR (48 bytes)"},
	"rtmr_3":                 {"hex", []int{48}, "TDX RTMR (48 bytes)"},
	"xfam":                   {"hex", []int{8}, "TDX XFAM (8 bytes)"},
	"tdvfkernel":             {"hex", []int{32, 48, 64}, "event digest (SHA-256/384/512)"},
	"tdvfkernelparams":       {"hex", []int{32, 48, 64}, "event digest (SHA-256/384/512)"},
	"snp_pcr11":              {"hex", []int{32}, "vTPM SHA-256 PCR (32 bytes)"},
	"tdx_pcr11":              {"hex", []int{32}, "vTPM SHA-256 PCR (32 bytes)"},
	InitDataName:             {"hex", []int{32, 48, 64}, "initdata digest (sha256, sha384 or sha512 of the initdata TOML)"},
	"snp_bootloader":         {"dec", nil, "SNP TCB bootloader SVN"},
	"snp_microcode":          {"dec", nil, "SNP TCB microcode SVN"},
	"snp_snp_svn":            {"dec", nil, "SNP TCB SNP firmware SVN"},
	"snp_tee_svn":            {"dec", nil, "SNP TCB TEE SVN"},
	"tcb_bootloader":         {"dec", nil, "SNP TCB bootloader SVN"},
	"tcb_microcode":          {"dec", nil, "SNP TCB microcode SVN"},
	"tcb_snp":                {"dec", nil, "SNP TCB SNP firmware SVN"},
	"tcb_tee":                {"dec", nil, "SNP TCB TEE SVN"},
	"snp_guest_abi_major":    {"dec", nil, "SNP guest policy ABI major"},
	"snp_guest_abi_minor":    {"dec", nil, "SNP guest policy ABI minor"},
	"abi_major":              {"dec", nil, "SNP guest policy ABI major"},
	"abi_minor":              {"dec", nil, "SNP guest policy ABI minor"},
	"snp_smt_enabled":        {"flag", nil, "SNP platform flag"},
	"snp_tsme_enabled":       {"flag", nil, "SNP platform flag"},
	"snp_single_socket":      {"flag", nil, "SNP guest policy flag"},
	"snp_smt_allowed":        {"flag", nil, "SNP guest policy flag"},
	"smt_enabled":            {"flag", nil, "SNP platform flag"},
	"tsme_enabled":           {"flag", nil, "SNP platform flag"},
	"single_socket":          {"flag", nil, "SNP guest policy flag"},
	"smt_allowed":            {"flag", nil, "SNP guest policy flag"},
}

// InitDataName is the reference value name of registered initdata digests.
const InitDataName = "init_data"

// ValidateValue checks that every value registered under name has the
// format the default attestation policy compares with the verifiers'
// claims (docs/trustee.md, "Reference values"). The error wraps ErrInvalid
// and says what was expected. `trustee admin` calls it before sending.
func ValidateValue(name string, values []any) error {
	if err := CheckName(name); err != nil {
		return err
	}
	f, ok := formats[name]
	if !ok {
		return nil
	}
	for i, v := range values {
		s, isString := v.(string)
		if !isString {
			hint := ""
			switch x := v.(type) {
			case float64:
				hint = fmt.Sprintf(": register \"%s\"", strconv.FormatFloat(x, 'f', -1, 64))
			case bool:
				hint = ": register \"1\" (true) or \"0\" (false)"
			}
			return fmt.Errorf("%w: %s[%d] is a %s; the verifiers emit strings, so the %s must be a string%s", ErrInvalid, name, i, jsonKind(v), f.what, hint)
		}
		if err := f.check(s); err != nil {
			return fmt.Errorf("%w: %s[%d] %q: %v", ErrInvalid, name, i, s, err)
		}
	}
	return nil
}

// ValidateValues checks every name of vals with ValidateValue (a parsed
// registration message, an import bundle's values).
func ValidateValues(vals Values) error {
	names := make([]string, 0, len(vals))
	for n := range vals {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := ValidateValue(n, vals[n]); err != nil {
			return err
		}
	}
	return nil
}

func (f valueFormat) check(s string) error {
	switch f.kind {
	case "dec":
		n, err := strconv.ParseUint(s, 10, 8)
		if err != nil || strconv.FormatUint(n, 10) != s {
			return fmt.Errorf("the %s must be a decimal number 0..255 without sign or leading zeros, e.g. \"3\"", f.what)
		}
	case "flag":
		if s != "0" && s != "1" {
			return fmt.Errorf("the %s must be \"0\" or \"1\"", f.what)
		}
	case "hex":
		b, err := hex.DecodeString(s)
		if err != nil || strings.ToLower(s) != s {
			return fmt.Errorf("the %s must be lower-case hex", f.what)
		}
		for _, n := range f.sizes {
			if len(b) == n {
				return nil
			}
		}
		return fmt.Errorf("the %s must be %s bytes, not %d", f.what, sizesText(f.sizes), len(b))
	}
	return nil
}

func sizesText(sizes []int) string {
	parts := make([]string, len(sizes))
	for i, n := range sizes {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, " or ")
}

func jsonKind(v any) string {
	switch v.(type) {
	case float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// ErrInitDataNotBindable marks an initdata digest the TEE cannot bind in
// full.
var ErrInitDataNotBindable = errors.New("initdata digest cannot be bound by this TEE")

// initDataBound is how many bytes of the initdata digest each hardware TEE
// binds at launch, from the wire packages the attesters use for their
// attester.InitDataSize (the attester catalog itself, internal/attester/
// detect, is guest-side code with device probes, not imported here): SNP
// HOST_DATA, TDX MRCONFIGID, and the SHA-256 the Azure vTPM extends PCR 8
// with.
var initDataBound = map[string]int{
	attest.TeeSNP:         teesnp.HostDataSize,
	attest.TeeSNPEmulated: teesnp.HostDataSize,
	attest.TeeTDX:         teetdx.MRConfigIDSize,
	attest.TeeAzSNPvTPM:   sha256.Size,
	attest.TeeAzTDXvTPM:   sha256.Size,
}

// hardwareTEEs are the TEEs whose claims the default policy compares with
// the init_data reference values (hardware_tees in default_cpu.rego).
var hardwareTEEs = []string{attest.TeeSNP, attest.TeeTDX, attest.TeeAzSNPvTPM, attest.TeeAzTDXvTPM}

// ValidateInitDataDigest checks that an initdata digest (lower-case hex)
// can be bound in full by tee, as its hardware holds it: SNP HOST_DATA and
// the Azure vTPM's PCR 8 extension take 32 bytes (sha256 only), TDX
// MRCONFIGID 48 (sha256 or sha384). A longer digest would be truncated, so
// a different initdata with the same prefix would match: refuse it at
// provisioning time.
//
// init_data reference values are not stored per TEE (the default policy
// reads one list for every hardware TEE), so tee "" means "any of them": the
// digest must then be bound in full by every hardware TEE, that is sha256.
// The sample TEE binds nothing and takes any well-formed digest; another
// name is refused.
func ValidateInitDataDigest(tee, digestHex string) error {
	if err := ValidateValue(InitDataName, []any{digestHex}); err != nil {
		return err
	}
	n := len(digestHex) / 2
	if tee == "" {
		for _, t := range hardwareTEEs {
			if n > initDataBound[t] {
				return fmt.Errorf("%w: %s binds %d bytes of initdata digest (%s), this digest has %d (%s), and init_data reference values are shared by every hardware TEE: "+
					"register a sha256 digest (algorithm = \"sha256\" in the initdata), or name the TEE the digest is for (tdx binds sha384)",
					ErrInitDataNotBindable, t, initDataBound[t], bindField(t), n, algName(n))
			}
		}
		return nil
	}
	if tee == attest.TeeSample {
		return nil
	}
	max, ok := initDataBound[tee]
	if !ok {
		return fmt.Errorf("%w: unknown TEE %q for an initdata digest (known: %s, %s)", ErrInvalid, tee, strings.Join(hardwareTEEs, ", "), attest.TeeSample)
	}
	if n > max {
		return fmt.Errorf("%w: %s binds %d bytes of initdata digest (%s), this digest has %d (%s): set algorithm = \"sha256\" in the initdata",
			ErrInitDataNotBindable, tee, max, bindField(tee), n, algName(n))
	}
	return nil
}

// ValidateValuesFor is ValidateValues for values meant for tee ("" when
// the TEE is not known): every init_data digest must also be bound in full
// by that TEE (ValidateInitDataDigest).
func ValidateValuesFor(tee string, vals Values) error {
	if err := ValidateValues(vals); err != nil {
		return err
	}
	return validateInitData(tee, vals[InitDataName])
}

// ValidateValueFor is ValidateValue for values meant for tee ("" when the
// TEE is not known).
func ValidateValueFor(tee, name string, values []any) error {
	if err := ValidateValue(name, values); err != nil {
		return err
	}
	if name != InitDataName {
		return nil
	}
	return validateInitData(tee, values)
}

func validateInitData(tee string, values []any) error {
	for i, v := range values {
		s, _ := v.(string) // ValidateValue checked the type
		if err := ValidateInitDataDigest(tee, s); err != nil {
			return fmt.Errorf("%s[%d]: %w", InitDataName, i, err)
		}
	}
	return nil
}

func bindField(tee string) string {
	switch tee {
	case "tdx":
		return "MRCONFIGID"
	case "az-snp-vtpm", "az-tdx-vtpm":
		return "vTPM PCR 8"
	}
	return "HOST_DATA"
}

func algName(n int) string {
	switch n {
	case 32:
		return "sha256"
	case 48:
		return "sha384"
	case 64:
		return "sha512"
	}
	return "unknown algorithm"
}
