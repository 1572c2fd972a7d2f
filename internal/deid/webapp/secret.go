package webapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/blobstore"
)

// gate holds the blob store once the connection string is released. Until
// then the app fails closed: every route but health answers 503.
type gate struct {
	cfg    Config
	client *http.Client

	mu     sync.RWMutex
	st     blobstore.Store
	reason string // why not ready, for /readyz and the 503 page; never the secret
}

func newGate(cfg Config) *gate {
	return &gate{
		cfg: cfg,
		// The local API is on loopback; a proxy from the environment must
		// not see the request.
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}},
		reason: "waiting for the storage secret to be released by attestation",
	}
}

func (g *gate) store() blobstore.Store {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.st
}

func (g *gate) status() (bool, string) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.st != nil, g.reason
}

func (g *gate) setReason(r string) {
	g.mu.Lock()
	g.reason = r
	g.mu.Unlock()
}

// run tries to obtain the secret and open the store until it succeeds or ctx
// ends, backing off from RetryMin to RetryMax.
func (g *gate) run(ctx context.Context) {
	wait := g.cfg.RetryMin
	for attempt := 1; ; attempt++ {
		err := g.try(ctx)
		if err == nil {
			g.cfg.Logger.Info("storage secret released; blob store ready", "attempts", attempt, "store", g.store().Describe())
			return
		}
		g.setReason(err.Error())
		g.cfg.Logger.Warn("storage not ready; retrying", "attempt", attempt, "reason", err.Error(), "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, g.cfg.RetryMax)
	}
}

func (g *gate) try(ctx context.Context) error {
	conn, err := g.secret(ctx)
	if err != nil {
		return err
	}
	st, err := g.cfg.OpenStore(ctx, conn)
	if err != nil {
		return fmt.Errorf("open blob store: %w", err)
	}
	g.mu.Lock()
	g.st, g.reason = st, ""
	g.mu.Unlock()
	return nil
}

// maxSecretBytes bounds the local API's answer; a connection string is short.
const maxSecretBytes = 64 << 10

// secret returns the connection string. Errors say what failed (status code,
// unsealed value) and never include the response body.
func (g *gate) secret(ctx context.Context) (string, error) {
	if c := strings.TrimSpace(g.cfg.ConnectionString); c != "" {
		if strings.HasPrefix(c, "sealed.") {
			return "", errors.New("connection string is still sealed: start the app under `guest run` so it is unsealed after attestation")
		}
		return c, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.cfg.SecretURL, nil)
	if err != nil {
		return "", fmt.Errorf("secret URL: %w", err)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return "", errors.New("guest local API unreachable at " + req.URL.Redacted())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxSecretBytes+1))
	if err != nil {
		return "", fmt.Errorf("read secret from guest local API: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("guest local API answered %d for the storage secret (not released yet, or attestation failed)", resp.StatusCode)
	}
	if len(body) > maxSecretBytes {
		return "", errors.New("guest local API returned an oversized secret")
	}
	conn := string(bytes.TrimSpace(body))
	if conn == "" {
		return "", errors.New("guest local API returned an empty secret")
	}
	return conn, nil
}
