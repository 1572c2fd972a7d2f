package beacon

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/trustgate/trustgate/internal/cliflags"
)

// Main runs `beacon [flags]`. Every flag also reads an environment variable
// BEACON_<FLAG> (upper case, dashes as underscores); POD_NAME and
// POD_NAMESPACE (the Kubernetes downward API) fill --pod and --namespace.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("beacon", flag.ContinueOnError)
	guest := fs.String("guest-url", "http://127.0.0.1:8006", "the guest's local API")
	dash := fs.String("dashboard", "", "dashboard base URL (required)")
	interval := fs.Duration("interval", 10*time.Second, "time between heartbeats")
	pod := fs.String("pod", os.Getenv("POD_NAME"), "workload (pod) name")
	ns := fs.String("namespace", os.Getenv("POD_NAMESPACE"), "namespace")
	image := fs.String("image-digest", "", "digest of the workload's image")
	tee := fs.String("tee", "", "TEE the workload runs in")
	initdata := fs.String("initdata-digest", "", "hex digest of the workload's initdata")
	once := fs.Bool("once", false, "send one heartbeat and exit")
	var logging cliflags.Logging
	logging.Register(fs)
	if code, ok := cliflags.Parse(fs, args, "BEACON_", summary, stdout, stderr); !ok {
		return code
	}
	switch {
	case *dash == "" && *pod == "":
		fmt.Fprintln(stderr, "beacon: --dashboard and --pod are required (e.g. --dashboard http://127.0.0.1:9443 --pod deid-0; in Kubernetes POD_NAME fills --pod)")
		return cliflags.ExitUsage
	case *dash == "":
		fmt.Fprintln(stderr, "beacon: --dashboard is required: the dashboard's base URL, e.g. http://127.0.0.1:9443")
		return cliflags.ExitUsage
	case *pod == "":
		fmt.Fprintln(stderr, "beacon: --pod is required: the workload's name (in Kubernetes, POD_NAME from the downward API fills it)")
		return cliflags.ExitUsage
	}
	if u, err := url.Parse(*dash); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		fmt.Fprintf(stderr, "beacon: --dashboard %q is not an http:// or https:// URL\n", *dash)
		return cliflags.ExitUsage
	}
	if *ns == "" {
		*ns = "default"
	}
	logger, err := logging.Logger(stderr)
	if err != nil {
		return cliflags.Report(stderr, "beacon", err)
	}
	s := &Sender{
		Source:    GuestAPI{URL: *guest},
		Dashboard: *dash,
		Workload:  Workload{Pod: *pod, Namespace: *ns, ImageDigest: *image, TEE: *tee, InitDataDigest: *initdata},
		Interval:  *interval,
		Logger:    logger,
	}
	ctx, stop := cliflags.SignalContext(context.Background())
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

const summary = `Sends a signed heartbeat to the dashboard every --interval: the current attestation
token from the guest's local API, and the workload's identity signed with the TEE key that
token binds. Example, inside the confidential VM:

  beacon --dashboard https://dashboard.example:9443 --pod deid-0 --namespace hospital --once

See docs/dashboard.md.`
