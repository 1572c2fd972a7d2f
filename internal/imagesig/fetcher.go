package imagesig

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// ParseResourceURI splits "kbs:///repo/type/tag" (a KBS host, if present,
// is ignored as the guest's data hub does) into its three path segments.
func ParseResourceURI(uri string) (repo, typ, tag string, err error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", "", "", fmt.Errorf("resource URI: %w", err)
	}
	if u.Scheme != "kbs" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", "", "", fmt.Errorf("resource URI %q: want kbs:///repository/type/tag", uri)
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("resource URI %q: want kbs:///repository/type/tag", uri)
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || strings.IndexFunc(p, func(r rune) bool {
			return !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.", r))
		}) >= 0 {
			return "", "", "", fmt.Errorf("resource URI %q: invalid path segment", uri)
		}
	}
	return parts[0], parts[1], parts[2], nil
}

// APIServerFetcher fetches resources from the guest's local API server
// (GET /cdh/resource/<repo>/<type>/<tag>, wire-compat §6), which asks the
// KBS for them after attestation, through the one client of that API
// (internal/guest/localapi: its size limit, no proxy, retry while the
// guest starts).
type APIServerFetcher struct {
	BaseURL string // e.g. "http://127.0.0.1:8006"
}

// NewAPIServerFetcher returns a fetcher for the API server at baseURL.
func NewAPIServerFetcher(baseURL string) *APIServerFetcher {
	return &APIServerFetcher{BaseURL: baseURL}
}

// GetResource implements ResourceFetcher.
func (f *APIServerFetcher) GetResource(ctx context.Context, uri string) ([]byte, error) {
	if _, _, _, err := ParseResourceURI(uri); err != nil {
		return nil, err
	}
	c, err := localapi.New(f.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("get resource: %w", err)
	}
	b, err := c.GetResource(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("get resource: %w", err)
	}
	return b, nil
}
