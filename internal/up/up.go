// Package up runs the whole hospital flow on one machine: Trustee, a
// software-TEE "confidential VM" (guest, tls-sidecar, beacon and the
// de-identification app), the security dashboard and a blob store, all
// in-process, provisioned with policies, reference values and secrets, and
// the example workload hardened by cocofy. It is `trustgate up`.
//
// Nothing here is confidential computing: the VM is the snp-emulated TEE,
// whose root Trustee trusts only because up starts it with the development
// flag. It shows the two gates working, not the hardware.
package up

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/trustgate/trustgate/internal/attester/detect"
	"github.com/trustgate/trustgate/internal/attester/snpemu"
	"github.com/trustgate/trustgate/internal/beacon"
	"github.com/trustgate/trustgate/internal/blobstore"
	"github.com/trustgate/trustgate/internal/cliflags"
	"github.com/trustgate/trustgate/internal/dashboard"
	"github.com/trustgate/trustgate/internal/deid"
	"github.com/trustgate/trustgate/internal/deid/ner"
	"github.com/trustgate/trustgate/internal/deid/webapp"
	"github.com/trustgate/trustgate/internal/guest"
	"github.com/trustgate/trustgate/internal/guest/localapi"
	"github.com/trustgate/trustgate/internal/initdata"
	"github.com/trustgate/trustgate/internal/kbsadmin"
	"github.com/trustgate/trustgate/internal/tlssidecar"
	"github.com/trustgate/trustgate/internal/trustee"
)

// Options configure Start. The zero value runs on the default ports with
// state in ./.trustgate.
type Options struct {
	// StateDir holds everything up makes (default ./.trustgate); a second
	// run reuses it.
	StateDir string
	// Out receives progress and the summary (default os.Stdout).
	Out io.Writer
	// Log receives the components' structured logs (default
	// StateDir/trustgate.log).
	Log io.Writer
	// Listen addresses; "127.0.0.1:0" picks a free port (tests).
	TrusteeAddr, GuestAddr, AppAddr, SidecarAddr, DashboardAddr string
	// Azurite is the azurite-blob command; "" looks for it (FindAzurite),
	// "-" never uses Azurite (a local directory stores the blobs).
	Azurite string
	// BeaconInterval is the time between heartbeats (default 5 s).
	BeaconInterval time.Duration
	// Model is the folder of an ONNX token-classification model (model.onnx,
	// tokenizer.json, config.json) that the deid app runs next to its rules,
	// as `deid serve --model` does; "" runs the rules alone. ONNX Runtime is
	// found through $TRUSTGATE_ONNXRUNTIME_LIB.
	Model string
	// The sidecars always run in identity mode: server keys born in memory,
	// certificates from Trustee's identity CA after attestation, and a
	// second workload (a research gateway, GatewayAddr) that calls the
	// de-identification sidecar with workload-to-workload mTLS by SPIFFE ID.
	// (The `--identity` flag is kept as a no-op alias.)
	//
	// GatewayAddr is the gateway sidecar's address.
	GatewayAddr string
	// LogLevel (debug, info, warn, error; "" info) and LogFormat (text or
	// json; "" text) shape the components' logs (cliflags.NewLogger).
	LogLevel, LogFormat string
}

func (o *Options) defaults() {
	if o.StateDir == "" {
		o.StateDir = ".trustgate"
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&o.TrusteeAddr, "127.0.0.1:8080")
	def(&o.GuestAddr, "127.0.0.1:8006")
	def(&o.AppAddr, "127.0.0.1:8081")
	def(&o.SidecarAddr, "127.0.0.1:8443")
	def(&o.DashboardAddr, "127.0.0.1:9443")
	def(&o.GatewayAddr, "127.0.0.1:8444")
	if o.BeaconInterval <= 0 {
		o.BeaconInterval = 5 * time.Second
	}
}

// Workload identity of the example in the emulated VM.
const (
	Namespace = "default"
	App       = "deid"
	Pod       = "deid-0"
	// ConnectionStringResource is where the blob connection string lives:
	// the resource cocofy made from the example's Secret "azure", key "conn".
	ConnectionStringResource = "default/azure/conn"
	// Container receives approved notes.
	Container = "deid-approved"
)

