// Package policy parses and evaluates containers-policy.json image policies
// (the format of containers/image, as used by the confidential containers
// guest), restricted to the requirement types that Gate 1 can enforce
// offline: reject, insecureAcceptAnything and sigstoreSigned with public
// keys. Everything else parses but evaluates to a refusal, so an operator
// who writes a requirement we cannot check never gets an image through.
package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// MaxPolicyBytes bounds the size of a policy document; real policies are a
// few hundred bytes and the document may come from a remote resource.
const MaxPolicyBytes = 1 << 20

// Requirement types from containers-policy.json(5).
const (
	TypeReject                 = "reject"
	TypeInsecureAcceptAnything = "insecureAcceptAnything"
	TypeSigstoreSigned         = "sigstoreSigned"
	TypeSignedBy               = "signedBy"
)

// Signed identity types from containers-policy.json(5).
const (
	IdentityMatchRepoDigestOrExact = "matchRepoDigestOrExact"
	IdentityMatchRepository        = "matchRepository"
	IdentityExactRepository        = "exactRepository"
)

// TransportDocker is the only transport Gate 1 evaluates: images are pulled
// from registries.
const TransportDocker = "docker"

// Policy is a parsed containers-policy.json document.
type Policy struct {
	Default    []Requirement                       `json:"default"`
	Transports map[string]map[string][]Requirement `json:"transports,omitempty"`
}

// Requirement is one entry of a requirement list. Every requirement of the
// list that applies to an image must be satisfied.
type Requirement struct {
	Type string `json:"type"`

	// sigstoreSigned
	KeyPath        string          `json:"keyPath,omitempty"`
	KeyPaths       []string        `json:"keyPaths,omitempty"`
	KeyData        []byte          `json:"keyData,omitempty"` // base64 in JSON, as in containers/image
	KeyDatas       [][]byte        `json:"keyDatas,omitempty"`
	Fulcio         json.RawMessage `json:"fulcio,omitempty"`
	RekorPublicKey string          `json:"rekorPublicKeyPath,omitempty"`
	SignedIdentity *SignedIdentity `json:"signedIdentity,omitempty"`

	// signedBy (GPG); parsed so the refusal can name it.
	KeyType string `json:"keyType,omitempty"`
}

// SignedIdentity says which identity the signature must claim.
type SignedIdentity struct {
	Type             string `json:"type"`
	DockerRepository string `json:"dockerRepository,omitempty"`
	DockerReference  string `json:"dockerReference,omitempty"`
	Prefix           string `json:"prefix,omitempty"`
	SignedPrefix     string `json:"signedPrefix,omitempty"`
}

// KeyRefs returns the key locations of a sigstoreSigned requirement: file
// paths or kbs:/// resource URIs.
func (r Requirement) KeyRefs() []string {
	var out []string
	if r.KeyPath != "" {
		out = append(out, r.KeyPath)
	}
	return append(out, r.KeyPaths...)
}

// InlineKeys returns the PEM public keys embedded in a sigstoreSigned
// requirement.
func (r Requirement) InlineKeys() [][]byte {
	var out [][]byte
	if len(r.KeyData) > 0 {
		out = append(out, r.KeyData)
	}
	return append(out, r.KeyDatas...)
}

