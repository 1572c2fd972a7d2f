package dashboard

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/trustgate/trustgate/internal/beacon"
	"github.com/trustgate/trustgate/internal/ear"
)

// BeaconVerifier authenticates heartbeats: the token must be a valid EAR
// token from Trustee, the payload must be signed by the tee-pubkey that
// token binds, and its id and time must be fresh.
type BeaconVerifier struct {
	Tokens *ear.Verifier
	// Skew bounds how far a heartbeat's sent_at may be from our clock.
	Skew time.Duration
	Now  func() time.Time

	mu   sync.Mutex
	seen map[string]time.Time // heartbeat id → when it stops mattering
}

// Verified is an authenticated heartbeat.
type Verified struct {
	Payload  beacon.Payload
	Status   string // ear.status of cpu0
	PolicyID string
	TEE      string // the TEE named by the token's evidence claims
	Expiry   time.Time
}

var beaconAlgs = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512, jose.PS256}

// Verify checks hb; the error says why it was refused, for the alert.
func (v *BeaconVerifier) Verify(hb beacon.Heartbeat) (*Verified, error) {
	if v.Tokens == nil {
		return nil, errors.New("no trusted token key configured")
	}
	tok, err := v.Tokens.Verify(hb.Token)
	if err != nil {
		return nil, fmt.Errorf("attestation token rejected: %w", err)
	}
	tpk, err := tok.TeePubKey()
	if err != nil {
		return nil, fmt.Errorf("token binds no TEE key: %w", err)
	}
	pub, err := tpk.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("token's TEE key unusable: %w", err)
	}
	pub, err = signingKey(pub)
	if err != nil {
		return nil, err
	}
	jws, err := jose.ParseSignedCompact(hb.Signed, beaconAlgs)
	if err != nil {
		return nil, fmt.Errorf("heartbeat signature malformed: %w", err)
	}
	raw, err := jws.Verify(pub)
	if err != nil {
		return nil, errors.New("heartbeat not signed by the TEE key bound in the token")
	}
	var p beacon.Payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("heartbeat payload malformed: %w", err)
	}
	if p.ID == "" || len(p.ID) > 128 || p.Workload.Pod == "" || len(p.Workload.Key()) > 512 {
		return nil, errors.New("heartbeat payload lacks an id or a workload name")
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	n := now()
	skew := v.Skew
	if skew <= 0 {
		skew = 2 * time.Minute
	}
	if d := n.Sub(p.SentAt); d > skew || d < -skew {
		return nil, fmt.Errorf("heartbeat time %s outside the allowed skew of %s", p.SentAt.UTC().Format(time.RFC3339), skew)
	}
	if err := v.remember(p.ID, n, skew); err != nil {
		return nil, err
	}
	out := &Verified{Payload: p, Status: tok.Status("cpu0"), Expiry: tok.Expiry}
	if sub, ok := tok.Result.Submods["cpu0"]; ok && sub.AppraisalPolicyID != nil {
		out.PolicyID = *sub.AppraisalPolicyID
	}
	out.TEE = teeOf(tok.Claims)
	if out.TEE != "" && p.Workload.TEE != "" && p.Workload.TEE != out.TEE {
		return nil, fmt.Errorf("heartbeat claims TEE %q but the token attests %q", p.Workload.TEE, out.TEE)
	}
	// The dashboard shows the initdata digest beside "attested": it must be
	// the one the token attests, not merely the one the workload names.
	if claimed := p.Workload.InitDataDigest; claimed != "" {
		attested := initDataOf(tok.Claims)
		if attested == "" {
			return nil, fmt.Errorf("heartbeat claims initdata digest %.96s but the token attests no initdata", claimed)
		}
		if !strings.EqualFold(claimed, attested) {
			return nil, fmt.Errorf("heartbeat claims initdata digest %.96s but the token attests %s", claimed, attested)
		}
	}
	return out, nil
}

// initDataOf is the hex initdata digest under the token's annotated
// evidence ("" when the guest sent no initdata).
func initDataOf(claims map[string]any) string {
	sub, _ := claims["submods"].(map[string]any)
	cpu, _ := sub["cpu0"].(map[string]any)
	ev, _ := cpu["ear.veraison.annotated-evidence"].(map[string]any)
	s, _ := ev["init_data"].(string)
	return s
}

// signingKey turns the tee-pubkey (an ECDH key for EC) into the key that
// verifies signatures made with the same private key.
func signingKey(pub any) (any, error) {
	k, ok := pub.(*ecdh.PublicKey)
	if !ok {
		return pub, nil
	}
	var c elliptic.Curve
	switch k.Curve() {
	case ecdh.P256():
		c = elliptic.P256()
	case ecdh.P384():
		c = elliptic.P384()
	case ecdh.P521():
		c = elliptic.P521()
	default:
		return nil, errors.New("token's TEE key is on an unsupported curve")
	}
	e, err := ecdsa.ParseUncompressedPublicKey(c, k.Bytes())
	if err != nil {
		return nil, fmt.Errorf("token's TEE key unusable: %w", err)
	}
	return e, nil
}

// remember refuses a replayed id. Ids are kept for twice the skew window:
// an older replay already fails the time check.
func (v *BeaconVerifier) remember(id string, now time.Time, skew time.Duration) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[string]time.Time{}
	}
	for k, until := range v.seen {
		if now.After(until) {
			delete(v.seen, k)
		}
	}
	if _, dup := v.seen[id]; dup {
		return errors.New("heartbeat replayed (id already seen)")
	}
	v.seen[id] = now.Add(2 * skew)
	return nil
}

// teeOf finds the TEE name under the token's annotated evidence: the one
// key that is not a runtime/init data member.
func teeOf(claims map[string]any) string {
	sub, _ := claims["submods"].(map[string]any)
	cpu, _ := sub["cpu0"].(map[string]any)
	ev, _ := cpu["ear.veraison.annotated-evidence"].(map[string]any)
	for k := range ev {
		switch k {
		case "init_data", "init_data_claims", "report_data", "runtime_data_claims":
			continue
		}
		return k
	}
	return ""
}
