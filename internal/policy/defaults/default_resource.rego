# Default resource policy (trustgate). Stricter than upstream's default, which
# allows any non-sample TEE whatever its trust vector: here a resource is
# released only when
#   - it is the "resource" plugin,
#   - every appraisal in the token (at least cpu0) is "affirming", and
#   - the TEE is not a software TEE: never "sample", and "snp-emulated" only
#     when the server sets data["allow-emulated"] (development mode).
package policy

import rego.v1

default allow := false

allow if {
	data.plugin == "resource"
	input.submods.cpu0["ear.status"] == "affirming"
	not any_not_affirming
	not software_tee
}

any_not_affirming if {
	some _, submod in input.submods
	submod["ear.status"] != "affirming"
}

software_tee if {
	some _, submod in input.submods
	submod["ear.veraison.annotated-evidence"].sample
}

software_tee if {
	some _, submod in input.submods
	submod["ear.veraison.annotated-evidence"]["snp-emulated"]
	not data["allow-emulated"] == true
}

# A verifier may mark claims of an emulated TEE with "emulated": true.
software_tee if {
	some _, submod in input.submods
	some _, claims in submod["ear.veraison.annotated-evidence"]
	is_object(claims)
	claims.emulated == true
	not data["allow-emulated"] == true
}
