// Package policy evaluates trustee's two kinds of Rego policy with OPA:
//
//   - attestation policies (package policy) turn verified TEE claims into an
//     AR4SI trust vector (data.policy.trust_claims, optionally
//     data.policy.extensions), reading reference values through the custom
//     builtin query_reference_value(name) or, in older upstream policies,
//     data.reference.<name>;
//   - resource policies (package policy) decide data.policy.allow from the
//     token claims (input) and the request (data.plugin,
//     data["resource-path"], data.query).
//
// Both use upstream Trustee's shapes, so upstream policies load unchanged.
// Compiled queries are cached by the policy text (its version),
// because evaluation sits on the handshake's hot path.
package policy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/types"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/trustgate/trustgate/internal/ear"
)

// ReferenceValues gives policies the reference values by name. The RVPS
// implements it and never returns an expired value. A name with no (live)
// value returns (nil, nil).
type ReferenceValues interface {
	Query(ctx context.Context, name string) ([]any, error)
}

// ReferenceLister is optionally implemented by a ReferenceValues to serve
// policies that index data.reference with a variable (data.reference[x]);
// without it only literal names (data.reference.foo) resolve.
type ReferenceLister interface {
	Names(ctx context.Context) ([]string, error)
}

// MaxPolicySize bounds a policy's text.
const MaxPolicySize = 1 << 20

// Kind tells the two policy kinds apart.
type Kind string

// Policy kinds.
const (
	KindAttestation Kind = "attestation"
	KindResource    Kind = "resource"
)

// Engine compiles and evaluates policies. It is safe for concurrent use.
type Engine struct {
	rv ReferenceValues
	// Timeout bounds one evaluation (0: DefaultTimeout). A policy that
	// runs longer fails, and with it the attestation or the release: a
	// slow policy must not hold requests (and their connections) forever.
	Timeout time.Duration

	mu    sync.Mutex
	cache map[cacheKey]*compiled

	// refTerms holds, by name, the last reference values that
	// query_reference_value converted to a term (refTerm). The RVPS
	// answers from its cache with the same slice each time, so the
	// conversion runs once per name and cache period, not on every
	// evaluation.
	refTerms sync.Map
}

// refTerm is a reference value's slice, as ReferenceValues returned it,
// and the term made from it; it is used again only for that very slice
// (same first element, same length), so a new answer is converted anew.
type refTerm struct {
	vals []any
	term *ast.Term
}

// sameSlice reports whether a and b are the same slice (not only equal).
func sameSlice(a, b []any) bool {
	if len(a) != len(b) || (a == nil) != (b == nil) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0]
}

// cacheKey is a policy's kind and text. The text itself is the key (not a
// digest of it): Go's map hash over a few KiB costs a fraction of a
// SHA-256, and this lookup runs twice per handshake.
type cacheKey struct {
	kind Kind
	src  string
}

// maxCached bounds the compiled-policy cache; policies are few, but each
// admin update adds a version. The keys hold at most maxCached texts of at
// most MaxPolicySize each.
const maxCached = 64

// DefaultTimeout bounds a policy evaluation; the default policies take well
// under a millisecond.
const DefaultTimeout = 5 * time.Second

// NewEngine returns an engine reading reference values from rv (nil: none).
func NewEngine(rv ReferenceValues) *Engine {
	return &Engine{rv: rv, cache: map[cacheKey]*compiled{}}
}

type compiled struct {
	query rego.PreparedEvalQuery
	store storage.Store
	// refNames are the literal names under data.reference the policy reads;
	// refDynamic is set when it indexes data.reference with a variable.
	refNames   []string
	refDynamic bool
	// defaults holds the value of each `default <rule> := <value>` whose
	// value is a constant, for explaining which claims no rule changed.
	defaults map[string]any
	// constAllow is set for a resource policy whose only rule is
	// `default allow := true` (or false): data.policy.allow is that
	// constant whatever the input and data, so Allow answers without
	// evaluating.
	constAllow *bool
}

// queryRefBuiltin is the declaration of query_reference_value(name).
var queryRefBuiltin = &rego.Function{
	Name:             "query_reference_value",
	Decl:             types.NewFunction(types.Args(types.S), types.A),
	Memoize:          true,
	Nondeterministic: true,
}

// Validate compiles src as a policy of kind k and reports the first error, so
// that an admin upload is refused before it replaces a working policy.
func Validate(k Kind, src string) error {
	_, err := NewEngine(nil).compile(context.Background(), k, src)
	return err
}

