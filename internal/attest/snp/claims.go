package snp

import (
	"encoding/binary"
	"encoding/hex"
	"strconv"

	"github.com/google/go-sev-guest/abi"

	"github.com/trustgate/trustgate/internal/attest"
	teesnp "github.com/trustgate/trustgate/internal/tee/snp"
)

// Claim names, as upstream Trustee's SNP verifier emits them (values are
// strings there too: numbers in decimal, flags "0"/"1"). Byte fields are
// lower-case hex.
const (
	ClaimMeasurement           = "measurement"
	ClaimReportData            = "report_data"
	ClaimInitData              = "init_data"
	ClaimPolicyABIMajor        = "policy_abi_major"
	ClaimPolicyABIMinor        = "policy_abi_minor"
	ClaimPolicySMTAllowed      = "policy_smt_allowed"
	ClaimPolicyMigrateMA       = "policy_migrate_ma"
	ClaimPolicyDebugAllowed    = "policy_debug_allowed"
	ClaimPolicySingleSocket    = "policy_single_socket"
	ClaimReportedTCBBootloader = "reported_tcb_bootloader"
	ClaimReportedTCBTEE        = "reported_tcb_tee"
	ClaimReportedTCBSNP        = "reported_tcb_snp"
	ClaimReportedTCBMicrocode  = "reported_tcb_microcode"
	ClaimReportedTCBFMC        = "reported_tcb_fmc"
	ClaimPlatformTSMEEnabled   = "platform_tsme_enabled"
	ClaimPlatformSMTEnabled    = "platform_smt_enabled"
	ClaimReportVersion         = "report_version"
	ClaimGuestSVN              = "guest_svn"
	ClaimChipID                = "chip_id"
	ClaimSigningKey            = "signing_key"
)

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func dec[T ~uint8 | ~uint32 | ~uint64](v T) string { return strconv.FormatUint(uint64(v), 10) }

// Claims maps a (verified) raw report to upstream's claim names.
func Claims(raw []byte) attest.Claims {
	le := binary.LittleEndian
	policy := le.Uint64(raw[0x08:])
	pol, _ := abi.ParseSnpPolicy(policy) // verified reports always parse
	plat := le.Uint64(raw[0x40:])
	tcb := teesnp.TCBFromBytes(raw[teesnp.OffReportedTCB:teesnp.OffReportedTCB+8], teesnp.IsTurin(raw))
	signer := "vcek"
	if info, err := abi.ParseSignerInfo(le.Uint32(raw[0x48:])); err == nil && info.SigningKey == abi.VlekReportSigner {
		signer = "vlek"
	}
	c := attest.Claims{
		ClaimMeasurement:           hex.EncodeToString(raw[0x90:0xC0]),
		ClaimReportData:            hex.EncodeToString(raw[0x50:0x90]),
		ClaimInitData:              hex.EncodeToString(raw[0xC0:0xE0]),
		ClaimPolicyABIMajor:        dec(pol.ABIMajor),
		ClaimPolicyABIMinor:        dec(pol.ABIMinor),
		ClaimPolicySMTAllowed:      flag(pol.SMT),
		ClaimPolicyMigrateMA:       flag(pol.MigrateMA),
		ClaimPolicyDebugAllowed:    flag(pol.Debug),
		ClaimPolicySingleSocket:    flag(pol.SingleSocket),
		ClaimReportedTCBBootloader: dec(tcb.Bootloader),
		ClaimReportedTCBTEE:        dec(tcb.TEE),
		ClaimReportedTCBSNP:        dec(tcb.SNP),
		ClaimReportedTCBMicrocode:  dec(tcb.Microcode),
		ClaimPlatformSMTEnabled:    flag(plat&1 != 0),
		ClaimPlatformTSMEEnabled:   flag(plat&2 != 0),
		ClaimReportVersion:         dec(le.Uint32(raw[0:])),
		ClaimGuestSVN:              dec(le.Uint32(raw[0x04:])),
		ClaimChipID:                hex.EncodeToString(raw[0x1A0:0x1E0]),
		ClaimSigningKey:            signer,
	}
	if tcb.FMC != nil {
		c[ClaimReportedTCBFMC] = dec(*tcb.FMC)
	}
	return c
}
