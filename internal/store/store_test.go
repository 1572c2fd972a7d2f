package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustgate/trustgate/internal/testenv"
)

func key(t testing.TB) []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

// backends opens each dialect: SQLite always, PostgreSQL when
// TRUSTGATE_TEST_POSTGRES is set (required under CI).
func backends(t *testing.T) map[string]func(t *testing.T, kek []byte) *SQL {
	return map[string]func(t *testing.T, kek []byte) *SQL{
		"sqlite": func(t *testing.T, kek []byte) *SQL {
			s, err := Open(context.Background(), Options{URL: filepath.Join(t.TempDir(), "t.db"), KEK: kek})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		"postgres": func(t *testing.T, kek []byte) *SQL {
			return OpenTestPostgres(t, kek)
		},
	}
}

// OpenTestPostgres opens a fresh schema in the test PostgreSQL.
func OpenTestPostgres(t *testing.T, kek []byte) *SQL {
	t.Helper()
	u := testenv.Require(t, testenv.PostgresURL)
	url := testenv.PostgresSchema(t, u)
	s, err := Open(context.Background(), Options{URL: url, KEK: kek})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			kek := key(t)
			s := open(t, kek)
			ctx := context.Background()

			t.Run("sessions", func(t *testing.T) {
				now := time.Now()
				if err := s.CreateSession(ctx, Session{ID: "a", Nonce: "n", Tee: "sample", Expires: now.Add(time.Minute)}); err != nil {
					t.Fatal(err)
				}
				if err := s.CreateSession(ctx, Session{ID: "old", Nonce: "n2", Tee: "sample", Expires: now.Add(-time.Second)}); err != nil {
					t.Fatal(err)
				}
				if _, err := s.GetSession(ctx, "old"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("expired session: %v", err)
				}
				if _, err := s.ClaimSession(ctx, "old", now); !errors.Is(err, ErrSessionExpired) {
					t.Fatalf("claim expired: %v", err)
				}
				if _, err := s.ClaimSession(ctx, "missing", now); !errors.Is(err, ErrNotFound) {
					t.Fatalf("claim missing: %v", err)
				}
				ss, err := s.ClaimSession(ctx, "a", now)
				if err != nil || ss.Nonce != "n" || ss.State != SessionClaimed {
					t.Fatalf("claim: %+v %v", ss, err)
				}
				if _, err := s.ClaimSession(ctx, "a", now); !errors.Is(err, ErrNonceUsed) {
					t.Fatalf("second claim: %v", err)
				}
				if err := s.AttestSession(ctx, "a", "tok"); err != nil {
					t.Fatal(err)
				}
				ss, err = s.ClaimSession(ctx, "a", now)
				if !errors.Is(err, ErrNonceUsed) || ss.State != SessionAttested || ss.Token != "tok" {
					t.Fatalf("claim attested: %+v %v", ss, err)
				}
				n, err := s.DeleteExpiredSessions(ctx, now)
				if err != nil || n != 1 {
					t.Fatalf("delete expired: %d %v", n, err)
				}
			})

			t.Run("admin writes carry their audit rows", func(t *testing.T) {
				count := func() int {
					evs, err := s.AuditSince(ctx, 0, time.Time{}, 0)
					if err != nil {
						t.Fatal(err)
					}
					n := 0
					for _, e := range evs {
						if string(e.Event) == `{"kind":"admin-write"}` {
							n++
						}
					}
					return n
				}
				ent := AuditEntry{At: time.Now(), Event: []byte(`{"kind":"admin-write"}`)}
				before := count()
				if err := s.PutResource(ctx, "audited/r/1", []byte("v"), ent); err != nil {
					t.Fatal(err)
				}
				if err := s.PutPolicy(ctx, PolicyAttestation, "audited_cpu", []byte("package policy"), ent); err != nil {
					t.Fatal(err)
				}
				if err := s.DeleteResource(ctx, "audited/r/1", ent); err != nil {
					t.Fatal(err)
				}
				// A delete of nothing writes no audit row.
				if err := s.DeleteResource(ctx, "audited/r/1", ent); !errors.Is(err, ErrNotFound) {
					t.Fatalf("second delete: %v", err)
				}
				exp := time.Now().Add(time.Hour)
				if err := s.PutReferenceValues(ctx, []ReferenceValue{{Name: "audited1", Values: []byte(`["a"]`), Expiration: exp}, {Name: "audited2", Values: []byte(`["b"]`), Expiration: exp}}, ent); err != nil {
					t.Fatal(err)
				}
				if rv, err := s.GetReferenceValue(ctx, "audited2"); err != nil || string(rv.Values) != `["b"]` {
					t.Fatalf("audited2: %s %v", rv.Values, err)
				}
				if err := s.DeleteReferenceValue(ctx, "audited1", ent); err != nil {
					t.Fatal(err)
				}
				if err := s.DeleteReferenceValue(ctx, "audited1", ent); !errors.Is(err, ErrNotFound) {
					t.Fatalf("second delete: %v", err)
				}
				if n := count() - before; n != 5 {
					t.Fatalf("%d audit rows for 5 admin writes", n)
				}
				if err := s.DeleteReferenceValue(ctx, "audited2"); err != nil {
					t.Fatal(err)
				}
			})
			t.Run("session writes carry audit rows; lazy and durable writes mix", func(t *testing.T) {
				before, _ := s.AuditSince(ctx, 0, time.Time{}, 0)
				var wg sync.WaitGroup
				errs := make(chan error, 300)
				for i := range 100 {
					wg.Add(3)
					id := fmt.Sprintf("mix%d", i)
					go func() {
						defer wg.Done()
						errs <- s.CreateSession(ctx, Session{ID: id, Nonce: "n", Tee: "sample", Expires: time.Now().Add(time.Minute)},
							AuditEntry{At: time.Now(), Event: []byte(`{"kind":"auth"}`)})
					}()
					go func() {
						defer wg.Done()
						errs <- s.CreateSession(ctx, Session{ID: id + "-lazy", Nonce: "n", Tee: "sample", Expires: time.Now().Add(time.Minute)})
					}()
					go func() {
						defer wg.Done()
						_, err := s.AppendAudit(ctx, time.Now(), []byte(`{"kind":"x"}`))
						errs <- err
					}()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				if _, err := s.ClaimSession(ctx, "mix7", time.Now()); err != nil {
					t.Fatal(err)
				}
				if err := s.AttestSession(ctx, "mix7", "tok", AuditEntry{At: time.Now(), Event: []byte(`{"kind":"attest"}`)}); err != nil {
					t.Fatal(err)
				}
				// Not claimed: no token stored and no audit row written.
				if err := s.AttestSession(ctx, "mix8", "tok", AuditEntry{At: time.Now(), Event: []byte(`{"kind":"attest"}`)}); !errors.Is(err, ErrNotFound) {
					t.Fatal(err)
				}
				after, _ := s.AuditSince(ctx, 0, time.Time{}, 0)
				if len(after)-len(before) != 201 {
					t.Fatalf("%d audit rows added, want 201", len(after)-len(before))
				}
				if _, err := s.GetSession(ctx, "mix3-lazy"); err != nil {
					t.Fatal(err)
				}
			})

			t.Run("concurrent claims: one nonce, one winner", func(t *testing.T) {
				if err := s.CreateSession(ctx, Session{ID: "race", Nonce: "n", Tee: "sample", Expires: time.Now().Add(time.Minute)}); err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				var mu sync.Mutex
				wins := 0
				for range 16 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := s.ClaimSession(ctx, "race", time.Now()); err == nil {
							mu.Lock()
							wins++
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				if wins != 1 {
					t.Fatalf("%d claims won", wins)
				}
			})

			t.Run("stateless sessions: one use per nonce, audit by outcome", func(t *testing.T) {
				exp := time.Now().Add(time.Minute)
				before, err := s.AuditSince(ctx, 0, time.Time{}, 100000)
				if err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				var mu sync.Mutex
				var wins, losses int
				seen := map[string]int{}
				for i := range 16 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						tok := fmt.Sprintf("tok%d", i)
						prev, err := s.UseSession(ctx, Session{ID: "use", Nonce: "n", Tee: "sample", State: SessionAttested, Token: tok, Expires: exp},
							func(prev *Session) ([]AuditEntry, error) {
								ev := `{"won":"` + tok + `"}`
								if prev != nil {
									ev = `{"lost":"` + tok + `","to":"` + prev.Token + `"}`
								}
								return []AuditEntry{{At: time.Now(), Event: []byte(ev)}}, nil
							})
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err != nil:
							t.Error(err)
						case prev == nil:
							wins++
						default:
							losses++
							seen[prev.Token]++
							if prev.State != SessionAttested || !prev.Expires.Equal(time.Unix(0, exp.UnixNano())) {
								t.Errorf("prev %+v", prev)
							}
						}
					}()
				}
				wg.Wait()
				if wins != 1 || losses != 15 || len(seen) != 1 {
					t.Fatalf("%d uses won, %d lost, tokens seen by the losers %v", wins, losses, seen)
				}
				after, err := s.AuditSince(ctx, 0, time.Time{}, 100000)
				if err != nil {
					t.Fatal(err)
				}
				won, lost := 0, 0
				for _, r := range after[len(before):] {
					switch {
					case bytes.HasPrefix(r.Event, []byte(`{"won"`)):
						won++
					case bytes.HasPrefix(r.Event, []byte(`{"lost"`)):
						lost++
					}
				}
				if won != 1 || lost != 15 {
					t.Fatalf("audit rows: %d won, %d lost", won, lost)
				}
				ss, err := s.GetSession(ctx, "use")
				if err != nil || ss.State != SessionAttested || seen[ss.Token] != 15 {
					t.Fatalf("stored %+v %v", ss, err)
				}
				// An audit row that cannot be built: nothing is written,
				// the nonce is not used.
				if _, err := s.UseSession(ctx, Session{ID: "use2", Tee: "sample", State: SessionClaimed, Expires: exp},
					func(*Session) ([]AuditEntry, error) { return nil, errors.New("no audit") }); err == nil {
					t.Fatal("use without its audit row succeeded")
				}
				if _, err := s.GetSession(ctx, "use2"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("session stored without its audit row: %v", err)
				}
			})

			t.Run("resources", func(t *testing.T) {
				secret := []byte("canary-secret-value-7f3a")
				if err := s.PutResource(ctx, "default/key/1", secret); err != nil {
					t.Fatal(err)
				}
				got, err := s.GetResource(ctx, "default/key/1")
				if err != nil || !bytes.Equal(got, secret) {
					t.Fatalf("get: %q %v", got, err)
				}
				var raw []byte
				if err := s.r.QueryRow(s.rebind(`SELECT value FROM resources WHERE path = ?`), "default/key/1").Scan(&raw); err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(raw, secret) {
					t.Fatal("resource stored in plaintext")
				}
				if err := s.PutResource(ctx, "default/key/2", []byte("x")); err != nil {
					t.Fatal(err)
				}
				l, err := s.ListResources(ctx)
				if err != nil || strings.Join(l, ",") != "default/key/1,default/key/2" {
					t.Fatalf("list: %v %v", l, err)
				}
				if err := s.DeleteResource(ctx, "default/key/2"); err != nil {
					t.Fatal(err)
				}
				if err := s.DeleteResource(ctx, "default/key/2"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("second delete: %v", err)
				}
				if _, err := s.GetResource(ctx, "default/key/2"); !errors.Is(err, ErrNotFound) {
					t.Fatalf("get deleted: %v", err)
				}
				// A ciphertext moved to another row does not decrypt (AAD binds the path).
				if _, err := s.w.Exec(s.rebind(`INSERT INTO resources(path, kek_id, value, updated) VALUES (?,?,?,0)`), "default/key/moved", s.KEKID(), raw); err != nil {
					t.Fatal(err)
				}
				if _, err := s.GetResource(ctx, "default/key/moved"); err == nil || strings.Contains(err.Error(), string(secret)) {
					t.Fatalf("moved ciphertext: %v", err)
				}
				if err := s.DeleteResource(ctx, "default/key/moved"); err != nil {
					t.Fatal(err)
				}
			})

			t.Run("secret key and rotation", func(t *testing.T) {
				k1, err := s.SecretKey(ctx, "ear", func() ([]byte, error) { return []byte("k1"), nil })
				if err != nil || string(k1) != "k1" {
					t.Fatalf("%q %v", k1, err)
				}
				k2, err := s.SecretKey(ctx, "ear", func() ([]byte, error) { return []byte("k2"), nil })
				if err != nil || string(k2) != "k1" {
					t.Fatalf("second: %q %v", k2, err)
				}
				old := s.KEKID()
				nk := key(t)
				if err := s.RotateKEK(ctx, nk); err != nil {
					t.Fatal(err)
				}
				if s.KEKID() == old {
					t.Fatal("kek id unchanged")
				}
				got, err := s.GetResource(ctx, "default/key/1")
				if err != nil || string(got) != "canary-secret-value-7f3a" {
					t.Fatalf("after rotation: %q %v", got, err)
				}
				if k, err := s.SecretKey(ctx, "ear", nil); err != nil || string(k) != "k1" {
					t.Fatalf("key after rotation: %q %v", k, err)
				}
			})

			t.Run("policies and reference values", func(t *testing.T) {
				if err := s.PutPolicy(ctx, PolicyResource, "default", []byte("package policy")); err != nil {
					t.Fatal(err)
				}
				if b, err := s.GetPolicy(ctx, PolicyResource, "default"); err != nil || string(b) != "package policy" {
					t.Fatalf("%q %v", b, err)
				}
				if _, err := s.GetPolicy(ctx, PolicyAttestation, "default"); !errors.Is(err, ErrNotFound) {
					t.Fatal(err)
				}
				exp := time.Now().Add(time.Hour).Truncate(time.Microsecond)
				if err := s.PutReferenceValue(ctx, ReferenceValue{Name: "m", Values: []byte(`["a"]`), Expiration: exp}); err != nil {
					t.Fatal(err)
				}
				rv, err := s.GetReferenceValue(ctx, "m")
				if err != nil || string(rv.Values) != `["a"]` || !rv.Expiration.Equal(exp) {
					t.Fatalf("%+v %v", rv, err)
				}
				l, err := s.ListReferenceValues(ctx)
				if err != nil || len(l) != 1 {
					t.Fatalf("%v %v", l, err)
				}
				if err := s.DeleteReferenceValue(ctx, "m"); err != nil {
					t.Fatal(err)
				}
				if _, err := s.GetReferenceValue(ctx, "m"); !errors.Is(err, ErrNotFound) {
					t.Fatal(err)
				}
			})

			t.Run("collateral cache", func(t *testing.T) {
				if _, ok, err := s.Get(ctx, "vcek"); ok || err != nil {
					t.Fatal(ok, err)
				}
				if err := s.Put(ctx, "vcek", []byte("der")); err != nil {
					t.Fatal(err)
				}
				if v, ok, err := s.Get(ctx, "vcek"); !ok || err != nil || string(v) != "der" {
					t.Fatal(v, ok, err)
				}
				// Keys lists by literal prefix: '%' and '_' are not wildcards.
				for _, k := range []string{"collateral/https://b", "collateral/https://a", "collateral_x", "collateral%/y"} {
					if err := s.Put(ctx, k, []byte("v")); err != nil {
						t.Fatal(err)
					}
				}
				keys, err := s.Keys(ctx, "collateral/")
				if err != nil || strings.Join(keys, " ") != "collateral/https://a collateral/https://b" {
					t.Fatalf("Keys: %q %v", keys, err)
				}
				if keys, err := s.Keys(ctx, ""); err != nil || len(keys) != 5 {
					t.Fatalf("Keys(\"\"): %q %v", keys, err)
				}
			})

			t.Run("audit group commit", func(t *testing.T) {
				start := time.Now()
				var wg sync.WaitGroup
				errs := make(chan error, 200)
				for i := range 200 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, err := s.AppendAudit(ctx, time.Now(), []byte(fmt.Sprintf(`{"i":%d}`, i)))
						errs <- err
					}()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				recs, err := s.AuditSince(ctx, 0, start, 0)
				if err != nil || len(recs) != 200 {
					t.Fatalf("%d %v", len(recs), err)
				}
				more, err := s.AuditSince(ctx, recs[99].ID, time.Time{}, 0)
				if err != nil || len(more) != 100 {
					t.Fatalf("after id: %d %v", len(more), err)
				}
			})

			t.Run("prune audit", func(t *testing.T) {
				old := time.Now().Add(-48 * time.Hour)
				defer func(b int) { pruneBatch = b }(pruneBatch)
				pruneBatch = 5 // 13 rows: three batches
				for range 13 {
					if _, err := s.AppendAudit(ctx, old, []byte(`{"old":true}`)); err != nil {
						t.Fatal(err)
					}
				}
				keep, err := s.AppendAudit(ctx, time.Now(), []byte(`{"old":false}`))
				if err != nil {
					t.Fatal(err)
				}
				n, err := s.PruneAudit(ctx, time.Now().Add(-24*time.Hour))
				if err != nil || n != 13 {
					t.Fatalf("pruned %d: %v", n, err)
				}
				recs, _ := s.AuditSince(ctx, 0, time.Time{}, 0)
				for _, r := range recs {
					if strings.Contains(string(r.Event), `"old":true`) {
						t.Fatalf("old event %d kept", r.ID)
					}
				}
				if recs[len(recs)-1].ID != keep {
					t.Fatal("recent event pruned")
				}
			})
		})
	}
}

func TestWrongKEKRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.db")
	ctx := context.Background()
	s, err := Open(ctx, Options{URL: p, KEK: key(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutResource(ctx, "a/b/c", []byte("v")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, Options{URL: p, KEK: key(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.GetResource(ctx, "a/b/c"); err == nil || !strings.Contains(err.Error(), "key-encryption key") {
		t.Fatalf("wrong kek: %v", err)
	}
	if err := s.RotateKEK(ctx, key(t)); err == nil {
		t.Fatal("rotation with rows under an unknown KEK succeeded")
	}
	if _, err := Open(ctx, Options{URL: p, KEK: []byte("short")}); err == nil {
		t.Fatal("short KEK accepted")
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("db mode: %v %v", fi.Mode(), err)
	}
}

// TestRotateKEKDuringWrites rotates while resources are being written: every
// row stays readable under the new key.
func TestRotateKEKDuringWrites(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Options{URL: filepath.Join(t.TempDir(), "t.db"), KEK: key(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if err := s.PutResource(ctx, fmt.Sprintf("r/w%d/%d", w, i), []byte("v")); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 3 {
		if err := s.RotateKEK(ctx, key(t)); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	l, _ := s.ListResources(ctx)
	for _, p := range l {
		if _, err := s.GetResource(ctx, p); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	if len(l) != 400 {
		t.Fatalf("%d rows", len(l))
	}
}

// TestUpdateReferenceValueReplicas: two stores on one database (two
// replicas) add values to one name concurrently; every value survives,
// because each update reads and writes under the row lock. An update whose
// function fails writes nothing, not even the row it had to lock.
func TestUpdateReferenceValueReplicas(t *testing.T) {
	two := func(t *testing.T, url string) (*SQL, *SQL) {
		kek := key(t)
		var out [2]*SQL
		for i := range out {
			s, err := Open(context.Background(), Options{URL: url, KEK: kek})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			out[i] = s
		}
		return out[0], out[1]
	}
	pair := map[string]func(t *testing.T) (*SQL, *SQL){
		"sqlite": func(t *testing.T) (*SQL, *SQL) { return two(t, filepath.Join(t.TempDir(), "t.db")) },
		"postgres": func(t *testing.T) (*SQL, *SQL) {
			return two(t, testenv.PostgresSchema(t, testenv.Require(t, testenv.PostgresURL)))
		},
	}
	for name, open := range pair {
		t.Run(name, func(t *testing.T) {
			a, b := open(t)
			ctx := context.Background()
			add := func(v string) func(cur *ReferenceValue) (ReferenceValue, error) {
				return func(cur *ReferenceValue) (ReferenceValue, error) {
					var vals []string
					if cur != nil {
						if err := json.Unmarshal(cur.Values, &vals); err != nil {
							return ReferenceValue{}, err
						}
					}
					vals = append(vals, v)
					out, _ := json.Marshal(vals)
					return ReferenceValue{Name: "init_data", Values: out, Expiration: time.Now().Add(time.Hour)}, nil
				}
			}
			var wg sync.WaitGroup
			errs := make(chan error, 40)
			for i := range 40 {
				s := a
				if i%2 == 1 {
					s = b
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- s.UpdateReferenceValue(ctx, "init_data", add(fmt.Sprintf("v%02d", i)))
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			rv, err := b.GetReferenceValue(ctx, "init_data")
			if err != nil {
				t.Fatal(err)
			}
			var vals []string
			if err := json.Unmarshal(rv.Values, &vals); err != nil || len(vals) != 40 {
				t.Fatalf("%d values after 40 concurrent adds (lost updates): %s %v", len(vals), rv.Values, err)
			}

			boom := errors.New("refused")
			if err := a.UpdateReferenceValue(ctx, "other", func(*ReferenceValue) (ReferenceValue, error) { return ReferenceValue{}, boom }); !errors.Is(err, boom) {
				t.Fatalf("fn error: %v", err)
			}
			if _, err := a.GetReferenceValue(ctx, "other"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("failed update left a row: %v", err)
			}
		})
	}
}
