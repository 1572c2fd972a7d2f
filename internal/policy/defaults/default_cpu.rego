# Default attestation policy for CPU TEEs (trustgate), following upstream
# Trustee's ear_default_policy_cpu.rego: every claim starts at a
# contraindicating or "no claim" value and is lowered only when the verified
# evidence matches registered reference values. With no reference values
# registered, every TEE is contraindicated (hardware 97).
#
# Reference values are compared with the claims as the verifiers emit them:
# strings. Numbers (SVNs, ABI versions) are decimal strings ("3"), flags
# "0"/"1", digests and registers lower-case hex. docs/trustee.md lists the
# names and formats; rvps.ValidateValue (trustee admin) refuses a value in
# another format.
#
# initdata is pinned for every hardware TEE: when init_data reference values
# are registered, the initdata the guest sent (input.init_data, the hex of
# its digest) must be one of them and must be what the hardware bound (SNP
# HOST_DATA, TDX MRCONFIGID, Azure vTPM PCR 8; the verifier compares them);
# when none is registered, the guest must bind none. Otherwise
# configuration is 96 and the appraisal contraindicated.
package policy

import rego.v1

# 33: "Runtime memory includes executables, scripts, files, and/or objects
# which are not recognized."
default executables := 33

# 97: "A Verifier does not recognize an Attester's hardware or firmware, but
# it should be recognized."
default hardware := 97

# 36: "Elements of the configuration relevant to security are unavailable to
# the Verifier."
default configuration := 36

default file_system := 0

default instance_identity := 0

default runtime_opaque := 0

default storage_opaque := 0

default sourced_data := 0

# unmet names, for the audit log, what kept a claim from being affirmed
# (the attestation service writes it into the result's reason).
unmet contains "executables: the measurement matches no registered reference value" if executables >= 32

unmet contains "hardware: the platform (TCB, collateral, hardware registers) matches no registered reference value" if hardware >= 32

unmet contains "configuration: debug or migration allowed, or configuration reference values unmatched" if {
	configuration >= 32
	not init_data_failed
}

unmet contains "init_data: the initdata bound at launch is not a registered init_data reference value, or none is bound while one is registered, or one is bound while none is registered" if init_data_failed

unmet contains sprintf("tcb_status: %s, not UpToDate", [input[tee].tcb_status]) if {
	some tee in {"tdx", "az-tdx-vtpm"}
	input[tee].tcb_status != "UpToDate"
}

unmet contains "tcb_status: absent (TDX TCB is appraised only with collateral: run trustee with a collateral source)" if {
	some tee in {"tdx", "az-tdx-vtpm"}
	input[tee]
	not input[tee].tcb_status
}

trust_claims := {
	"executables": executables,
	"hardware": hardware,
	"configuration": configuration,
	"file-system": file_system,
	"instance-identity": instance_identity,
	"runtime-opaque": runtime_opaque,
	"storage-opaque": storage_opaque,
	"sourced-data": sourced_data,
}

##### Sample (software; the default resource policy never releases to it)

executables := 3 if {
	input.sample
	input.sample.launch_digest in query_reference_value("launch_digest")
}

hardware := 2 if {
	input.sample
	input.sample.svn in query_reference_value("svn")
	input.sample.platform_version.major in query_reference_value("major_version")
	some min in query_reference_value("minimum_minor_version")
	input.sample.platform_version.minor >= min
}

configuration := 2 if {
	input.sample
	input.sample.debug == false
}

##### initdata (every hardware TEE)

hardware_tees := {"snp", "tdx", "az-snp-vtpm", "az-tdx-vtpm"}

hex_zero_32 := "0000000000000000000000000000000000000000000000000000000000000000"

hex_zero_48 := "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

init_data_refs := v if {
	v := query_reference_value("init_data")
	is_array(v)
} else := []

init_data_registered if count(init_data_refs) > 0

