package webapp

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/url"

	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// AttestationPath is the guest local API's read-only attestation summary
// (internal/guest/localapi, which does not pull the guest daemon in).
const AttestationPath = localapi.AttestationPath

// attestationView is what the page header says about where the app runs.
// Every field is shown through html/template, so escaped.
type attestationView struct {
	// Attested: the guest attested to Trustee; TEE, Digest, Time and
	// Status are then set.
	Attested bool
	TEE      string
	// Algorithm and Digest of the initdata bound at launch ("" when none).
	Algorithm, Digest string
	Time              string // UTC
	Status            string // ear.status as Trustee wrote it
	// Sample is true for the software TEE, which proves nothing.
	Sample bool
	// Unknown is the reason when the guest could not say ("" otherwise).
	Unknown string
}

// attestationURL is cfg.AttestationURL, or AttestationPath on the host of
// SecretURL (the guest's local API); "" when neither is known.
func attestationURL(cfg Config) string {
	if cfg.AttestationURL != "" {
		return cfg.AttestationURL
	}
	if cfg.SecretURL == "" {
		return ""
	}
	u, err := url.Parse(cfg.SecretURL)
	if err != nil || u.Host == "" {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: AttestationPath}).String()
}

// attestation asks the guest where the app runs. It never fails: what the
// guest cannot tell is shown as unknown, with the reason. It is asked once
// per page, within the endpoint's limits (16 KiB, 2 s): a page does not
// wait for a guest that is not there.
func (g *gate) attestation(ctx context.Context) attestationView {
	target := attestationURL(g.cfg)
	if target == "" {
		return attestationView{Unknown: "not started under the trustgate guest (no local API configured)"}
	}
	base, rest, err := localapi.SplitURL(target, AttestationPath)
	if err != nil || rest != "" {
		return attestationView{Unknown: "bad attestation URL"}
	}
	c, err := localapi.New(base, localapi.WithRetry(localapi.Retry{Attempts: 1}))
	if err != nil {
		return attestationView{Unknown: "bad attestation URL"}
	}
	a, err := c.Attestation(ctx)
	switch localapi.KindOf(err) {
	case 0:
		return viewOf(a)
	case localapi.Status:
		return attestationView{Unknown: fmt.Sprintf("the guest's local API answered %d (an older guest without %s?)", localapi.StatusOf(err), AttestationPath)}
	case localapi.TooLarge:
		return attestationView{Unknown: "the guest's answer could not be read"}
	case localapi.Malformed:
		return attestationView{Unknown: "the guest's answer is not valid JSON"}
	default:
		return attestationView{Unknown: "the guest's local API did not answer"}
	}
}

// viewOf checks the guest's answer: a value out of shape is dropped, not
// shown as if the guest had said it.
func viewOf(a localapi.Attestation) attestationView {
	if a.Tee == "" || len(a.Tee) > 32 {
		return attestationView{Unknown: "the guest did not name its TEE"}
	}
	v := attestationView{TEE: a.Tee, Sample: a.Tee == "sample"}
	if d := a.InitDataDigest; d != "" {
		if b, err := hex.DecodeString(d); err != nil || len(b) < 32 || len(b) > 64 {
			return attestationView{Unknown: "the guest reported a malformed initdata digest"}
		}
		v.Digest = d
		if len(a.InitDataAlgorithm) <= 16 {
			v.Algorithm = a.InitDataAlgorithm
		}
	}
	if !a.Attested || a.LastAttestation == nil {
		return v
	}
	switch a.EARStatus {
	case "affirming", "warning", "contraindicated", "none", "":
	default:
		return attestationView{Unknown: "the guest reported an unknown EAR status"}
	}
	v.Attested, v.Status = true, a.EARStatus
	v.Time = a.LastAttestation.UTC().Format("2006-01-02 15:04:05 UTC")
	return v
}
