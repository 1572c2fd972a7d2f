package imagesig

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// MaxResourceBytes bounds a resource fetched from the guest API server.
const MaxResourceBytes = 1 << 20

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
// KBS for them after attestation.
type APIServerFetcher struct {
	BaseURL string // e.g. "http://127.0.0.1:8006"
	Client  *http.Client
}

// NewAPIServerFetcher returns a fetcher for the API server at baseURL; a
// nil client gets one with a 30 s timeout.
func NewAPIServerFetcher(baseURL string, client *http.Client) *APIServerFetcher {
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &APIServerFetcher{BaseURL: strings.TrimSuffix(baseURL, "/"), Client: client}
}

// GetResource implements ResourceFetcher.
func (f *APIServerFetcher) GetResource(ctx context.Context, uri string) ([]byte, error) {
	repo, typ, tag, err := ParseResourceURI(uri)
	if err != nil {
		return nil, err
	}
	u := fmt.Sprintf("%s/cdh/resource/%s/%s/%s", f.BaseURL, url.PathEscape(repo), url.PathEscape(typ), url.PathEscape(tag))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("get resource: %w", err)
	}
	resp, err := f.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get resource: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResourceBytes+1))
	if err != nil {
		return nil, fmt.Errorf("get resource: read: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		// Error bodies are text from the API server, not the resource;
		// keep a short printable excerpt for the operator.
		msg := strings.Map(func(r rune) rune {
			if unicode.IsPrint(r) {
				return r
			}
			return ' '
		}, string(body))
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return nil, fmt.Errorf("get resource: API server answered %s: %s", resp.Status, strings.TrimSpace(msg))
	}
	if len(body) > MaxResourceBytes {
		return nil, fmt.Errorf("get resource: larger than %d bytes", MaxResourceBytes)
	}
	return body, nil
}