# The digest the guest sent is registered. SNP HOST_DATA and vTPM PCR 8 take
# 32 bytes: only a sha256 digest is bound in full there.
registered_init_data(size) if {
	init_data_registered
	input.init_data in init_data_refs
	count(input.init_data) == 2 * size
}

# SNP: HOST_DATA is the digest.
init_data_ok if {
	input.snp
	registered_init_data(32)
	input.snp.init_data == input.init_data
}

init_data_ok if {
	input.snp
	not init_data_registered
	input.init_data == ""
	input.snp.init_data == hex_zero_32
}

# TDX: MRCONFIGID is the sha384 digest, or a sha256 digest zero-padded.
init_data_ok if {
	input.tdx
	registered_init_data(48)
	input.tdx.init_data == input.init_data
}

init_data_ok if {
	input.tdx
	registered_init_data(32)
	input.tdx.init_data == concat("", [input.init_data, substring(hex_zero_48, 0, 32)])
}

init_data_ok if {
	input.tdx
	not init_data_registered
	input.init_data == ""
	input.tdx.init_data == hex_zero_48
}

# Azure vTPM: PCR 8 = sha256(32 zero bytes || digest); the verifier refused
# the evidence if the digest sent does not give the quoted PCR 8.
init_data_ok if {
	some tee in {"az-snp-vtpm", "az-tdx-vtpm"}
	input[tee]
	registered_init_data(32)
}

init_data_ok if {
	some tee in {"az-snp-vtpm", "az-tdx-vtpm"}
	input[tee]
	not init_data_registered
	input.init_data == ""
	input[tee].tpm.pcr08 == hex_zero_32
}

init_data_failed if {
	some tee in hardware_tees
	input[tee]
	not init_data_ok
}

configuration := 96 if init_data_failed

##### SNP (claims named as upstream's snp verifier emits them)

# A policy flag that is off. Upstream's verifier has emitted these flags as
# JSON booleans, as "0"/"1" and as "true"/"false" over its releases; our
# verifier emits "0"/"1". Accepting every "off" spelling keeps upstream's
# policies and evidence working; anything else (on, or missing) stays
# contraindicated.
off := {false, "0", "false", 0}

executables := 3 if {
	input.snp
	input.snp.measurement in query_reference_value("snp_launch_measurement")
}

hardware := 2 if {
	input.snp
	input.snp.reported_tcb_bootloader in query_reference_value("snp_bootloader")
	input.snp.reported_tcb_microcode in query_reference_value("snp_microcode")
	input.snp.reported_tcb_snp in query_reference_value("snp_snp_svn")
	input.snp.reported_tcb_tee in query_reference_value("snp_tee_svn")
}

configuration := 2 if {
	input.snp
	init_data_ok
	input.snp.policy_debug_allowed in off
	input.snp.policy_migrate_ma in off
	input.snp.platform_smt_enabled in query_reference_value("snp_smt_enabled")
	input.snp.platform_tsme_enabled in query_reference_value("snp_tsme_enabled")
	input.snp.policy_abi_major in query_reference_value("snp_guest_abi_major")
	input.snp.policy_abi_minor in query_reference_value("snp_guest_abi_minor")
	input.snp.policy_single_socket in query_reference_value("snp_single_socket")
	input.snp.policy_smt_allowed in query_reference_value("snp_smt_allowed")
} else := 3 if {
	input.snp
	init_data_ok
	input.snp.policy_debug_allowed in off
	input.snp.policy_migrate_ma in off
}

##### TDX

executables := 3 if {
	input.tdx
	input.tdx.quote.body.rtmr_1 in query_reference_value("rtmr_1")
	input.tdx.quote.body.rtmr_2 in query_reference_value("rtmr_2")
	tdx_uefi_event_tdvfkernel_ok
	tdx_uefi_event_tdvfkernelparams_ok
} else := 4 if {
	input.tdx
	input.tdx.quote.body.rtmr_1 in query_reference_value("rtmr_1")
	input.tdx.quote.body.rtmr_2 in query_reference_value("rtmr_2")
}