func (e *Engine) compile(ctx context.Context, k Kind, src string) (*compiled, error) {
	if len(src) > MaxPolicySize {
		return nil, fmt.Errorf("policy of %d bytes exceeds %d", len(src), MaxPolicySize)
	}
	key := cacheKey{k, src}
	e.mu.Lock()
	c, ok := e.cache[key]
	e.mu.Unlock()
	if ok {
		return c, nil
	}

	// Upstream policies come in both Rego dialects; v1 first, then v0 (no
	// "if"/"contains" keywords) so that older upstream samples still load.
	mod, err := ast.ParseModuleWithOpts("policy.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	version := ast.RegoV1
	if err != nil {
		m0, err0 := ast.ParseModuleWithOpts("policy.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV0})
		if err0 != nil {
			return nil, fmt.Errorf("parse policy: %w", err)
		}
		mod, version = m0, ast.RegoV0
	}
	if mod.Package.Path.String() != "data.policy" {
		return nil, fmt.Errorf("policy must be `package policy`, is %s", strings.TrimPrefix(mod.Package.Path.String(), "data."))
	}
	// Values written per evaluation are built by this package from strings,
	// bools, []any and map[string]any, or JSON round-tripped (reference
	// values), so the store's own round trip on every write is not needed.
	c = &compiled{store: inmem.NewFromObjectWithOpts(map[string]any{}, inmem.OptRoundTripOnWrite(false))}
	c.refNames, c.refDynamic = referenceRefs(mod)
	c.defaults = defaultValues(mod)
	if k == KindResource {
		c.constAllow = constantAllow(mod)
	}

	// An attestation policy is read whole (trust_claims, extensions and
	// the other rules, for explanation); a resource policy only for its
	// decision, as upstream, so helper rules are not evaluated needlessly.
	query := "data.policy"
	if k == KindResource {
		query = "data.policy.allow"
	}
	opts := []func(*rego.Rego){
		rego.Query(query),
		rego.ParsedModule(mod),
		rego.SetRegoVersion(version),
		rego.Store(c.store),
		// A failing builtin (reference values unavailable) must fail the
		// evaluation, not quietly make a rule undefined.
		rego.StrictBuiltinErrors(true),
	}
	if k == KindAttestation {
		opts = append(opts, rego.Function1(queryRefBuiltin, e.queryReferenceValue))
	}
	pq, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("compile policy: %w", err)
	}
	c.query = pq

	e.mu.Lock()
	if len(e.cache) >= maxCached {
		clear(e.cache) // versions are rare; rebuilding beats tracking LRU
	}
	e.cache[key] = c
	e.mu.Unlock()
	return c, nil
}

// defaultValues collects the constant values of the module's default rules.
func defaultValues(mod *ast.Module) map[string]any {
	out := map[string]any{}
	for _, r := range mod.Rules {
		if !r.Default || r.Head == nil || r.Head.Value == nil {
			continue
		}
		v, err := ast.JSON(r.Head.Value.Value)
		if err != nil {
			continue // not a constant
		}
		out[r.Head.Name.String()] = v
	}
	return out
}

// constantAllow returns the value of a module whose only rule is
// `default allow := <true|false>`, and nil for any other module. With no
// other rule, nothing else can define data.policy.allow (no `allow if`,
// no `allow.x`, no `allow contains`), and the store never holds
// data.policy, so the query's result is the default's value.
func constantAllow(mod *ast.Module) *bool {
	if len(mod.Rules) != 1 {
		return nil
	}
	r := mod.Rules[0]
	if !r.Default || r.Head == nil || r.Head.Value == nil || r.Else != nil ||
		len(r.Head.Ref()) != 1 || r.Head.Name.String() != "allow" || r.Head.Key != nil || len(r.Head.Args) != 0 {
		return nil
	}
	b, ok := r.Head.Value.Value.(ast.Boolean)
	if !ok {
		return nil
	}
	v := bool(b)
	return &v
}

// referenceRefs lists the names a module reads under data.reference.
func referenceRefs(mod *ast.Module) (names []string, dynamic bool) {
	prefix := ast.MustParseRef("data.reference")
	seen := map[string]bool{}
	ast.WalkRefs(mod, func(r ast.Ref) bool {
		if !r.HasPrefix(prefix) {
			return false
		}
		if len(r) < 3 {
			dynamic = true // the whole of data.reference
			return false
		}
		if s, ok := r[2].Value.(ast.String); ok {
			if !seen[string(s)] {
				seen[string(s)] = true
				names = append(names, string(s))
			}
		} else {
			dynamic = true
		}
		return false
	})
	sort.Strings(names)
	return names, dynamic
}

func (e *Engine) queryReferenceValue(bctx rego.BuiltinContext, a *ast.Term) (*ast.Term, error) {
	name, ok := a.Value.(ast.String)
	if !ok {
		return nil, errors.New("query_reference_value: name must be a string")
	}
	if e.rv == nil {
		return ast.NullTerm(), nil
	}
	vals, err := e.rv.Query(bctx.Context, string(name))
	if err != nil {
		return nil, fmt.Errorf("query_reference_value(%q): %w", string(name), err)
	}
	if vals == nil {
		// As upstream: an unknown name is null, which no claim is "in".
		return ast.NullTerm(), nil
	}
	if c, ok := e.refTerms.Load(string(name)); ok && sameSlice(c.(*refTerm).vals, vals) {
		return c.(*refTerm).term, nil
	}
	v, err := ast.InterfaceToValue(vals)
	if err != nil {
		return nil, fmt.Errorf("query_reference_value(%q): %w", string(name), err)
	}
	t := ast.NewTerm(v)
	e.refTerms.Store(string(name), &refTerm{vals: vals, term: t})
	return t, nil
}

// referenceData fetches what the policy reads under data.reference.
func (e *Engine) referenceData(ctx context.Context, c *compiled) (map[string]any, error) {
	if e.rv == nil {
		return map[string]any{}, nil
	}
	names := c.refNames
	if c.refDynamic {
		if l, ok := e.rv.(ReferenceLister); ok {
			all, err := l.Names(ctx)
			if err != nil {
				return nil, fmt.Errorf("list reference values: %w", err)
			}
			names = all
		}
	}
	out := make(map[string]any, len(names))
	for _, n := range names {
		v, err := e.rv.Query(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("reference value %q: %w", n, err)
		}
		if v != nil {
			out[n] = v
		}
	}
	// Reference values come from the RVPS with arbitrary Go types; make
	// them plain JSON values before they enter the store.
	var rt any = out
	if err := util.RoundTrip(&rt); err != nil {
		return nil, fmt.Errorf("reference values: %w", err)
	}
	m, _ := rt.(map[string]any)
	return m, nil
}

// eval runs the compiled package query with input and data (data.reference added for
// attestation policies that read it) and returns the package document.
func (e *Engine) eval(ctx context.Context, k Kind, c *compiled, input any, data map[string]any) (map[string]any, error) {
	if k == KindAttestation && (len(c.refNames) > 0 || c.refDynamic) {
		ref, err := e.referenceData(ctx, c)
		if err != nil {
			return nil, err
		}
		if data == nil {
			data = map[string]any{}
		}
		data["reference"] = ref
	}
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// The input as an ast.Value: OPA would otherwise copy it (RoundTripFast)
	// before converting it; an input toValue declines goes to OPA as is.
	var opts []rego.EvalOption
	if v, ok, err := toValue(input, 0); err == nil && ok {
		opts = append(opts, rego.EvalParsedInput(v))
	} else {
		opts = append(opts, rego.EvalInput(input))
	}
	if len(data) > 0 {
		// Request-specific data goes through a write transaction that is
		// aborted afterwards, so nothing persists between evaluations.
		txn, err := c.store.NewTransaction(ctx, storage.WriteParams)
		if err != nil {
			return nil, fmt.Errorf("policy data: %w", err)
		}
		defer c.store.Abort(ctx, txn)
		for key, v := range data {
			if err := c.store.Write(ctx, txn, storage.AddOp, storage.Path{key}, v); err != nil {
				return nil, fmt.Errorf("policy data %s: %w", key, err)
			}
		}
		opts = append(opts, rego.EvalTransaction(txn))
	}
	rs, err := c.query.Eval(ctx, opts...)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("evaluate policy: stopped after %s (policy too slow)", timeout)
		}
		return nil, fmt.Errorf("evaluate policy: %w", err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return map[string]any{}, nil
	}
	if k == KindResource {
		return map[string]any{"allow": rs[0].Expressions[0].Value}, nil
	}
	doc, _ := rs[0].Expressions[0].Value.(map[string]any)
	if doc == nil {
		doc = map[string]any{}
	}
	return doc, nil
}

