package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/trustgate/trustgate/internal/attest/collateral"
	"github.com/trustgate/trustgate/internal/audit"
	"github.com/trustgate/trustgate/internal/ear"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/refvalue"
	"github.com/trustgate/trustgate/internal/store"
)

// This file holds trustgate's extensions to the admin API, none of them
// upstream: collateral export/import for air-gapped sites, import of
// cocofy's offline bundles, and the two public keys trustee publishes (the
// token verification key and the bundle import key).

// DefaultMaxImportBody bounds the body of a collateral or bundle import
// (MaxBody, 2 MiB by default, is for protocol requests).
const DefaultMaxImportBody = 32 << 20

// BundleFormat is the format of cocofy's offline bundles.
const BundleFormat = "trustgate-bundle/v1"

// bundleContentType is the JWE "cty" of an encrypted bundle.
const bundleContentType = BundleFormat + "+json"

// Limits on a bundle's contents (the body limit bounds the total).
const (
	maxBundleResources = 10000
	maxBundleRefValues = 1000
	maxRefValuesPerKey = 10000
)

// ImportBundle is cocofy's offline bundle (`cocofy apply --offline`): the
// resources and reference values it would have uploaded.
type ImportBundle struct {
	Format          string                 `json:"format"`
	Resources       []ImportResource       `json:"resources"`
	ReferenceValues []ImportReferenceValue `json:"reference_values"`
}

// ImportResource is one resource of an ImportBundle; Value is standard
// base64.
type ImportResource struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

// ImportReferenceValue is one reference value of an ImportBundle; its
// values are added to those already stored under Name. TEE, optional,
// names the TEE the values are for: an init_data digest must be bound in
// full by it, or by every hardware TEE when it is empty
// (refvalue.ValidateInitDataDigest). It is not stored.
type ImportReferenceValue struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
	TEE    string   `json:"tee,omitempty"`
}

// ImportResult is the answer of POST /kbs/v0/import.
type ImportResult struct {
	Resources       []string `json:"resources"`
	ReferenceValues []string `json:"reference_values"`
}

// CollateralImportResult is the answer of POST /kbs/v0/collateral.
type CollateralImportResult struct {
	Imported int `json:"imported"`
}

// parsedBundle is a validated bundle with decoded values.
type parsedBundle struct {
	resources map[string][]byte
	rvs       []ImportReferenceValue
}

// ParseImportBundle decodes and validates a bundle: plain JSON (it starts
// with "{") or a compact JWE (ECDH-ES+A256KW, A256GCM) encrypted to key,
// the import key. Every field is checked before anything is stored.
func ParseImportBundle(data []byte, key *ecdsa.PrivateKey) (*ImportBundle, error) {
	b, _, err := parseBundle(data, key)
	return b, err
}