hardware := 2 if {
	input.tdx
	input.tdx.quote.header.tee_type == "81000000"
	input.tdx.quote.header.vendor_id == "939a7233f79c4ca9940a0db3957f0607"
	input.tdx.quote.body.mr_td in query_reference_value("mr_td")
	input.tdx.tcb_status == "UpToDate"
	input.tdx.collateral_expiration_status == "0"
}

configuration := 2 if {
	input.tdx
	init_data_ok
	input.tdx.td_attributes.debug == false
	input.tdx.quote.body.xfam in query_reference_value("xfam")
}

tdx_uefi_event_tdvfkernel_ok if {
	event := input.tdx.uefi_event_logs[_]
	event.type_name == "EV_EFI_BOOT_SERVICES_APPLICATION"
	"File(kernel)" in event.details.device_paths
	digest := event.digests[_]
	digest.digest in query_reference_value("tdvfkernel")
}

tdx_uefi_event_tdvfkernelparams_ok if {
	event := input.tdx.uefi_event_logs[_]
	event.type_name == "EV_EVENT_TAG"
	event.details.string == "LOADED_IMAGE::LoadOptions"
	digest := event.digests[_]
	digest.digest in query_reference_value("tdvfkernelparams")
}

##### Azure vTPM SNP

executables := 3 if {
	input["az-snp-vtpm"]
	input["az-snp-vtpm"].measurement in query_reference_value("measurement")
	input["az-snp-vtpm"].tpm.pcr11 in query_reference_value("snp_pcr11")
}

hardware := 2 if {
	input["az-snp-vtpm"]
	input["az-snp-vtpm"].reported_tcb_bootloader in query_reference_value("tcb_bootloader")
	input["az-snp-vtpm"].reported_tcb_microcode in query_reference_value("tcb_microcode")
	input["az-snp-vtpm"].reported_tcb_snp in query_reference_value("tcb_snp")
	input["az-snp-vtpm"].reported_tcb_tee in query_reference_value("tcb_tee")
}

configuration := 2 if {
	input["az-snp-vtpm"]
	init_data_ok
	input["az-snp-vtpm"].policy_debug_allowed in off
	input["az-snp-vtpm"].policy_migrate_ma in off
	input["az-snp-vtpm"].platform_smt_enabled in query_reference_value("smt_enabled")
	input["az-snp-vtpm"].platform_tsme_enabled in query_reference_value("tsme_enabled")
	input["az-snp-vtpm"].policy_abi_major in query_reference_value("abi_major")
	input["az-snp-vtpm"].policy_abi_minor in query_reference_value("abi_minor")
	input["az-snp-vtpm"].policy_single_socket in query_reference_value("single_socket")
	input["az-snp-vtpm"].policy_smt_allowed in query_reference_value("smt_allowed")
}

##### Azure vTPM TDX

executables := 3 if {
	input["az-tdx-vtpm"]
	input["az-tdx-vtpm"].tpm.pcr11 in query_reference_value("tdx_pcr11")
}

hardware := 2 if {
	input["az-tdx-vtpm"]
	input["az-tdx-vtpm"].quote.header.tee_type == "81000000"
	input["az-tdx-vtpm"].quote.header.vendor_id == "939a7233f79c4ca9940a0db3957f0607"
	input["az-tdx-vtpm"].quote.body.mr_td in query_reference_value("mr_td")
	input["az-tdx-vtpm"].tcb_status == "UpToDate"
	input["az-tdx-vtpm"].collateral_expiration_status == "0"
}

configuration := 2 if {
	input["az-tdx-vtpm"]
	init_data_ok
	input["az-tdx-vtpm"].td_attributes.debug == false
	input["az-tdx-vtpm"].quote.body.xfam in query_reference_value("xfam")
}