// Appraisal is the result of an attestation policy.
type Appraisal struct {
	// TrustVector holds the eight AR4SI claims (missing ones are 0).
	TrustVector map[string]int
	// Status is the worst tier of the vector: "affirming", "warning",
	// "contraindicated" or "none".
	Status string
	// Extensions is data.policy.extensions, or nil.
	Extensions any
	// Rules holds the value of every other rule of the package, for
	// explaining a result.
	Rules map[string]any
	// Defaults holds the declared default of each rule that has a constant
	// one; a rule whose value in Rules equals its default was not changed
	// by any matching rule body (with the default policy: no reference
	// value matched). Shared with the compiled policy: read only.
	Defaults map[string]any
}

// Explain describes, for each rule with a default, whether its value is the
// default ("hardware = 97 (default)") or was set by a rule body
// ("executables = 3"). Sorted by rule name.
func (a *Appraisal) Explain() []string {
	names := make([]string, 0, len(a.Rules))
	for n := range a.Rules {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		v := a.Rules[n]
		vj, _ := json.Marshal(v)
		line := n + " = " + string(vj)
		if d, ok := a.Defaults[n]; ok {
			dj, _ := json.Marshal(d)
			if string(dj) == string(vj) {
				line += " (default)"
			}
		}
		out = append(out, line)
	}
	return out
}

