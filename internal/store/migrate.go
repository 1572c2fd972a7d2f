package store

import (
	"context"
	"fmt"
)

// migrations are applied in order, each once, in its own transaction. Never
// edit a released entry: append a new one. Times are Unix nanoseconds
// (BIGINT) so both dialects store them the same way.
var migrations = []struct {
	sqlite, postgres string
}{
	{ // 1: initial schema
		sqlite: `
CREATE TABLE sessions (id TEXT PRIMARY KEY, nonce TEXT NOT NULL, tee TEXT NOT NULL, state TEXT NOT NULL, token TEXT NOT NULL, expires INTEGER NOT NULL);
CREATE INDEX sessions_expires ON sessions(expires);
CREATE TABLE resources (path TEXT PRIMARY KEY, kek_id TEXT NOT NULL, value BLOB NOT NULL, updated INTEGER NOT NULL);
CREATE TABLE policies (kind TEXT NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE reference_values (name TEXT PRIMARY KEY, value BLOB NOT NULL, expiration INTEGER NOT NULL);
CREATE TABLE secret_keys (name TEXT PRIMARY KEY, kek_id TEXT NOT NULL, value BLOB NOT NULL);
CREATE TABLE collateral (key TEXT PRIMARY KEY, value BLOB NOT NULL, updated INTEGER NOT NULL);
CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, event BLOB NOT NULL);
CREATE INDEX audit_at ON audit(at);`,
		postgres: `
CREATE TABLE sessions (id TEXT PRIMARY KEY, nonce TEXT NOT NULL, tee TEXT NOT NULL, state TEXT NOT NULL, token TEXT NOT NULL, expires BIGINT NOT NULL);
CREATE INDEX sessions_expires ON sessions(expires);
CREATE TABLE resources (path TEXT PRIMARY KEY, kek_id TEXT NOT NULL, value BYTEA NOT NULL, updated BIGINT NOT NULL);
CREATE TABLE policies (kind TEXT NOT NULL, id TEXT NOT NULL, body BYTEA NOT NULL, updated BIGINT NOT NULL, PRIMARY KEY (kind, id));
CREATE TABLE reference_values (name TEXT PRIMARY KEY, value BYTEA NOT NULL, expiration BIGINT NOT NULL);
CREATE TABLE secret_keys (name TEXT PRIMARY KEY, kek_id TEXT NOT NULL, value BYTEA NOT NULL);
CREATE TABLE collateral (key TEXT PRIMARY KEY, value BYTEA NOT NULL, updated BIGINT NOT NULL);
CREATE TABLE audit (id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, event BYTEA NOT NULL);
CREATE INDEX audit_at ON audit(at);`,
	},
}

// SchemaVersion is the schema version this build writes.
var SchemaVersion = len(migrations)

func (s *SQL) migrate(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if s.d == postgres {
		// Replicas starting together must not migrate twice.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7419001)`); err != nil {
			return fmt.Errorf("migrate: lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var cur int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if cur > len(migrations) {
		return fmt.Errorf("migrate: database schema version %d is newer than this trustee (%d); upgrade trustee", cur, len(migrations))
	}
	for v := cur + 1; v <= len(migrations); v++ {
		m := migrations[v-1].sqlite
		if s.d == postgres {
			m = migrations[v-1].postgres
		}
		if _, err := tx.ExecContext(ctx, m); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v, err)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO schema_migrations(version) VALUES (?)`), v); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
