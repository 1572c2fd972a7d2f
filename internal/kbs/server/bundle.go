package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/refvalue"
	"github.com/trustgate/trustgate/internal/store"
)

// This file holds trustgate's extensions to the admin API, none of them
// upstream: collateral export/import for air-gapped sites, import of
// cocofy's offline bundles (format and validation: kbsadmin.Bundle,
// kbsadmin.ParseBundle), and the two public keys trustee publishes (the
// token verification key and the bundle import key).

// DefaultMaxImportBody bounds the body of a collateral or bundle import
// (MaxBody, 2 MiB by default, is for protocol requests).
const DefaultMaxImportBody = 32 << 20

// ---- handlers ----

// readImportBody reads at most MaxImportBody bytes.
func (s *Server) readImportBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	return readBodyMax(w, r, s.cfg.MaxImportBody)
}

// handleImport stores the resources of a cocofy bundle and merges its
// reference values into the stored ones. Nothing is stored unless the
// whole bundle is valid.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Action: "import"}
	body, err := s.readImportBody(w, r)
	if err != nil {
		s.adminFail(w, r, ev, err)
		return
	}
	bundle, resources, err := kbsadmin.ParseBundle(body, s.cfg.ImportKey)
	if err != nil {
		ev.Check = "import bundle: format"
		s.adminFail(w, r, ev, kbs.Errorf(kbs.SerdeError, "import bundle: %v", err))
		return
	}
	res := kbsadmin.ImportResult{Resources: make([]string, 0, len(resources)), ReferenceValues: []string{}}
	for path := range resources {
		res.Resources = append(res.Resources, path)
	}
	sort.Strings(res.Resources)
	ev.Resource = boundPath(strings.Join(res.Resources, ","))
	for _, path := range res.Resources {
		if err := s.cfg.Store.PutResource(r.Context(), path, resources[path]); err != nil {
			ev.Reason = "store unavailable while writing " + path + " (earlier resources of the bundle were stored; import it again)"
			s.adminFail(w, r, ev, storeErr(err))
			return
		}
	}
	for _, rv := range bundle.ReferenceValues {
		if err := s.mergeReferenceValue(r.Context(), rv); err != nil {
			ev.Reason = "store unavailable while merging reference value " + rv.Name + " (import the bundle again)"
			s.adminFail(w, r, ev, storeErr(err))
			return
		}
		res.ReferenceValues = append(res.ReferenceValues, rv.Name)
	}
	ev.Reason = fmt.Sprintf("imported %d resources, %d reference values (%s)", len(res.Resources), len(res.ReferenceValues), strings.Join(res.ReferenceValues, ","))
	s.adminDone(w, r, ev, res)
}

// mergeReferenceValue adds rv's values to those stored under its name
// (several workloads register init_data digests under one name). An expired
// entry is replaced, not extended: its values must not come back to life.
// The expiry becomes the later of the stored one and the default. The store
// applies the read and the write atomically, so concurrent imports, on this
// or another replica, do not lose each other's values. This replica's RVPS
// answers from its cache for up to its CacheTTL (1 s), as for writes made
// through another replica.
func (s *Server) mergeReferenceValue(ctx context.Context, rv kbsadmin.BundleReferenceValue) error {
	return s.cfg.Store.UpdateReferenceValue(ctx, rv.Name, func(cur *store.ReferenceValue) (store.ReferenceValue, error) {
		now := s.cfg.Now()
		exp := now.Add(refvalue.DefaultExpiry)
		var values []any
		seen := map[string]bool{}
		add := func(v any) {
			k, err := json.Marshal(v)
			if err != nil || seen[string(k)] {
				return
			}
			seen[string(k)] = true
			values = append(values, v)
		}
		if cur != nil && now.Before(cur.Expiration) {
			var old []any
			if err := json.Unmarshal(cur.Values, &old); err != nil {
				return store.ReferenceValue{}, fmt.Errorf("stored reference value %s is corrupt: %w", rv.Name, err)
			}
			for _, v := range old {
				add(v)
			}
			if cur.Expiration.After(exp) {
				exp = cur.Expiration
			}
		}
		for _, v := range rv.Values {
			add(v)
		}
		b, err := json.Marshal(values)
		if err != nil {
			return store.ReferenceValue{}, err
		}
		return store.ReferenceValue{Name: rv.Name, Values: b, Expiration: exp}, nil
	})
}

// handleExportCollateral answers the collateral cache as a bundle
// (collateral.Export): public vendor certificates, CRLs, TCB info.
func (s *Server) handleExportCollateral(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	n, err := collateral.Export(r.Context(), s.cfg.Store, &buf)
	if err != nil {
		s.adminFail(w, r, audit.Event{Action: "export-collateral"}, storeErr(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Trustgate-Collateral-Entries", fmt.Sprint(n))
	_, _ = w.Write(buf.Bytes())
}

// handleImportCollateral stores a collateral bundle in the cache. The bundle
// is validated as a whole first (collateral.ParseBundle): a malformed one
// stores nothing. Its contents are still verified against the vendor roots
// whenever a verifier uses them.
func (s *Server) handleImportCollateral(w http.ResponseWriter, r *http.Request) {
	ev := audit.Event{Action: "import-collateral"}
	body, err := s.readImportBody(w, r)
	if err != nil {
		s.adminFail(w, r, ev, err)
		return
	}
	if _, err := collateral.ParseBundle(body); err != nil {
		ev.Check = "collateral bundle: format"
		s.adminFail(w, r, ev, kbs.Errorf(kbs.SerdeError, "%v", err))
		return
	}
	n, err := collateral.Import(r.Context(), s.cfg.Store, bytes.NewReader(body))
	if err != nil {
		s.adminFail(w, r, ev, storeErr(err))
		return
	}
	ev.Reason = fmt.Sprintf("imported %d collateral entries", n)
	// adminDone's audit write is durable (fsync'd) and commits after the
	// cache writes, which makes them durable too.
	s.adminDone(w, r, ev, kbsadmin.CollateralImportResult{Imported: n})
}

// handlePublicKey serves a public key as PEM (SubjectPublicKeyInfo). Both
// keys it is used for are safe to publish; the endpoints need no token.
// handleTokenKey serves the current token verification key (PEM).
func (s *Server) handleTokenKey(w http.ResponseWriter, r *http.Request) {
	keys := s.cfg.Tokens.Keys()
	var key *ecdsa.PublicKey
	if len(keys) > 0 {
		key = keys[0].Key
	}
	handlePublicKey(key, "token key")(w, r)
}

// handleTokenKeys serves every token verification key as a JWKS: the
// current key first, then the previous one while its tokens may still be
// valid (with "exp", when it stops verifying).
func (s *Server) handleTokenKeys(w http.ResponseWriter, _ *http.Request) {
	b, err := ear.JWKS(s.cfg.Tokens.Keys())
	if err != nil {
		s.log.Error("encode JWKS", "err", err)
		kbs.WriteError(w, kbs.Errorf(kbs.InternalError, "token keys unavailable"))
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "max-age=1")
	_, _ = w.Write(b)
}

func handlePublicKey(key *ecdsa.PublicKey, what string) http.HandlerFunc {
	var body []byte
	if key != nil {
		body, _ = ear.MarshalPublicKey(key)
	}
	return func(w http.ResponseWriter, _ *http.Request) {
		if body == nil {
			kbs.WriteError(w, kbs.Errorf(kbs.PluginNotFound, "this trustee has no %s", what))
			return
		}
		w.Header().Set("Content-Type", "application/x-pem-file")
		_, _ = w.Write(body)
	}
}
