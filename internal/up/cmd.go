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
	GatewayURL   string `json:"gateway_url,omitempty"`
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
		TrusteeCert: s.TrusteeCert, AdminKey: s.AdminKey, GuestURL: s.GuestURL, AppURL: s.AppURL, SidecarURL: s.SidecarURL, GatewayURL: s.GatewayURL,
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
  (password in %s.password); trust %s, Trustee's identity bundle, for the sidecar's certificate.

De-identify the example note through the mTLS sidecar:
  curl --cacert %s --cert %s --key %s --data-binary 'Dr. Strange admitted John Doe to Mount Rushmore Hospital on 2023-05-12' %s/api/redact

Trustee's admin key is %s; for example, its audit log:
  go run ./cmd/trustee admin --url %s --cacert %s --key %s audit

Approved notes go to %s. This command stays in the foreground: Ctrl-C stops everything
(or `+"`trustgate down`"+` from another terminal); state stays in %s for the next run.
Also: trustgate status, trustgate demo denials.
`, s.SidecarURL, s.DashboardURL, s.DashPassword, s.TrusteeURL, s.GuestURL,
		s.ClientP12, s.ClientP12, s.SidecarCA,
		s.SidecarCA, s.ClientCert, s.ClientKey, s.SidecarURL,
		s.AdminKey, s.TrusteeURL, s.TrusteeCert, s.AdminKey,
		s.blobWhere(), s.Dir)
	if s.GatewayURL != "" {
		fmt.Fprintf(w, `
Workload identity: the sidecar's key was born in memory and its certificate (%s)
comes from Trustee's identity CA; %s is the trust bundle. The research gateway (%s) calls the
de-identification sidecar with workload-to-workload mTLS:
  curl --cacert %s --cert %s --key %s --data-binary 'Dr. Strange admitted John Doe' %s/api/redact
`, DeidSPIFFEID, s.SidecarCA, GatewaySPIFFEID, s.SidecarCA, s.ClientCert, s.ClientKey, s.GatewayURL)
	}
}

func (s *Stack) blobWhere() string {
	if s.BlobDir != "" {
		return filepath.Join(s.BlobDir, Container)
	}
	return "the Azurite container " + Container
}

const usage = `usage: trustgate COMMAND [flags]

The whole hospital flow on one machine (software TEE: it shows the flow, not the hardware).

Commands:
  up              start Trustee, the dashboard, a blob store and a software-TEE VM running the
                  de-identification app; stays in the foreground (Ctrl-C stops everything)
  status          what a running up serves, and whether it answers
  down            stop a running up (from another terminal)
  demo denials    with an up running: make each gate refuse, and show it on the dashboard
  help [COMMAND]  this text, or a command's flags

