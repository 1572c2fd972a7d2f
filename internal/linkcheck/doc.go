// Package linkcheck holds a test that lists the packages each small binary
// links (`go list -deps`) and fails when one links server-side code it must
// not: the KBS server, the attestation service, the store, OPA, SQLite or
// PostgreSQL drivers. It has no code of its own.
package linkcheck
