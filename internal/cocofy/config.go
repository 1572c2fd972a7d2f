package cocofy

import (
	"strings"
)

// tomlString renders s as a TOML basic string (always one line, escaped).
func tomlString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// aaTOML is the Attestation Agent configuration: where to get tokens.
func (t *transformer) aaTOML() string {
	var b strings.Builder
	b.WriteString("[token_configs.kbs]\n")
	b.WriteString("url = " + tomlString(t.opts.TrusteeURL) + "\n")
	if len(t.opts.TrusteeCertPEM) > 0 {
		b.WriteString("cert = " + tomlString(string(t.opts.TrusteeCertPEM)) + "\n")
	}
	b.WriteString("\n[token_configs.coco_as]\n")
	b.WriteString("url = " + tomlString(t.opts.TrusteeURL) + "\n")
	return b.String()
}

// cdhTOML is the Confidential Data Hub configuration: the KBS, and the image
// security policy the guest enforces before it runs an image (Gate 1).
func (t *transformer) cdhTOML() string {
	var b strings.Builder
	b.WriteString("socket = \"unix:///run/confidential-containers/cdh.sock\"\n\n")
	b.WriteString("[kbc]\n")
	b.WriteString("name = \"cc_kbc\"\n")
	b.WriteString("url = " + tomlString(t.opts.TrusteeURL) + "\n")
	if len(t.opts.TrusteeCertPEM) > 0 {
		b.WriteString("kbs_cert = " + tomlString(string(t.opts.TrusteeCertPEM)) + "\n")
	}
	b.WriteString("\n[image]\n")
	b.WriteString("image_security_policy_uri = " + tomlString(t.opts.ImagePolicyURI) + "\n")
	return b.String()
}
