package webapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/blobstore"
	"github.com/trustgate/trustgate/internal/guest/localapi"
)

// gate holds the blob store once the connection string is released. Until
// then the app fails closed: every route but health answers 503.
type gate struct {
	cfg Config

	mu     sync.RWMutex
	st     blobstore.Store
	reason string // why not ready, for /readyz and the 503 page; never the secret
}

func newGate(cfg Config) *gate {
	return &gate{
		cfg:    cfg,
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
// ends, backing off from RetryMin to RetryMax (jittered).
func (g *gate) run(ctx context.Context) {
	bo := localapi.Backoff{Min: g.cfg.RetryMin, Max: g.cfg.RetryMax}
	for attempt := 1; ; attempt++ {
		err := g.try(ctx)
		if err == nil {
			g.cfg.Logger.Info("storage secret released; blob store ready", "attempts", attempt, "store", g.store().Describe())
			return
		}
		g.setReason(err.Error())
		wait := bo.Next()
		g.cfg.Logger.Warn("storage not ready; retrying", "attempt", attempt, "reason", err.Error(), "retry_in", wait.String())
		if localapi.Sleep(ctx, wait) != nil {
			return
		}
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
// unsealed value) and never include the response body (not even the
// guest's reason: /readyz shows this text to anyone).
func (g *gate) secret(ctx context.Context) (string, error) {
	if c := strings.TrimSpace(g.cfg.ConnectionString); c != "" {
		if strings.HasPrefix(c, "sealed.") {
			return "", errors.New("connection string is still sealed: start the app under `guest run` so it is unsealed after attestation")
		}
		return c, nil
	}
	base, res, err := localapi.SplitURL(g.cfg.SecretURL, localapi.ResourcePrefix)
	if err != nil {
		return "", fmt.Errorf("secret URL: %w", err)
	}
	c, err := localapi.New(base, localapi.WithLimits(localapi.EndpointResource, localapi.Limits{MaxBytes: maxSecretBytes, Timeout: 10 * time.Second}))
	if err != nil {
		return "", fmt.Errorf("secret URL: %w", err)
	}
	body, err := c.GetResource(ctx, res)
	switch localapi.KindOf(err) {
	case 0:
	case localapi.Status:
		return "", fmt.Errorf("guest local API answered %d for the storage secret (not released yet, or attestation failed)", localapi.StatusOf(err))
	case localapi.TooLarge:
		return "", errors.New("guest local API returned an oversized secret")
	case localapi.BadRequest:
		return "", fmt.Errorf("secret URL: %w", err)
	default:
		return "", errors.New("guest local API unreachable at " + c.URL() + localapi.ResourcePrefix + res)
	}
	conn := string(bytes.TrimSpace(body))
	if conn == "" {
		return "", errors.New("guest local API returned an empty secret")
	}
	return conn, nil
}
