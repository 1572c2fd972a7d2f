package guest

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbs"
	"github.com/trustgate/trustgate/internal/kbs/client"
)

func init() { NewKBSClient = newKBSClient }

// kbsClient adapts internal/kbs/client to the data hub's KBS interface.
type kbsClient struct{ c *client.Client }

func newKBSClient(cfg *Config, a attester.Attester, id *initdata.InitData) (KBS, error) {
	c, err := newClient(cfg, a, id)
	if err != nil {
		return nil, err
	}
	return &kbsClient{c: c}, nil
}

// newClient is the KBS client of cfg: its URL, trust (system roots plus
// KBSCertPEM, or exactly the certificate KBSCertSHA256 pins) and initdata.
func newClient(cfg *Config, a attester.Attester, id *initdata.InitData) (*client.Client, error) {
	opts := client.Options{URL: cfg.KBSURL, Attester: a, Logger: cfg.logger(), PinnedCertSHA256: cfg.KBSCertSHA256}
	if id != nil {
		opts.InitData = &kbs.InitData{Format: "toml", Body: string(id.Raw)}
	}
	if len(cfg.KBSCertPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.KBSCertPEM) {
			return nil, errors.New("kbs certificate: no PEM certificate found")
		}
		opts.RootCAs = pool
	}
	return client.New(opts)
}

func (k *kbsClient) GetResource(ctx context.Context, p string) ([]byte, error) {
	parts := strings.Split(p, "/")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: %q is not repo/type/tag", ErrBadResourceURI, p)
	}
	return k.c.GetResource(ctx, parts[0], parts[1], parts[2])
}

func (k *kbsClient) Token(ctx context.Context) (string, []byte, error) {
	return k.c.TokenAndKey(ctx)
}

// LastAttestation reports the client's last successful attestation for
// GET AttestationPath (no token, no key).
func (k *kbsClient) LastAttestation() (AttestationState, bool) {
	a, ok := k.c.LastAttestation()
	if !ok {
		return AttestationState{}, false
	}
	return AttestationState{Time: a.Time, EARStatus: a.Status}, true
}