// Measurement is the launch measurement the emulated VM reports and the
// reference value up registers: a fixed 48-byte label (the ASCII of
// "local-demo-measurement-trustgate-snp-emulated-v1"), so that nobody
// mistakes it for the digest of a real firmware image.
var Measurement = mustHex("6c6f63616c2d64656d6f2d6d6561737572656d656e742d7472757374676174652d736e702d656d756c617465642d7631")

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Stack is a running flow.
type Stack struct {
	Dir          string
	TrusteeURL   string
	TrusteeCert  string // Trustee's self-signed certificate (PEM file)
	AdminKey     string // Trustee admin key (PEM file)
	GuestURL     string
	AppURL       string // the app itself, inside the VM (loopback)
	SidecarURL   string // the app through the mTLS sidecar: what users reach
	GatewayURL   string // the second workload's sidecar, which calls SidecarURL as a workload
	DashboardURL string
	DashPassword string // file holding the dashboard admin password
	ClientCert   string // browser/curl client certificate (PEM)
	ClientKey    string
	ClientP12    string
	SidecarCA    string // Trustee's identity trust bundle: what the sidecars' server certificates chain to
	BlobConn     string // the connection string given to the app (secret)
	BlobDir      string // local blob directory, when Azurite is not used
	InitData     string // the initdata file the VM was given

	detector *deid.Engine

	Trustee   *trustee.Instance
	Admin     *kbsadmin.Client
	Dashboard *dashboard.Server

	// The two sidecars (deid, gateway), for tests that scan for their keys.
	sidecar, gateway *tlssidecar.Sidecar

	log      *slog.Logger
	logFile  *os.File
	cancel   context.CancelFunc
	mu       sync.Mutex
	stops    []func()
	wg       sync.WaitGroup
	errs     chan error
	closeOne sync.Once
}

// Errors reports a component that stopped on its own.
func (s *Stack) Errors() <-chan error { return s.errs }

func (s *Stack) onStop(f func()) {
	s.mu.Lock()
	s.stops = append(s.stops, f)
	s.mu.Unlock()
}

func (s *Stack) goRun(name string, f func() error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := f(); err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, context.Canceled) {
			select {
			case s.errs <- fmt.Errorf("%s: %w", name, err):
			default:
			}
		}
	}()
}

