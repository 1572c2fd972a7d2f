package up

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/trustgate/trustgate/internal/cliflags"
)

// stateFile records a running up for `status`, `down` and `demo`.
const stateFile = "up.json"

// Record is what a running `trustgate up` writes to StateDir/up.json.
type Record struct {
	PID          int    `json:"pid"`
	Started      string `json:"started"`
	TrusteeURL   string `json:"trustee_url"`
	TrusteeCert  string `json:"trustee_cert"`
	AdminKey     string `json:"admin_key"`
	GuestURL     string `json:"guest_url"`
	AppURL       string `json:"app_url"`
	SidecarURL   string `json:"sidecar_url"`
	DashboardURL string `json:"dashboard_url"`
	DashPassword string `json:"dashboard_password_file"`
	ClientCert   string `json:"client_cert"`
	ClientKey    string `json:"client_key"`
	ClientP12    string `json:"client_p12"`
	SidecarCA    string `json:"sidecar_ca"`
	InitData     string `json:"initdata"`
	SnpEmuDir    string `json:"snp_emulated_dir"`
	BlobDir      string `json:"blob_dir,omitempty"`
}

func (s *Stack) record() Record {
	return Record{PID: os.Getpid(), Started: time.Now().UTC().Format(time.RFC3339), TrusteeURL: s.TrusteeURL,
		TrusteeCert: s.TrusteeCert, AdminKey: s.AdminKey, GuestURL: s.GuestURL, AppURL: s.AppURL, SidecarURL: s.SidecarURL,
		DashboardURL: s.DashboardURL, DashPassword: s.DashPassword, ClientCert: s.ClientCert, ClientKey: s.ClientKey,
		ClientP12: s.ClientP12, SidecarCA: s.SidecarCA, InitData: s.InitData, SnpEmuDir: filepath.Join(s.Dir, "snp-emulated"),
		BlobDir: s.BlobDir}
}

// ReadRecord reads the record of a running up in dir.
func ReadRecord(dir string) (*Record, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no trustgate up is running from %s (start one with `trustgate up`)", dir)
		}
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return &r, nil
}

// Summary prints what the user can do now.
func (s *Stack) Summary(w io.Writer) {
	fmt.Fprintf(w, `
trustgate is up. Two gates, one machine (software TEE: this shows the flow, not the hardware).

  de-identification app (mTLS)  %s
  security dashboard            %s   (login password in %s)
  trustee (KBS)                 %s
  guest local API (inside VM)   %s

Browser client certificate: import %s
  (password in %s.password); the sidecar's CA is %s.

De-identify the example note through the mTLS sidecar:
  curl --cacert %s --cert %s --key %s --data-binary 'Dr. Strange admitted John Doe to Mount Rushmore Hospital on 2023-05-12' %s/api/redact

Approved notes go to %s. Ctrl-C stops everything; state stays in %s for the next run.
Also: trustgate status, trustgate down, trustgate demo denials.
`, s.SidecarURL, s.DashboardURL, s.DashPassword, s.TrusteeURL, s.GuestURL,
		s.ClientP12, s.ClientP12, s.SidecarCA,
		s.SidecarCA, s.ClientCert, s.ClientKey, s.SidecarURL, s.blobWhere(), s.Dir)
}

func (s *Stack) blobWhere() string {
	if s.BlobDir != "" {
		return filepath.Join(s.BlobDir, Container)
	}
	return "the Azurite container " + Container
}

