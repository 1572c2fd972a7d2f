package beacon

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/trustgate/trustgate/internal/cliflags"
)

// Main runs `beacon [flags]`. Every flag also reads an environment variable
// BEACON_<FLAG> (upper case, dashes as underscores); POD_NAME and
// POD_NAMESPACE (the Kubernetes downward API) fill --pod and --namespace.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("beacon", flag.ContinueOnError)
	fs.SetOutput(stderr)
	guest := fs.String("guest-url", "http://127.0.0.1:8006", "the guest's local API")
	dash := fs.String("dashboard", "", "dashboard base URL (required)")
	interval := fs.Duration("interval", 10*time.Second, "time between heartbeats")
	pod := fs.String("pod", os.Getenv("POD_NAME"), "workload (pod) name")
	ns := fs.String("namespace", os.Getenv("POD_NAMESPACE"), "namespace")
	image := fs.String("image-digest", "", "digest of the workload's image")
	tee := fs.String("tee", "", "TEE the workload runs in")
	initdata := fs.String("initdata-digest", "", "hex digest of the workload's initdata")
	once := fs.Bool("once", false, "send one heartbeat and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := cliflags.EnvDefaults(fs, "BEACON_"); err != nil {
		fmt.Fprintln(stderr, "beacon:", err)
		return 2
	}
	if *dash == "" || *pod == "" {
		fmt.Fprintln(stderr, "beacon: --dashboard and --pod are required")
		return 2
	}
	if *ns == "" {
		*ns = "default"
	}
	s := &Sender{
		Source:    GuestAPI{URL: *guest},
		Dashboard: *dash,
		Workload:  Workload{Pod: *pod, Namespace: *ns, ImageDigest: *image, TEE: *tee, InitDataDigest: *initdata},
		Interval:  *interval,
		Logger:    slog.New(slog.NewTextHandler(stderr, nil)),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *once {
		if err := s.SendOnce(ctx); err != nil {
			fmt.Fprintln(stderr, "beacon:", err)
			return 1
		}
		fmt.Fprintln(stdout, "heartbeat accepted")
		return 0
	}
	_ = s.Run(ctx)
	return 0
}
