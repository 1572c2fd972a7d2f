package kbs

import (
	"strings"
)

// Upstream's rule for each resource path segment is the regular expression
// ^[a-zA-Z0-9_\-]+[a-zA-Z0-9_\-\.]*$ : one or more of [a-zA-Z0-9_-] first,
// then '.' as well. It admits no '%', so percent-encoded separators (%2F)
// and traversal (%2e%2e) never pass, and no leading '.', so "." and ".."
// never pass either. ValidSegment checks it byte by byte (every fetch
// checks three segments); TestValidSegmentMatchesUpstreamRE and
// FuzzValidSegment hold it to the expression.

// maxSegment bounds a segment's length; upstream has no bound, but a path is
// also a store key and a log field.
const maxSegment = 255

// ValidSegment reports whether s is a valid resource path segment.
func ValidSegment(s string) bool {
	if len(s) == 0 || len(s) > maxSegment || s[0] == '.' {
		return false
	}
	return URLSafe(s)
}

// URLSafe reports whether every byte of s is one of [A-Za-z0-9_.-]: the
// letters of a resource path segment, and those of a JWS in compact form
// (base64url and dots), which JSON and URLs carry without escaping.
func URLSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// ResourcePath names a resource: <repo>/<type>/<tag>.
type ResourcePath struct {
	Repo, Type, Tag string
}

// String returns "repo/type/tag".
func (p ResourcePath) String() string { return p.Repo + "/" + p.Type + "/" + p.Tag }

// Segments returns [repo, type, tag], the resource policy's "resource-path".
func (p ResourcePath) Segments() []string { return []string{p.Repo, p.Type, p.Tag} }

// ParseResourcePath parses "repo/type/tag". Pass the path as it came on the
// wire, still escaped (http.Request.URL.EscapedPath with the
// "/kbs/v0/resource/" prefix cut): validating the decoded path would let
// "%2F" smuggle a separator. Anything but three valid segments is an
// InvalidRequestPath error (404).
func ParseResourcePath(escaped string) (ResourcePath, error) {
	parts := strings.Split(escaped, "/")
	if len(parts) != 3 {
		return ResourcePath{}, Errorf(InvalidRequestPath, "Request path %s is invalid: want <repo>/<type>/<tag>", quotePath(escaped))
	}
	for _, s := range parts {
		if !ValidSegment(s) {
			return ResourcePath{}, Errorf(InvalidRequestPath, "Request path %s is invalid", quotePath(escaped))
		}
	}
	return ResourcePath{Repo: parts[0], Type: parts[1], Tag: parts[2]}, nil
}

// quotePath bounds and quotes an untrusted path for an error detail.
func quotePath(s string) string {
	if len(s) > 512 {
		s = s[:512] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