// Close stops every component, last started first.
func (s *Stack) Close() {
	s.closeOne.Do(func() {
		s.cancel()
		s.mu.Lock()
		stops := s.stops
		s.mu.Unlock()
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		done := make(chan struct{})
		go func() { s.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
		if s.logFile != nil {
			s.logFile.Close()
		}
	})
}

type progress struct {
	w     io.Writer
	start time.Time
}

func (p progress) step(format string, args ...any) {
	fmt.Fprintf(p.w, "  [%5.1fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

// Start brings the flow up and returns once the app answers through the
// sidecar and the dashboard lists the workload as attested.
func Start(ctx context.Context, opts Options) (st *Stack, err error) {
	opts.defaults()
	dir, err := filepath.Abs(opts.StateDir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Stack{Dir: dir, cancel: cancel, errs: make(chan error, 8)}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	logw := opts.Log
	if logw == nil {
		f, err := os.OpenFile(filepath.Join(dir, "trustgate.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("log file: %w", err)
		}
		s.logFile, logw = f, f
	}
	if s.log, err = cliflags.NewLogger(opts.LogLevel, opts.LogFormat, logw); err != nil {
		return nil, err
	}
	p := progress{w: opts.Out, start: time.Now()}
	fmt.Fprintf(opts.Out, "trustgate up: state in %s, logs in %s\n", dir, filepath.Join(dir, "trustgate.log"))
	// The detectors first: a model that does not load stops up before
	// anything starts.
	if s.detector, err = s.loadDetector(opts.Model); err != nil {
		return nil, err
	}
	if opts.Model != "" {
		p.step("deid model loaded from %s (detectors: %s)", opts.Model, strings.Join(s.detector.Detectors(), ", "))
	}

	// 1. The emulated SNP chain, the VM's "hardware".
	emuDir := filepath.Join(dir, "snp-emulated")
	ark := filepath.Join(emuDir, snpemu.ARKFile)
	if _, err := os.Stat(ark); err != nil {
		p.step("generating the snp-emulated ARK → ASK → VCEK chain (development root)")
		if _, err := snpemu.GenerateRoot(emuDir); err != nil {
			return nil, err
		}
	}

	// 2. Trustee.
	tcfg := trustee.Defaults()
	tcfg.Listen = opts.TrusteeAddr
	tcfg.DataDir = filepath.Join(dir, "trustee")
	tcfg.DevEmulatedSNPRoot = ark
	inst, err := trustee.Start(ctx, tcfg, trustee.Options{Logger: s.log.With("component", "trustee"), Out: logw})
	if err != nil {
		return nil, fmt.Errorf("start trustee: %w", err)
	}
	s.Trustee = inst
	s.onStop(func() {
		sctx, c := context.WithTimeout(context.Background(), 5*time.Second)
		defer c()
		_ = inst.Shutdown(sctx)
	})
	s.TrusteeURL = inst.URL
	s.TrusteeCert = filepath.Join(tcfg.DataDir, "tls.crt")
	s.AdminKey = inst.Material.AdminKeyPath
	p.step("trustee on %s (certificate SHA-256 %s)", inst.URL, inst.Material.TLSFingerprint)
	s.Admin, err = kbsadmin.New(inst.URL, s.AdminKey, kbsadmin.TLSOptions{CACert: s.TrusteeCert})
	if err != nil {
		return nil, err
	}

	// 3. Blob store and provisioning.
	if err := s.startBlobStore(ctx, opts, p); err != nil {
		return nil, err
	}
	dashLn, err := net.Listen("tcp", opts.DashboardAddr)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	s.DashboardURL = "http://" + dashLn.Addr().String()
	hard, err := s.provision(ctx, p)
	if err != nil {
		dashLn.Close()
		return nil, err
	}

	// 4. The dashboard.
	if err := s.startDashboard(ctx, dashLn); err != nil {
		return nil, err
	}
	p.step("dashboard on %s", s.DashboardURL)

	// 5. The software-TEE confidential VM: guest, app, sidecar, beacon.
	if err := s.startVM(ctx, opts, hard, p); err != nil {
		return nil, err
	}
	if err := s.waitReady(ctx, p); err != nil {
		return nil, err
	}
	return s, nil
}

// loadDetector builds the deid app's detector: the rules, and the model in
// dir when one is given (closed when the stack stops).
func (s *Stack) loadDetector(dir string) (*deid.Engine, error) {
	if dir == "" {
		return deid.New(), nil
	}
	r, err := ner.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("deid model %s: %w", dir, err)
	}
	if c, ok := r.(io.Closer); ok {
		s.onStop(func() { _ = c.Close() })
	}
	return deid.New(deid.WithRecognizer(r)), nil
}

func (s *Stack) startDashboard(ctx context.Context, ln net.Listener) error {
	pw, err := dashboard.AdminPassword(filepath.Join(s.Dir, "dashboard"), io.Discard)
	if err != nil {
		ln.Close()
		return err
	}
	s.DashPassword = filepath.Join(s.Dir, "dashboard", "dashboard-admin-password")
	s.Dashboard = dashboard.New(dashboard.Config{
		// Trustee's own verifier follows token-key rotation (current and
		// previous key), so beacons keep verifying after a rotation.
		Verifier:      &dashboard.BeaconVerifier{Tokens: s.Trustee.TokenVerifier()},
		LateAfter:     20 * time.Second,
		AdminPassword: pw,
		Audit:         dashboard.FollowFunc(s.Admin.FollowAudit),
		Identities:    s.Admin.IdentityIssued,
		StateDir:      filepath.Join(s.Dir, "dashboard"),
		Logger:        s.log.With("component", "dashboard"),
	})
	hs := &http.Server{Handler: s.Dashboard, ReadHeaderTimeout: 10 * time.Second}
	s.goRun("dashboard", func() error { return hs.Serve(ln) })
	s.goRun("dashboard monitor", func() error { s.Dashboard.Run(ctx); return nil })
	s.onStop(func() { _ = hs.Close() })
	return nil
}

// startVM runs what a confidential VM would: the guest daemon bound to the
// emulated hardware, then the workload's containers.
func (s *Stack) startVM(ctx context.Context, opts Options, hard *hardened, p progress) error {
	raw, err := os.ReadFile(s.InitData)
	if err != nil {
		return err
	}
	id, err := initdata.Parse(raw)
	if err != nil {
		return fmt.Errorf("initdata: %w", err)
	}
	att, err := snpemu.New(snpemu.Config{Dir: filepath.Join(s.Dir, "snp-emulated"), Measurement: Measurement, InitDataDigest: id.Digest()})
	if err != nil {
		return err
	}
	certPEM, err := os.ReadFile(s.TrusteeCert)
	if err != nil {
		return err
	}
	gcfg := &guest.Config{KBSURL: s.TrusteeURL, KBSCertPEM: certPEM, Attester: att, Listen: opts.GuestAddr,
		InitDataPath: s.InitData, Logger: s.log.With("component", "guest")}
	d, err := guest.Start(ctx, gcfg, detect.Options{})
	if err != nil {
		return fmt.Errorf("start guest: %w", err)
	}
	s.onStop(func() { _ = d.Close() })
	s.GuestURL = "http://" + d.Addr
	p.step("confidential VM (snp-emulated): guest local API on %s, initdata %x", d.Addr, id.Digest())

	app, err := webapp.New(webapp.Config{
		Detector:  s.detector,
		SecretURL: s.GuestURL + localapi.ResourcePrefix + ConnectionStringResource,
		Container: Container,
		OpenStore: openStore,
		RetryMax:  2 * time.Second,
		Logger:    s.log.With("component", "deid"),
	})
	if err != nil {
		return err
	}
	appLn, err := net.Listen("tcp", opts.AppAddr)
	if err != nil {
		return fmt.Errorf("deid app: %w", err)
	}
	s.AppURL = "http://" + appLn.Addr().String()
	s.goRun("deid app", func() error { return app.Serve(ctx, appLn) })
	p.step("deid web app inside the VM on %s (waits for its storage secret)", s.AppURL)

	sc, err := tlssidecar.New(tlssidecar.Config{
		Listen: opts.SidecarAddr, Upstream: s.AppURL, API: s.GuestURL, ClientCAURI: "kbs:///" + hard.clientCA,
		Identity: true, DNSNames: []string{identityDNS}, PeerIDs: []string{GatewaySPIFFEID},
		MaxBackoff: 2 * time.Second, Logger: s.log.With("component", "tls-sidecar"),
	})
	if err != nil {
		return err
	}
	s.sidecar = sc
	s.goRun("tls-sidecar", func() error { return sc.Run(ctx) })
	if err := waitSidecar(sc, s.errs); err != nil {
		return err
	}
	_, port, _ := net.SplitHostPort(sc.Addr().String())
	s.SidecarURL = "https://localhost:" + port
	if s.SidecarCA, err = s.writeBundle(ctx); err != nil {
		return err
	}
	p.step("tls-sidecar on %s (key born in memory, certificate for %s from Trustee's identity CA after attestation; trust bundle %s)", s.SidecarURL, DeidSPIFFEID, s.SidecarCA)
	if err := s.startGateway(ctx, opts, hard.clientCA, p); err != nil {
		return err
	}

	b := &beacon.Sender{
		Source:    beacon.GuestAPI{URL: s.GuestURL},
		Dashboard: s.DashboardURL,
		Workload: beacon.Workload{Pod: Pod, Namespace: Namespace, ImageDigest: hard.imageDigest, TEE: "snp-emulated",
			InitDataDigest: hex.EncodeToString(id.Digest())},
		Interval: opts.BeaconInterval,
		Logger:   s.log.With("component", "beacon"),
	}
	s.goRun("beacon", func() error { return b.Run(ctx) })
	p.step("beacon sending heartbeats every %s", opts.BeaconInterval)
	return nil
}

// openStore opens the store a connection string names: Azurite/Azure, or
// "LocalDirectory=<path>" when up runs without Azurite.
func openStore(ctx context.Context, conn string) (blobstore.Store, error) {
	if dir, ok := strings.CutPrefix(conn, localDirPrefix); ok {
		return blobstore.NewDir(filepath.Join(dir, Container))
	}
	return blobstore.NewAzure(ctx, conn, Container)
}

const localDirPrefix = "LocalDirectory="

// ClientTLS returns a TLS configuration that presents the user's client
// certificate and trusts the sidecar's CA.
func (s *Stack) ClientTLS() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(s.ClientCert, s.ClientKey)
	if err != nil {
		return nil, fmt.Errorf("client certificate: %w", err)
	}
	ca, err := os.ReadFile(s.SidecarCA)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, errors.New("sidecar CA: no certificate")
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS13}, nil
}

func (s *Stack) waitReady(ctx context.Context, p progress) error {
	tc, err := s.ClientTLS()
	if err != nil {
		return err
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
	deadline := time.Now().Add(90 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return err
		}
		select {
		case err := <-s.errs:
			return err
		default:
		}
		resp, err := c.Get(s.SidecarURL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && s.attested() {
				p.step("secret released after attestation: the app is ready and the dashboard lists it as attested")
				return nil
			}
			last = fmt.Sprintf("app readiness %d, dashboard attested=%v", resp.StatusCode, s.attested())
		} else {
			last = err.Error()
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("the flow did not become ready in 90 s (%s); see %s", last, filepath.Join(s.Dir, "trustgate.log"))
}

func (s *Stack) attested() bool {
	for _, w := range s.Dashboard.Workloads() {
		if w.Key == Namespace+"/"+Pod && w.Attested {
			return true
		}
	}
	return false
}
