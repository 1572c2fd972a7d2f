// Package storetest opens a throw-away store for tests: SQLite in the
// test's temporary directory, under a random key-encryption key, closed
// when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/trustgate/trustgate/internal/store"
)

// Open returns a new, empty store that t closes at its end.
func Open(t testing.TB) *store.SQL {
	t.Helper()
	kek := make([]byte, 32)
	_, _ = rand.Read(kek)
	st, err := store.Open(context.Background(), store.Options{URL: filepath.Join(t.TempDir(), "trustee.db"), KEK: kek})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
