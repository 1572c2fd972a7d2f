package webapp

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// AttestationPath is the guest local API's read-only attestation summary
// (internal/guest.AttestationPath; not imported, so that the app does not
// pull the guest daemon in).
const AttestationPath = "/trustgate/attestation"

// maxAttestationBytes bounds the guest's answer (a few hundred bytes).
const maxAttestationBytes = 16 << 10

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

// guestAttestation is the guest's AttestationResponse, as far as read here.
type guestAttestation struct {
	Tee               string     `json:"tee"`
	InitDataAlgorithm string     `json:"init_data_algorithm"`
	InitDataDigest    string     `json:"init_data_digest"`
	Attested          bool       `json:"attested"`
	LastAttestation   *time.Time `json:"last_attestation"`
	EARStatus         string     `json:"ear_status"`
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
// guest cannot tell is shown as unknown, with the reason.
func (g *gate) attestation(ctx context.Context) attestationView {
	target := attestationURL(g.cfg)
	if target == "" {
		return attestationView{Unknown: "not started under the trustgate guest (no local API configured)"}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return attestationView{Unknown: "bad attestation URL"}
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return attestationView{Unknown: "the guest's local API did not answer"}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAttestationBytes+1))
	if err != nil || len(body) > maxAttestationBytes {
		return attestationView{Unknown: "the guest's answer could not be read"}
	}
	if resp.StatusCode != http.StatusOK {
		return attestationView{Unknown: fmt.Sprintf("the guest's local API answered %d (an older guest without %s?)", resp.StatusCode, AttestationPath)}
	}
	var a guestAttestation
	if err := json.Unmarshal(body, &a); err != nil {
		return attestationView{Unknown: "the guest's answer is not valid JSON"}
	}
	return viewOf(a)
}

// viewOf checks the guest's answer: a value out of shape is dropped, not
// shown as if the guest had said it.
func viewOf(a guestAttestation) attestationView {
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