func parseBundle(data []byte, key *ecdsa.PrivateKey) (*ImportBundle, *parsedBundle, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, nil, errors.New("empty bundle")
	}
	if data[0] != '{' {
		plain, err := decryptBundle(string(data), key)
		if err != nil {
			return nil, nil, err
		}
		data = bytes.TrimSpace(plain)
		if len(data) == 0 || data[0] != '{' {
			return nil, nil, errors.New("decrypted bundle is not a JSON object")
		}
	}
	var b ImportBundle
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, nil, fmt.Errorf("decode bundle: %w", err)
	}
	if dec.More() {
		return nil, nil, errors.New("trailing data after the bundle")
	}
	if b.Format != BundleFormat {
		return nil, nil, fmt.Errorf("bundle format %q, want %q", b.Format, BundleFormat)
	}
	if len(b.Resources) > maxBundleResources || len(b.ReferenceValues) > maxBundleRefValues {
		return nil, nil, fmt.Errorf("bundle holds more than %d resources or %d reference values", maxBundleResources, maxBundleRefValues)
	}
	p := &parsedBundle{resources: map[string][]byte{}}
	for i, r := range b.Resources {
		rp, err := kbs.ParseResourcePath(r.Path)
		if err != nil {
			return nil, nil, fmt.Errorf("resource %d: path %q is not REPO/TYPE/TAG", i, boundPath(r.Path))
		}
		if _, dup := p.resources[rp.String()]; dup {
			return nil, nil, fmt.Errorf("resource %s appears twice", rp)
		}
		v, err := base64.StdEncoding.DecodeString(r.Value)
		if err != nil {
			return nil, nil, fmt.Errorf("resource %s: value is not standard base64", rp)
		}
		p.resources[rp.String()] = v
	}
	seen := map[string]bool{}
	for i, rv := range b.ReferenceValues {
		if err := checkRefName(rv.Name); err != nil {
			return nil, nil, fmt.Errorf("reference value %d: %w", i, err)
		}
		if seen[rv.Name] {
			return nil, nil, fmt.Errorf("reference value %s appears twice", rv.Name)
		}
		seen[rv.Name] = true
		if len(rv.Values) == 0 || len(rv.Values) > maxRefValuesPerKey {
			return nil, nil, fmt.Errorf("reference value %s: want 1..%d values", rv.Name, maxRefValuesPerKey)
		}
		vals := make([]any, len(rv.Values))
		for i, v := range rv.Values {
			vals[i] = v
		}
		// A value in a format the default policy can never match is
		// refused now, not silently never affirming later.
		if err := refvalue.ValidateValueFor(rv.TEE, rv.Name, vals); err != nil {
			return nil, nil, err
		}
		p.rvs = append(p.rvs, rv)
	}
	return &b, p, nil
}

// checkRefName mirrors the RVPS rule: 1..256 printable ASCII, no spaces.
func checkRefName(name string) error {
	if name == "" || len(name) > 256 {
		return errors.New("name must be 1..256 bytes")
	}
	for _, c := range name {
		if c < 0x21 || c > 0x7e {
			return fmt.Errorf("name %q must be printable ASCII without spaces", boundPath(name))
		}
	}
	return nil
}

func decryptBundle(s string, key *ecdsa.PrivateKey) ([]byte, error) {
	if key == nil {
		return nil, errors.New("bundle is not JSON and this trustee has no import key to decrypt it")
	}
	obj, err := jose.ParseEncryptedCompact(s, []jose.KeyAlgorithm{jose.ECDH_ES_A256KW}, []jose.ContentEncryption{jose.A256GCM})
	if err != nil {
		return nil, fmt.Errorf("bundle is neither JSON nor a compact JWE (ECDH-ES+A256KW, A256GCM): %w", err)
	}
	if cty, ok := obj.Header.ExtraHeaders[jose.HeaderContentType]; ok && cty != bundleContentType {
		return nil, fmt.Errorf("bundle JWE content type %v, want %s", cty, bundleContentType)
	}
	plain, err := obj.Decrypt(key)
	if err != nil {
		// go-jose's message says nothing about the key; keep it generic.
		return nil, errors.New("bundle JWE does not decrypt with this trustee's import key (encrypted to another key?)")
	}
	return plain, nil
}

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
	_, p, err := parseBundle(body, s.cfg.ImportKey)
	if err != nil {
		ev.Check = "import bundle: format"
		s.adminFail(w, r, ev, kbs.Errorf(kbs.SerdeError, "import bundle: %v", err))
		return
	}
	res := ImportResult{Resources: make([]string, 0, len(p.resources)), ReferenceValues: []string{}}
	for path := range p.resources {
		res.Resources = append(res.Resources, path)
	}
	sort.Strings(res.Resources)
	ev.Resource = boundPath(strings.Join(res.Resources, ","))
	for _, path := range res.Resources {
		if err := s.cfg.Store.PutResource(r.Context(), path, p.resources[path]); err != nil {
			ev.Reason = "store unavailable while writing " + path + " (earlier resources of the bundle were stored; import it again)"
			s.adminFail(w, r, ev, storeErr(err))
			return
		}
	}
	for _, rv := range p.rvs {
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
func (s *Server) mergeReferenceValue(ctx context.Context, rv ImportReferenceValue) error {
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
	s.adminDone(w, r, ev, CollateralImportResult{Imported: n})
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