// Parse reads a policy document strictly: unknown fields are errors,
// because a misspelt field (e.g. "keypath") silently ignored would weaken
// the policy the operator meant to write.
func Parse(data []byte) (*Policy, error) {
	if len(data) > MaxPolicyBytes {
		return nil, fmt.Errorf("parse image policy: document is %d bytes, limit %d", len(data), MaxPolicyBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("parse image policy: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("parse image policy: trailing data after the JSON document")
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("parse image policy: %w", err)
	}
	return &p, nil
}

// Validate checks the structure of the policy: a non-empty default, known
// requirement types and complete sigstoreSigned requirements.
func (p *Policy) Validate() error {
	if len(p.Default) == 0 {
		return errors.New(`"default" must list at least one requirement`)
	}
	if err := validateList("default", p.Default); err != nil {
		return err
	}
	for transport, scopes := range p.Transports {
		for scope, reqs := range scopes {
			where := fmt.Sprintf("transports.%s[%q]", transport, scope)
			if len(reqs) == 0 {
				return fmt.Errorf("%s: requirement list is empty", where)
			}
			if transport == TransportDocker {
				if err := validateDockerScope(scope); err != nil {
					return fmt.Errorf("%s: %w", where, err)
				}
			}
			if err := validateList(where, reqs); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateList(where string, reqs []Requirement) error {
	for i, r := range reqs {
		if err := r.validate(); err != nil {
			return fmt.Errorf("%s[%d]: %w", where, i, err)
		}
	}
	return nil
}

func (r Requirement) validate() error {
	switch r.Type {
	case TypeReject, TypeInsecureAcceptAnything:
		if len(r.KeyRefs())+len(r.InlineKeys()) > 0 || r.SignedIdentity != nil {
			return fmt.Errorf("type %q takes no other fields", r.Type)
		}
		return nil
	case TypeSigstoreSigned:
		n := len(r.KeyRefs()) + len(r.InlineKeys())
		if n == 0 && len(r.Fulcio) == 0 {
			return errors.New(`sigstoreSigned needs "keyPath", "keyPaths", "keyData" or "keyDatas"`)
		}
		if (r.KeyPath != "" || len(r.KeyData) > 0) && (len(r.KeyPaths) > 0 || len(r.KeyDatas) > 0) {
			return errors.New(`sigstoreSigned: use either "keyPath"/"keyData" or "keyPaths"/"keyDatas"`)
		}
		if si := r.SignedIdentity; si != nil {
			if si.Type == "" {
				return errors.New(`signedIdentity needs a "type"`)
			}
			if si.Type == IdentityExactRepository && si.DockerRepository == "" {
				return errors.New(`signedIdentity exactRepository needs "dockerRepository"`)
			}
		}
		return nil
	case TypeSignedBy:
		return nil // parsed, refused at evaluation: GPG is not supported.
	case "":
		return errors.New(`requirement has no "type"`)
	default:
		return fmt.Errorf("unknown requirement type %q", r.Type)
	}
}

// validateDockerScope accepts the scope forms of the docker transport: a
// registry host[:port], a repository or namespace below it, a full
// reference with tag or digest, or a "*.domain" wildcard. The empty scope
// is the transport default.
func validateDockerScope(scope string) error {
	if scope == "" {
		return nil
	}
	if strings.ContainsAny(scope, " \t\r\n") {
		return errors.New("scope contains whitespace")
	}
	if strings.HasPrefix(scope, "*.") {
		if strings.ContainsAny(scope[2:], "/*:@") || scope[2:] == "" {
			return errors.New("a wildcard scope must be *.domain only")
		}
		return nil
	}
	if strings.Contains(scope, "*") {
		return errors.New(`"*" is only allowed as a leading "*." wildcard`)
	}
	if strings.HasSuffix(scope, "/") || strings.HasPrefix(scope, "/") || strings.Contains(scope, "//") {
		return errors.New("scope has an empty path component")
	}
	return nil
}

// Match is the result of looking up the requirements for one image.
type Match struct {
	// Scope is the policy scope that matched ("default" when none did,
	// "" for the docker transport default).
	Scope        string
	Requirements []Requirement
}

// ImageName is the part of an image reference the scope lookup needs.
// Registry is normalised as containers/image does (docker.io, not
// index.docker.io); Repository is the path below the registry.
type ImageName struct {
	Registry   string // e.g. "ghcr.io" or "127.0.0.1:5000"
	Repository string // e.g. "org/app"
	Tag        string // optional
	Digest     string // optional, "sha256:…"
}

// Requirements returns the requirement list that applies to the image,
// following containers-policy.json(5): the most specific docker scope wins
// (full reference, then repository, then each enclosing namespace, then the
// registry, then the longest matching "*." wildcard, then the docker
// transport default ""), and the global default otherwise.
func (p *Policy) Requirements(img ImageName) Match {
	scopes := p.Transports[TransportDocker]
	repo := img.Registry + "/" + img.Repository
	var candidates []string
	if img.Digest != "" {
		candidates = append(candidates, repo+"@"+img.Digest)
	}
	if img.Tag != "" {
		candidates = append(candidates, repo+":"+img.Tag)
	}
	for s := repo; ; {
		candidates = append(candidates, s)
		i := strings.LastIndex(s, "/")
		if i < 0 {
			break
		}
		s = s[:i]
	}
	for _, c := range candidates {
		if reqs, ok := scopes[c]; ok {
			return Match{Scope: c, Requirements: reqs}
		}
	}
	if m, ok := wildcardMatch(scopes, img.Registry); ok {
		return m
	}
	if reqs, ok := scopes[""]; ok {
		return Match{Scope: "", Requirements: reqs}
	}
	return Match{Scope: "default", Requirements: p.Default}
}

// wildcardMatch finds the longest "*.domain" scope that the registry host
// is a subdomain of.
func wildcardMatch(scopes map[string][]Requirement, registry string) (Match, bool) {
	host := registry
	if i := strings.LastIndex(host, ":"); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	var keys []string
	for k := range scopes {
		if strings.HasPrefix(k, "*.") && strings.HasSuffix(host, k[1:]) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return Match{}, false
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return Match{Scope: keys[0], Requirements: scopes[keys[0]]}, true
}
