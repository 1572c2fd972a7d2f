
##### snp-emulated (trustgate up's development VM)
# Trustee verifies snp-emulated evidence only when started with
# --dev-emulated-snp-root; the claims carry "emulated": true and the TEE name
# "snp-emulated", never "snp". The rules mirror the SNP ones.

executables := 3 if {
	input["snp-emulated"]
	input["snp-emulated"].measurement in query_reference_value("snp_launch_measurement")
}

hardware := 2 if {
	input["snp-emulated"]
	input["snp-emulated"].emulated == true
}

configuration := 2 if {
	input["snp-emulated"]
	input["snp-emulated"].policy_debug_allowed in {false, "0"}
	input["snp-emulated"].init_data in query_reference_value("init_data")
}
