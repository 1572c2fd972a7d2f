// Package beacon proves, every few seconds, that a workload is alive and
// attested. The beacon sidecar asks the guest's local API for the current
// attestation token and the TEE key pair bound into it, and posts to the
// dashboard a heartbeat signed with that TEE key: the dashboard checks the
// token against Trustee's signing key, then the heartbeat signature against
// the tee-pubkey inside the token. A copied token is therefore useless
// without the private key that never leaves the confidential VM, and each
// heartbeat carries a fresh id and time so it cannot be replayed.
package beacon

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// MaxBody bounds a heartbeat request (token plus signed payload).
const MaxBody = 256 << 10

// Workload names the workload that sends a heartbeat.
type Workload struct {
	Pod            string `json:"pod"`
	Namespace      string `json:"namespace"`
	ImageDigest    string `json:"image_digest,omitempty"`
	TEE            string `json:"tee,omitempty"`
	InitDataDigest string `json:"initdata_digest,omitempty"`
}

// Key is the dashboard's name for a workload.
func (w Workload) Key() string { return w.Namespace + "/" + w.Pod }

// Payload is what the TEE key signs.
type Payload struct {
	Workload Workload `json:"workload"`
	// ID is random per heartbeat; the dashboard refuses an ID it has seen.
	ID string `json:"id"`
	// SentAt is the sender's clock, checked against a skew window.
	SentAt time.Time `json:"sent_at"`
	// Seq grows by one per heartbeat of one beacon process.
	Seq uint64 `json:"seq"`
	// Incident, when set, reports a refusal that happened inside the VM
	// (such as an image that failed Gate 1); the dashboard raises an alert.
	Incident *Incident `json:"incident,omitempty"`
}

// Incident is a security refusal observed inside the confidential VM.
type Incident struct {
	Kind    string `json:"kind"`    // e.g. "image-rejected"
	Message string `json:"message"` // operator-readable; never a secret
}

// Heartbeat is the body POSTed to the dashboard.
type Heartbeat struct {
	// Token is the EAR attestation token from the guest.
	Token string `json:"token"`
	// Signed is a compact JWS over a Payload, signed by the TEE key.
	Signed string `json:"signed"`
}

// TokenSource returns the current attestation token and the TEE private key
// bound into it.
type TokenSource interface {
	Token(ctx context.Context) (token string, key crypto.Signer, err error)
}

// GuestAPI reads the token from the guest's local API
// (GET /aa/token?token_type=kbs → {"token","tee_keypair"}) through its one
// client (internal/guest/localapi).
type GuestAPI struct {
	URL string // e.g. http://127.0.0.1:8006
}

// Token implements TokenSource.
func (g GuestAPI) Token(ctx context.Context) (string, crypto.Signer, error) {
	c, err := localapi.New(g.URL)
	if err != nil {
		return "", nil, fmt.Errorf("beacon: %w", err)
	}
	tr, err := c.KBSToken(ctx)
	switch localapi.KindOf(err) {
	case 0:
	case localapi.Status:
		return "", nil, fmt.Errorf("beacon: guest answered %d for a token", localapi.StatusOf(err))
	case localapi.Malformed:
		return "", nil, fmt.Errorf("beacon: decode token response: %w", err)
	default:
		return "", nil, fmt.Errorf("beacon: get token from guest: %w", err)
	}
	key, err := ParseTEEKey([]byte(tr.TeeKeypair))
	if err != nil {
		return "", nil, err
	}
	return tr.Token, key, nil
}

// ParseTEEKey reads the guest's PKCS#8 PEM TEE private key.
func ParseTEEKey(pemBytes []byte) (crypto.Signer, error) {
	blk, _ := pem.Decode(pemBytes)
	if blk == nil {
		return nil, errors.New("beacon: tee key pair is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("beacon: parse tee key pair: %w", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("beacon: tee key cannot sign")
	}
	return s, nil
}

func signatureAlg(key crypto.Signer) (jose.SignatureAlgorithm, error) {
	switch k := key.Public().(type) {
	case *ecdsa.PublicKey:
		switch k.Curve.Params().BitSize {
		case 256:
			return jose.ES256, nil
		case 384:
			return jose.ES384, nil
		case 521:
			return jose.ES512, nil
		}
	case *rsa.PublicKey:
		return jose.PS256, nil
	}
	return "", errors.New("beacon: unsupported tee key type")
}

// Sign makes a heartbeat for w signed with key.
func Sign(token string, key crypto.Signer, p Payload) (Heartbeat, error) {
	alg, err := signatureAlg(key)
	if err != nil {
		return Heartbeat{}, err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
	if err != nil {
		return Heartbeat{}, fmt.Errorf("beacon: signer: %w", err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return Heartbeat{}, fmt.Errorf("beacon: encode payload: %w", err)
	}
	jws, err := signer.Sign(b)
	if err != nil {
		return Heartbeat{}, fmt.Errorf("beacon: sign: %w", err)
	}
	compact, err := jws.CompactSerialize()
	if err != nil {
		return Heartbeat{}, fmt.Errorf("beacon: serialize: %w", err)
	}
	return Heartbeat{Token: token, Signed: compact}, nil
}

// NewID returns a random heartbeat id.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// Sender posts heartbeats.
type Sender struct {
	Source    TokenSource
	Dashboard string // base URL of the dashboard, e.g. https://127.0.0.1:9443
	Workload  Workload
	Interval  time.Duration
	Client    *http.Client
	Logger    *slog.Logger
	Now       func() time.Time

	seq uint64
}

// SendOnce fetches a token and posts one heartbeat.
func (s *Sender) SendOnce(ctx context.Context) error { return s.send(ctx, nil) }

// Report posts an incident, signed like a heartbeat.
func (s *Sender) Report(ctx context.Context, in Incident) error { return s.send(ctx, &in) }

func (s *Sender) send(ctx context.Context, in *Incident) error {
	tok, key, err := s.Source.Token(ctx)
	if err != nil {
		return err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	s.seq++
	hb, err := Sign(tok, key, Payload{Workload: s.Workload, ID: NewID(), SentAt: now().UTC(), Seq: s.seq, Incident: in})
	if err != nil {
		return err
	}
	body, _ := json.Marshal(hb) // two strings: cannot fail
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(s.Dashboard, "/")+"/api/v1/beacons", strings.NewReader(string(body)))
	if err != nil {
		return fmt.Errorf("beacon: request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("beacon: post heartbeat: %w", err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("beacon: dashboard refused heartbeat (%d): %s", resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return nil
}

// Run sends a heartbeat every Interval until ctx ends. Failures are logged
// (without the token) and retried at the next tick.
func (s *Sender) Run(ctx context.Context) error {
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	iv := s.Interval
	if iv <= 0 {
		iv = 10 * time.Second
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		if err := s.SendOnce(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("heartbeat failed", "workload", s.Workload.Key(), "err", err)
		} else {
			log.Debug("heartbeat sent", "workload", s.Workload.Key(), "seq", s.seq)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
