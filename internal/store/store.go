// Package store keeps everything trustee must remember: KBS sessions, the
// resources it releases (encrypted at rest under a key-encryption key),
// resource and attestation policies, reference values, the token signing
// key, cached verifier collateral and the audit log.
//
// One Store interface has one SQL implementation with two dialects: SQLite
// (modernc.org/sqlite, pure Go, WAL) for a single server with zero
// configuration, and PostgreSQL (pgx) for stateless replicas that share one
// database. Every write goes through a group-commit queue: writes that arrive
// while a transaction is committing are batched into the next one, so that
// durable audit (one fsync per commit) scales with concurrency instead of
// costing one fsync per request.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
)

// ErrNotFound is returned when a key is absent.
var ErrNotFound = errors.New("not found")

// Session states. A session starts Challenged (nonce issued), becomes
// Claimed when an attest request consumes its nonce, and Attested once a
// token was issued. A nonce is good for one attestation: a claimed session
// whose attestation failed cannot be attested again.
const (
	SessionChallenged = "challenged"
	SessionClaimed    = "claimed"
	SessionAttested   = "attested"
)

// Session is one KBS handshake (kbs-session-id cookie).
type Session struct {
	ID      string
	Nonce   string
	Tee     string
	State   string
	Token   string // set once attested
	Expires time.Time
}

// Claim outcomes of ClaimSession.
var (
	ErrSessionExpired = errors.New("session expired")
	ErrNonceUsed      = errors.New("nonce already used")
)

// Policy kinds.
const (
	PolicyResource    = "resource"
	PolicyAttestation = "attestation"
)

// ReferenceValue is one named set of acceptable values (RVPS).
type ReferenceValue struct {
	Name       string
	Values     []byte // JSON array
	Expiration time.Time
}

// AuditEntry is an audit event to write along with another change.
type AuditEntry struct {
	At    time.Time
	Event []byte // JSON, written by package audit
}

// AuditRecord is one stored audit event.
type AuditRecord struct {
	ID    int64
	Time  time.Time
	Event []byte // JSON, written by package audit
}

// Store is trustee's persistent state. Implementations are safe for
// concurrent use by many goroutines and by several processes sharing one
// database (PostgreSQL).
type Store interface {
	attest.Cache
	// Keys lists the cache keys with prefix, sorted, so that collateral
	// can be exported (collateral.Lister).
	Keys(ctx context.Context, prefix string) ([]string, error)

	// CreateSession stores a new challenged session, with audit rows in
	// the same transaction. Without audit rows the commit survives a
	// process crash but is not fsync'd: a power failure may lose the last
	// milliseconds of sessions (the guest runs /auth again) until the next
	// durable write. With audit rows it is durable: an audit row a
	// follower may have read is never lost, nor its id handed out again.
	CreateSession(ctx context.Context, s Session, audit ...AuditEntry) error
	// GetSession returns a session; ErrNotFound when absent or expired.
	GetSession(ctx context.Context, id string) (Session, error)
	// ClaimSession atomically moves a challenged, unexpired session to
	// claimed and returns it (committed like CreateSession). It returns ErrNotFound, ErrSessionExpired, or
	// ErrNonceUsed (with the session, whose State says whether a token is
	// already there) otherwise.
	ClaimSession(ctx context.Context, id string, now time.Time) (Session, error)
	// AttestSession stores the token of a claimed session, with audit rows
	// in the same (then durable) transaction.
	AttestSession(ctx context.Context, id, token string, audit ...AuditEntry) error
	// UseSession records the one use of a session trustee did not store
	// at /auth (a stateless session: its nonce is derived from its id),
	// in one durable transaction: it inserts s (State SessionAttested with
	// its Token, or SessionClaimed after a refused attestation) unless a
	// session with s.ID exists, and writes the audit rows that audit
	// returns for what it found: prev is nil when this use inserted s,
	// else the session stored by the use that came first (on any
	// replica), which is also returned. The row is the replay cache of
	// the nonce, kept until s.Expires. audit may run more than once and
	// must not have side effects.
	UseSession(ctx context.Context, s Session, audit func(prev *Session) ([]AuditEntry, error)) (prev *Session, err error)
	// DeleteExpiredSessions removes sessions that expired before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	// PutResource stores value (encrypted under the KEK) at path, with
	// audit rows in the same durable transaction.
	PutResource(ctx context.Context, path string, value []byte, audit ...AuditEntry) error
	// GetResource returns the decrypted value at path or ErrNotFound.
	GetResource(ctx context.Context, path string) ([]byte, error)
	// DeleteResource removes path, with audit rows in the same durable
	// transaction; ErrNotFound (and no audit rows) when absent.
	DeleteResource(ctx context.Context, path string, audit ...AuditEntry) error
	// ListResources returns resource paths, sorted. Never values.
	ListResources(ctx context.Context) ([]string, error)

	// PutPolicy stores a policy of kind (PolicyResource, PolicyAttestation) under
	// id, with audit rows in the same durable transaction.
	PutPolicy(ctx context.Context, kind, id string, body []byte, audit ...AuditEntry) error
	// GetPolicy returns a policy or ErrNotFound.
	GetPolicy(ctx context.Context, kind, id string) ([]byte, error)
	// ListPolicies returns the ids of kind, sorted.
	ListPolicies(ctx context.Context, kind string) ([]string, error)

	// PutReferenceValue stores (replaces) a reference value.
	PutReferenceValue(ctx context.Context, rv ReferenceValue) error
	// PutReferenceValues stores (replaces) reference values, with audit
	// rows, in one durable transaction: all or none.
	PutReferenceValues(ctx context.Context, rvs []ReferenceValue, audit ...AuditEntry) error
	// UpdateReferenceValue replaces the value stored under name with what
	// fn returns, atomically: fn gets the current value (nil when absent)
	// and no other update of name runs in between, on any replica. An
	// error from fn is returned and nothing is written. fn may run more
	// than once and must not have side effects.
	UpdateReferenceValue(ctx context.Context, name string, fn func(cur *ReferenceValue) (ReferenceValue, error)) error
	// GetReferenceValue returns a reference value or ErrNotFound; it does
	// not filter expired values (package rvps does).
	GetReferenceValue(ctx context.Context, name string) (ReferenceValue, error)
	// ListReferenceValues returns all reference values, sorted by name.
	ListReferenceValues(ctx context.Context) ([]ReferenceValue, error)
	// DeleteReferenceValue removes a reference value, with audit rows in the
	// same durable transaction; ErrNotFound (and no audit rows) when absent.
	DeleteReferenceValue(ctx context.Context, name string, audit ...AuditEntry) error

	// SecretKey returns the secret key material stored under name
	// (encrypted under the KEK), creating it with gen on first use. Replicas
	// racing to create it all end up with the first one written.
	SecretKey(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)

	// AppendAudit stores an audit event durably (committed and synced)
	// before it returns.
	AppendAudit(ctx context.Context, at time.Time, event []byte) (int64, error)
	// AuditSince returns events with ID > afterID and time >= since
	// (zero: any), oldest first, at most limit.
	AuditSince(ctx context.Context, afterID int64, since time.Time, limit int) ([]AuditRecord, error)

	// PruneAudit deletes audit events older than before, in batches, and
	// returns how many it deleted.
	PruneAudit(ctx context.Context, before time.Time) (int64, error)

	// RotateKEK re-encrypts every secret under newKEK and makes it current.
	RotateKEK(ctx context.Context, newKEK []byte) error

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close flushes pending writes and closes the database.
	Close() error
}