// Appraise evaluates an attestation policy on input, the annotated evidence
// ({"<tee>": claims, "init_data", "init_data_claims", "report_data",
// "runtime_data_claims"}). A policy without trust_claims, or with a claim
// outside the AR4SI names or -128..127, is an error: fail closed.
func (e *Engine) Appraise(ctx context.Context, src string, input map[string]any) (*Appraisal, error) {
	c, err := e.compile(ctx, KindAttestation, src)
	if err != nil {
		return nil, err
	}
	doc, err := e.eval(ctx, KindAttestation, c, input, nil)
	if err != nil {
		return nil, err
	}
	tc, ok := doc["trust_claims"].(map[string]any)
	if !ok {
		return nil, errors.New("attestation policy: data.policy.trust_claims is undefined or not an object")
	}
	a := &Appraisal{TrustVector: map[string]int{}, Rules: map[string]any{}, Defaults: c.defaults}
	for _, k := range ear.TrustVectorKeys {
		a.TrustVector[k] = 0
	}
	for k, v := range tc {
		if _, known := a.TrustVector[k]; !known {
			return nil, fmt.Errorf("attestation policy: unknown trust claim %q", k)
		}
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("attestation policy: trust claim %s is not a number", k)
		}
		i, err := n.Int64()
		if err != nil || i < -128 || i > 127 {
			return nil, fmt.Errorf("attestation policy: trust claim %s=%s is not an integer in -128..127", k, n)
		}
		a.TrustVector[k] = int(i)
	}
	a.Status = ear.StatusOf(a.TrustVector).String()
	a.Extensions = doc["extensions"]
	for k, v := range doc {
		if k != "trust_claims" && k != "extensions" {
			a.Rules[k] = v
		}
	}
	return a, nil
}

// Request describes a resource request to the resource policy.
type Request struct {
	// Plugin is the first path element after /kbs/v0/ ("resource").
	Plugin string
	// Path is the rest of the path, split: [repo, type, tag] for resources.
	Path []string
	// Query holds the URL query parameters.
	Query map[string]string
	// AllowEmulated is exposed as data["allow-emulated"]; the default
	// resource policy refuses snp-emulated tokens unless it is true.
	AllowEmulated bool
}

func (r Request) data() map[string]any {
	q := map[string]any{}
	for k, v := range r.Query {
		q[k] = v
	}
	path := make([]any, len(r.Path))
	for i, s := range r.Path {
		path[i] = s
	}
	return map[string]any{
		"plugin":         r.Plugin,
		"resource-path":  path,
		"query":          q,
		"allow-emulated": r.AllowEmulated,
	}
}

// Allow evaluates a resource policy: claims are the verified token claims
// (input), req the request (data). Anything but allow == true is a denial;
// an evaluation error is returned with allowed = false.
func (e *Engine) Allow(ctx context.Context, src string, claims map[string]any, req Request) (bool, error) {
	c, err := e.compile(ctx, KindResource, src)
	if err != nil {
		return false, err
	}
	if c.constAllow != nil {
		return *c.constAllow, nil
	}
	doc, err := e.eval(ctx, KindResource, c, claims, req.data())
	if err != nil {
		return false, err
	}
	allow, _ := doc["allow"].(bool)
	return allow, nil
}