Every flag is also read from TRUSTGATE_<FLAG> (upper case, dashes as underscores).
See docs/trustgate.md.`

var summaries = map[string]string{
	"up":     "Start everything in this process and stay in the foreground; Ctrl-C (or `trustgate down`) stops it.\nState (keys, certificates, secrets) lives in --state-dir and is reused by the next run.",
	"status": "Show what a running `trustgate up` serves and whether each part answers (exit 3 when none runs).",
	"down":   "Stop the `trustgate up` running from --state-dir.",
	"demo":   "With an up running, make each gate refuse (changed initdata, unsigned image, debug TEE, forged beacon);\nthe command fails if any scenario is allowed.",
}

// aliases answers common guesses with the real command.
var aliases = map[string]string{"start": "up", "run": "up", "stop": "down", "ps": "status", "demo-denials": "demo denials", "denials": "demo denials"}

// Main runs the trustgate command: up, status, down, demo denials.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "trustgate: no command given\n\n%s\n", usage)
		return cliflags.ExitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help", "-help":
		if len(rest) > 0 && summaries[rest[0]] != "" {
			return Main([]string{rest[0], "--help"}, stdout, stderr)
		}
		fmt.Fprintln(stdout, usage)
		return 0
	}
	if summaries[cmd] == "" {
		fmt.Fprintf(stderr, "trustgate: unknown command %q", cmd)
		if real, ok := aliases[cmd]; ok {
			fmt.Fprintf(stderr, " (did you mean `trustgate %s`?)", real)
		} else if strings.HasPrefix(cmd, "-") {
			fmt.Fprint(stderr, " (flags come after the command: `trustgate up "+cmd+"`)")
		}
		fmt.Fprintf(stderr, "\n\n%s\n", usage)
		return cliflags.ExitUsage
	}
	name := "trustgate " + cmd
	if cmd == "demo" {
		if len(rest) > 0 && (rest[0] == "-h" || rest[0] == "--help" || rest[0] == "help") {
			rest = []string{"denials", "--help"}
		}
		if len(rest) == 0 || rest[0] != "denials" {
			fmt.Fprintln(stderr, "trustgate demo: which demo? The one there is: `trustgate demo denials`")
			fmt.Fprintln(stderr, "usage: trustgate demo denials [--state-dir DIR]")
			return cliflags.ExitUsage
		}
		rest, name = rest[1:], "trustgate demo denials"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	dir := fs.String("state-dir", ".trustgate", "state directory")
	var noAzurite, identityMode *bool
	var o Options
	if cmd == "up" {
		noAzurite = fs.Bool("no-azurite", false, "store blobs in a local directory even when Azurite is installed")
		fs.StringVar(&o.TrusteeAddr, "trustee-addr", "127.0.0.1:8080", "Trustee's address")
		fs.StringVar(&o.GuestAddr, "guest-addr", "127.0.0.1:8006", "the VM's guest local API")
		fs.StringVar(&o.AppAddr, "app-addr", "127.0.0.1:8081", "the deid app inside the VM, loopback only")
		fs.StringVar(&o.SidecarAddr, "sidecar-addr", "127.0.0.1:8443", "the mTLS sidecar users reach")
		fs.StringVar(&o.DashboardAddr, "dashboard-addr", "127.0.0.1:9443", "the dashboard")
		identityMode = fs.Bool("identity", true, "accepted for compatibility, always on: sidecar keys born in memory, certificates from Trustee's identity CA,\nand a second workload (research gateway, --gateway-addr) calling the deid sidecar with mTLS by SPIFFE ID")
		fs.StringVar(&o.GatewayAddr, "gateway-addr", "127.0.0.1:8444", "the research gateway's sidecar (second workload)")
		o.LogLevel, o.LogFormat = "info", "text"
		cliflags.LogFlags(fs, &o.LogLevel, &o.LogFormat)
		fs.StringVar(&o.Model, "model", "", "folder of an ONNX token-classification model (model.onnx, tokenizer.json, config.json)\nthe deid app runs next to its rules (as deid serve --model DIR); needs TRUSTGATE_ONNXRUNTIME_LIB")
	}
	if code, ok := cliflags.Parse(fs, rest, "TRUSTGATE_", summaries[cmd], stdout, stderr); !ok {
		return code
	}
	if _, err := cliflags.NewLogger(o.LogLevel, o.LogFormat, io.Discard); err != nil {
		return cliflags.Report(stderr, name, err)
	}
	switch cmd {
	case "up":
		o.StateDir, o.Out = *dir, stdout
		if *noAzurite {
			o.Azurite = "-"
		}
		if !*identityMode {
			fmt.Fprintln(stderr, "trustgate up: --identity=false: up always runs workload identity (sidecar keys born in the VM, certificates from Trustee's identity CA); "+
				"the uploaded-key scheme survives only as the deprecated `cocofy apply --uploaded-server-key` (docs/tls-sidecar.md, \"Migration from uploaded keys\")")
			return cliflags.ExitUsage
		}
		return runUp(o, stderr)
	case "status":
		return status(*dir, stdout)
	case "down":
		return down(*dir, stdout, stderr)
	}
	r, err := ReadRecord(*dir)
	if err != nil {
		fmt.Fprintln(stderr, "trustgate:", err)
		return 1
	}
	ctx, stop := cliflags.SignalContext(context.Background())
	defer stop()
	if err := Denials(ctx, r, stdout); err != nil {
		fmt.Fprintln(stderr, "trustgate demo denials:", err)
		return 1
	}
	return 0
}

func runUp(opts Options, stderr io.Writer) int {
	stdout := opts.Out
	if r, err := ReadRecord(opts.StateDir); err == nil && processAlive(r.PID) {
		fmt.Fprintf(stderr, "trustgate: already running (pid %d) from %s; `trustgate down` stops it\n", r.PID, opts.StateDir)
		return 1
	}
	ctx, stop := cliflags.SignalContext(context.Background())
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
