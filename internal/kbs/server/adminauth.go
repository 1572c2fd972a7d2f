package server

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/trustgate/trustgate/internal/kbs"
)

// AdminAuth checks the admin bearer tokens that upstream's kbs-client and
// cococtl produce: a JWT with header {"alg":"EdDSA","typ":"JWT"} signed by
// an Ed25519 key the server trusts, with iat and exp claims. A token without
// exp, expired, issued in the future, or signed by another key is refused.
type AdminAuth struct {
	Keys []ed25519.PublicKey
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Leeway tolerates clock skew between the admin's machine and the
	// server (default 60 s).
	Leeway time.Duration
	// MaxLifetime refuses tokens whose exp-iat exceeds it (0:
	// DefaultAdminMaxLifetime; negative: no bound).
	MaxLifetime time.Duration
}

// DefaultAdminMaxLifetime bounds exp-iat of an admin token, so that a leaked
// token is not a standing credential. Upstream's kbs-client and cocofy sign
// tokens for 2 h, trustee admin for 5 min.
const DefaultAdminMaxLifetime = 24 * time.Hour

// maxAdminToken bounds the token we parse.
const maxAdminToken = 8 << 10

// Check returns nil when r carries a valid admin token, else a kbs
// AdminAuth error (401) saying why without echoing the token.
func (a *AdminAuth) Check(r *http.Request) error {
	_, err := a.check(r)
	return err
}

// check is Check that also returns until when the token is accepted (its
// exp plus the clock-skew leeway).
func (a *AdminAuth) check(r *http.Request) (time.Time, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token required: Authorization: Bearer <JWT>")
	}
	return a.checkToken(strings.TrimSpace(tok))
}

// CheckToken validates one token.
func (a *AdminAuth) CheckToken(tok string) error {
	_, err := a.checkToken(tok)
	return err
}

// checkToken validates one token and returns until when it is accepted.
func (a *AdminAuth) checkToken(tok string) (time.Time, error) {
	if len(tok) > maxAdminToken {
		return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token too large")
	}
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token is not an EdDSA JWT")
	}
	if len(parsed.Headers) != 1 {
		return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token must have one signature")
	}
	if typ, ok := parsed.Headers[0].ExtraHeaders[jose.HeaderType]; ok && typ != "JWT" {
		return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token typ must be JWT")
	}
	var claims jwt.Claims
	verified := false
	for _, k := range a.Keys {
		if err := parsed.Claims(k, &claims); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token signature does not verify with a trusted admin key")
	}
	if claims.IssuedAt == nil || claims.Expiry == nil {
		return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token must carry iat and exp")
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	leeway := a.Leeway
	if leeway == 0 {
		leeway = 60 * time.Second
	}
	if err := claims.ValidateWithLeeway(jwt.Expected{Time: now()}, leeway); err != nil {
		switch {
		case errors.Is(err, jwt.ErrExpired):
			return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token expired")
		case errors.Is(err, jwt.ErrIssuedInTheFuture):
			return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token issued in the future (check clocks)")
		default:
			return time.Time{}, kbs.NewError(kbs.AdminAuth, "admin token not valid now")
		}
	}
	maxLife := a.MaxLifetime
	if maxLife == 0 {
		maxLife = DefaultAdminMaxLifetime
	}
	if maxLife > 0 && claims.Expiry.Time().Sub(claims.IssuedAt.Time()) > maxLife {
		return time.Time{}, kbs.Errorf(kbs.AdminAuth, "admin token lifetime (exp - iat) over %s", maxLife)
	}
	// The instant this check would start refusing the token.
	return claims.Expiry.Time().Add(leeway), nil
}

// ParseAdminPublicKey reads an Ed25519 public key in PKIX PEM ("PUBLIC KEY").
func ParseAdminPublicKey(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("admin public key: want a PEM \"PUBLIC KEY\" block")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("admin public key: %w", err)
	}
	pk, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("admin public key: %T is not Ed25519", k)
	}
	return pk, nil
}
