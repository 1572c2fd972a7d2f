// Package guest is the confidential VM side of trustgate: one daemon that
// is upstream's attestation agent, confidential data hub and API Server
// REST together. It checks that the initdata it was given is the one bound
// into the hardware at launch, attests to a KBS, fetches and unseals
// secrets, and serves upstream's local API on 127.0.0.1:8006.
//
// In-process use (trustgate up, tests): Start returns a running Daemon;
// Prepare gives the attester and data hub without serving (guest run,
// guest get-resource).
package guest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/attester/detect"
	"github.com/trustgate/trustgate/internal/initdata"
)

// Runtime is a prepared guest: the attester, the verified initdata and the
// data hub with its KBS session.
type Runtime struct {
	Attester attester.Attester
	InitData *initdata.InitData // nil when the guest has none
	KBS      KBS                // nil when no KBS is configured
	Hub      *Hub
}

// NewKBSClient builds the KBS client for a runtime. It is a variable so
// that the wiring to internal/kbs/client stays in one file (kbsclient.go).
var NewKBSClient func(cfg *Config, a attester.Attester, id *initdata.InitData) (KBS, error)

// Prepare loads and verifies initdata, picks the attester and connects the
// data hub. It refuses a guest whose initdata does not match the value bound
// at launch.
func Prepare(ctx context.Context, cfg *Config, opts detect.Options) (*Runtime, error) {
	log := cfg.logger()
	raw, source, found, err := FindInitData(cfg.InitDataPath)
	if err != nil {
		return nil, err
	}
	var id *initdata.InitData
	if found {
		if id, err = ParseInitData(raw); err != nil {
			return nil, fmt.Errorf("initdata %s: %w", source, err)
		}
	}
	a := cfg.Attester
	if a == nil {
		if id != nil && opts.SoftwareInitDataDigest == nil {
			// A software TEE has no launch-time binding of its own; without
			// an explicit bound digest it binds what it was given.
			opts.SoftwareInitDataDigest = id.Digest()
			if cfg.Tee == attest.TeeSample || cfg.Tee == attest.TeeSNPEmulated {
				log.Warn("software TEE: the initdata binding is self-asserted (no --bound-initdata-digest); only a hardware TEE proves it", "tee", cfg.Tee)
			}
		}
		if opts.Logger == nil {
			opts.Logger = log
		}
		if a, err = detect.New(cfg.Tee, opts); err != nil {
			return nil, fmt.Errorf("attester: %w", err)
		}
	}
	if id != nil {
		if err := CheckInitData(ctx, a, id); err != nil {
			return nil, fmt.Errorf("refusing to start: initdata from %s: %w", source, err)
		}
		if err := cfg.ApplyInitData(id); err != nil {
			return nil, fmt.Errorf("refusing to start: initdata from %s: %w", source, err)
		}
		log.Info("initdata verified against the launch binding", "source", source, "algorithm", id.Algorithm,
			"digest", fmt.Sprintf("%x", id.Digest()), "tee", a.Tee())
	} else if a.Tee() != attest.TeeSample {
		log.Info("no initdata given", "tee", a.Tee())
	}
	rt := &Runtime{Attester: a, InitData: id}
	if cfg.KBSURL != "" {
		if NewKBSClient == nil {
			return nil, errors.New("kbs client: not built in")
		}
		k, err := NewKBSClient(cfg, a, id)
		if err != nil {
			return nil, fmt.Errorf("kbs client: %w", err)
		}
		rt.KBS = k
	}
	rt.Hub = NewHub(rt.KBS, cfg)
	return rt, nil
}

// FetchCredentials writes each configured credential to its file (mode
// 0600, directories 0700). Upstream fetches them at start and so do we: a
// workload whose credentials cannot be fetched must not start half-armed.
func (rt *Runtime) FetchCredentials(ctx context.Context, creds []Credential) error {
	for _, c := range creds {
		if err := c.validate(); err != nil {
			return err
		}
		b, err := rt.Hub.GetResource(ctx, c.ResourceURI)
		if err != nil {
			return fmt.Errorf("credential %s: %w", c.ResourceURI, err)
		}
		if err := os.MkdirAll(filepath.Dir(c.Path), 0o700); err != nil {
			return fmt.Errorf("credential %s: %w", c.ResourceURI, err)
		}
		if err := replaceFile(c.Path, b, 0o600); err != nil {
			return fmt.Errorf("credential %s: write %s: %w", c.ResourceURI, c.Path, err)
		}
	}
	return nil
}

// Daemon is a running guest: the local API over a prepared runtime.
type Daemon struct {
	*Runtime
	// Addr is the address the local API listens on (host:port).
	Addr string

	srv  *http.Server
	done chan error
}

// Start prepares the runtime, fetches credentials and serves the local API
// until ctx ends or Close is called.
func Start(ctx context.Context, cfg *Config, opts detect.Options) (*Daemon, error) {
	rt, err := Prepare(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}
	if err := rt.FetchCredentials(ctx, cfg.Credentials); err != nil {
		return nil, fmt.Errorf("refusing to start: %w", err)
	}
	listen := cfg.Listen
	if listen == "" {
		listen = DefaultListen
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("local API: %w", err)
	}
	api := &API{Hub: rt.Hub, KBS: rt.KBS, Attester: rt.Attester, Log: cfg.logger(), ImagePolicyURI: cfg.Image.ImageSecurityPolicyURI, Identity: NewIdentityIssuer(cfg, rt)}
	if rt.InitData != nil {
		api.InitDataAlgorithm, api.InitDataDigest = rt.InitData.Algorithm, hex.EncodeToString(rt.InitData.Digest())
	}
	d := &Daemon{
		Runtime: rt,
		Addr:    ln.Addr().String(),
		srv: &http.Server{
			Handler:           api,
			ReadHeaderTimeout: 10 * time.Second,
			MaxHeaderBytes:    64 << 10,
		},
		done: make(chan error, 1),
	}
	go func() { d.done <- d.srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		_ = d.Close()
	}()
	cfg.logger().Info("guest local API listening", "addr", d.Addr, "tee", rt.Attester.Tee(), "kbs", cfg.KBSURL,
		"image_security_policy_uri", cfg.Image.ImageSecurityPolicyURI)
	return d, nil
}

// Close stops the local API.
func (d *Daemon) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return d.srv.Shutdown(ctx)
}

// Wait blocks until the local API stops and returns why (nil after Close).
func (d *Daemon) Wait() error {
	err := <-d.done
	d.done <- err
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Serve runs the daemon until ctx ends.
func Serve(ctx context.Context, cfg *Config, opts detect.Options) error {
	d, err := Start(ctx, cfg, opts)
	if err != nil {
		return err
	}
	return d.Wait()
}
