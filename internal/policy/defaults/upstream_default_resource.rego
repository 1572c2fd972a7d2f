# Upstream Trustee's default resource policy, kept for operators who want its
# semantics: any non-sample TEE, whatever its ear.status.
package policy

default allow = false

plugin = data.plugin

allow if {
	plugin == "resource"
	not input["submods"]["cpu0"]["ear.veraison.annotated-evidence"]["sample"]
}