// Main runs the trustgate command: up, status, down, demo denials.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: trustgate up|status|down|demo denials [--state-dir DIR]")
		return 2
	}
	fs := flag.NewFlagSet("trustgate "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("state-dir", ".trustgate", "state directory")
	noAzurite := fs.Bool("no-azurite", false, "store blobs in a local directory even when Azurite is installed")
	var o Options
	fs.StringVar(&o.TrusteeAddr, "trustee-addr", "127.0.0.1:8080", "Trustee's address (up)")
	fs.StringVar(&o.GuestAddr, "guest-addr", "127.0.0.1:8006", "the VM's guest local API (up)")
	fs.StringVar(&o.AppAddr, "app-addr", "127.0.0.1:8081", "the deid app inside the VM, loopback only (up)")
	fs.StringVar(&o.SidecarAddr, "sidecar-addr", "127.0.0.1:8443", "the mTLS sidecar users reach (up)")
	fs.StringVar(&o.DashboardAddr, "dashboard-addr", "127.0.0.1:9443", "the dashboard (up)")
	cmd, rest := args[0], args[1:]
	if cmd == "demo" {
		if len(rest) == 0 || rest[0] != "denials" {
			fmt.Fprintln(stderr, "usage: trustgate demo denials")
			return 2
		}
		rest = rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return 2
	}
	if err := cliflags.EnvDefaults(fs, "TRUSTGATE_"); err != nil {
		fmt.Fprintln(stderr, "trustgate:", err)
		return 2
	}
	switch cmd {
	case "up":
		o.StateDir, o.Out = *dir, stdout
		if *noAzurite {
			o.Azurite = "-"
		}
		return runUp(o, stderr)
	case "status":
		return status(*dir, stdout)
	case "down":
		return down(*dir, stdout, stderr)
	case "demo":
		r, err := ReadRecord(*dir)
		if err != nil {
			fmt.Fprintln(stderr, "trustgate:", err)
			return 1
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := Denials(ctx, r, stdout); err != nil {
			fmt.Fprintln(stderr, "trustgate demo denials:", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "trustgate: unknown command %q\n", cmd)
	return 2
}

func runUp(opts Options, stderr io.Writer) int {
	stdout := opts.Out
	if r, err := ReadRecord(opts.StateDir); err == nil && processAlive(r.PID) {
		fmt.Fprintf(stderr, "trustgate: already running (pid %d) from %s; `trustgate down` stops it\n", r.PID, opts.StateDir)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := Start(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "trustgate up:", err)
		if strings.Contains(err.Error(), "address already in use") {
			fmt.Fprintln(stderr, "trustgate up: a port is taken; choose others with --trustee-addr, --guest-addr, --app-addr, --sidecar-addr, --dashboard-addr (or TRUSTGATE_<FLAG>)")
		}
		return 1
	}
	b, _ := json.MarshalIndent(s.record(), "", "  ") // plain struct
	rec := filepath.Join(s.Dir, stateFile)
	if err := os.WriteFile(rec, b, 0o600); err != nil {
		fmt.Fprintln(stderr, "trustgate up:", err)
	}
	s.Summary(stdout)
	select {
	case <-ctx.Done():
	case err := <-s.Errors():
		fmt.Fprintln(stderr, "trustgate up: a component stopped:", err)
	}
	fmt.Fprintln(stdout, "\nstopping…")
	s.Close()
	_ = os.Remove(rec)
	fmt.Fprintln(stdout, "stopped; state kept in", s.Dir)
	return 0
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}

func status(dir string, stdout io.Writer) int {
	r, err := ReadRecord(dir)
	if err != nil || !processAlive(r.PID) {
		fmt.Fprintln(stdout, "trustgate: not running")
		return 3
	}
	fmt.Fprintf(stdout, "trustgate up running (pid %d) since %s\n", r.PID, r.Started)
	c := &http.Client{Timeout: 3 * time.Second}
	for _, chk := range []struct{ name, url string }{
		{"dashboard", r.DashboardURL + "/healthz"},
		{"guest local API", r.GuestURL + "/info"},
		{"deid app (inside the VM)", r.AppURL + "/readyz"},
	} {
		state := "down"
		if resp, err := c.Get(chk.url); err == nil {
			resp.Body.Close()
			state = fmt.Sprintf("HTTP %d", resp.StatusCode)
		}
		fmt.Fprintf(stdout, "  %-26s %-45s %s\n", chk.name, chk.url, state)
	}
	fmt.Fprintf(stdout, "  %-26s %s\n  %-26s %s\n", "trustee", r.TrusteeURL, "mTLS sidecar", r.SidecarURL)
	return 0
}

func down(dir string, stdout, stderr io.Writer) int {
	r, err := ReadRecord(dir)
	if err != nil || !processAlive(r.PID) {
		fmt.Fprintln(stdout, "trustgate: not running")
		return 0
	}
	p, _ := os.FindProcess(r.PID)
	if err := p.Signal(syscall.SIGTERM); err != nil {
		fmt.Fprintln(stderr, "trustgate down:", err)
		return 1
	}
	for i := 0; i < 150 && processAlive(r.PID); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if processAlive(r.PID) {
		fmt.Fprintf(stderr, "trustgate down: pid %d still running after 15 s\n", r.PID)
		return 1
	}
	fmt.Fprintln(stdout, "trustgate: stopped")
	return 0
}
