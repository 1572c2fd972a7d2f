package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/store"
)

// Stateless sessions. /auth stores nothing for a TEE of sessionTees: the
// session id (the kbs-session-id cookie, still a UUID v4 written as 32 hex
// digits, as upstream) carries the session's expiry and TEE, and the nonce
// is derived from the whole id with a key every replica shares:
//
//	id    = expiry (4 bytes, Unix seconds) | TEE index (1) | 82 random bits
//	        (with the UUID v4 version and variant bits)
//	nonce = base64(HMAC-SHA256(key, "trustgate kbs nonce v1\x00" | id))
//
// A client that changes the expiry or the TEE in its cookie gets another
// nonce, which its evidence does not bind: the cookie needs no MAC of its
// own, and a cookie the server did not mint never matches the runtime-data
// nonce of a request. /attest checks expiry and nonce, verifies, and
// records the nonce's single use in the same durable transaction as the
// decision and its audit row (store.UseSession): the session row, written
// once, is the replay cache, shared by all replicas and kept until the
// session expires. So a handshake costs two durable commits (attest and
// release decisions) and no others.
//
// A TEE that is not in sessionTees (one with no verifier here, or a name
// this build does not know) gets a stored session as before (index 0).

// sessionTees maps the TEE byte of a stateless session id to its name.
// Replicas of different versions read each other's ids: only append.
var sessionTees = []string{
	"", // 0: a stored session
	attest.TeeSample, attest.TeeSNP, attest.TeeTDX, attest.TeeAzSNPvTPM, attest.TeeAzTDXvTPM, attest.TeeSNPEmulated,
}

// nonceKeyName is the store's secret key (encrypted under the KEK) from
// which nonces are derived; replicas share it through the store.
const nonceKeyName = "kbs-session-nonce"

// maxClockSkew is how far into the future (beyond the session timeout) a
// session id's expiry may be and still name a session: replicas' clocks
// differ by less. Expired rows are kept as long past their expiry, so that
// a replica whose clock is behind never accepts a nonce whose row another
// replica has already deleted.
const maxClockSkew = time.Minute

func teeIndex(tee string) byte {
	for i, t := range sessionTees[1:] {
		if t == tee {
			return byte(i + 1)
		}
	}
	return 0
}

// sessionKey returns the nonce key, loading (or creating) it on first use.
type sessionKey struct {
	st  store.Store
	mu  sync.Mutex
	key []byte
}

func (k *sessionKey) get(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return k.key, nil
	}
	b, err := k.st.SecretKey(ctx, nonceKeyName, func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("session nonce key: %w", err)
	}
	if len(b) < 32 {
		return nil, fmt.Errorf("session nonce key: %d bytes stored, want 32", len(b))
	}
	k.key = b
	return b, nil
}

// newStatelessID returns a session id for tee (index > 0) expiring at exp
// (rounded up to the second).
func newStatelessID(idx byte, exp time.Time) ([16]byte, time.Time) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	secs := exp.Unix()
	if exp.Nanosecond() > 0 {
		secs++
	}
	binary.BigEndian.PutUint32(b[0:4], uint32(secs))
	b[4] = idx
	b[6] = (b[6] & 0x0f) | 0x40 // UUID v4
	b[8] = (b[8] & 0x3f) | 0x80
	return b, time.Unix(secs, 0)
}

// statelessSession decodes a valid session id (validSessionID). ok is
// false for a stored session (TEE index 0) and for an index this build
// does not know (a newer replica's: its nonce cannot match here).
func statelessSession(id string) (tee string, exp time.Time, b [16]byte, ok bool) {
	if _, err := hex.Decode(b[:], []byte(id)); err != nil || b[4] == 0 || int(b[4]) >= len(sessionTees) {
		return "", time.Time{}, b, false
	}
	return sessionTees[b[4]], time.Unix(int64(binary.BigEndian.Uint32(b[0:4])), 0), b, true
}

// sessionNonce derives a stateless session's nonce from its id.
func sessionNonce(key []byte, id [16]byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("trustgate kbs nonce v1\x00"))
	m.Write(id[:])
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
