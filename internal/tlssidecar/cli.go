package tlssidecar

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/trustgate/trustgate/internal/cliflags"
)

const summary = `tls-sidecar terminates mTLS in front of the app inside the confidential VM. It
serves nothing until the guest has released its server key and certificate after attestation
(or, with --identity, until Trustee's identity CA has certified a key born in memory).`

// Main runs the tls-sidecar command line; args exclude the program name.
// Every flag can also be set as TRUSTGATE_TLS_SIDECAR_<FLAG>.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tls-sidecar", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	fs.StringVar(&c.Listen, "listen", ":8443", "TLS listen address")
	fs.StringVar(&c.HealthListen, "health-listen", ":8444", "plain HTTP /healthz address (empty: none)")
	fs.StringVar(&c.Upstream, "upstream", "http://127.0.0.1:8080", "the app's URL")
	fs.StringVar(&c.API, "api", "http://127.0.0.1:8006", "guest local API")
	fs.StringVar(&c.CertURI, "cert", "", "server certificate resource (kbs:///repo/type/tag)")
	fs.StringVar(&c.KeyURI, "key", "", "server key resource")
	fs.StringVar(&c.ClientCAURI, "client-ca", "", "client CA resource")
	fs.DurationVar(&c.Refresh, "refresh", 0, "how often to check for rotated material or a due renewal (default 5m)")
	fs.BoolVar(&c.Identity, "identity", false, "generate the server key in memory and have Trustee's identity CA certify it through the guest API (no --cert/--key)")
	fs.Func("peer-id", "--identity: SPIFFE ID of an attested workload admitted as a client (repeatable)", func(v string) error {
		c.PeerIDs = append(c.PeerIDs, v)
		return nil
	})
	fs.Func("upstream-id", "--identity with an https --upstream: SPIFFE ID the upstream workload must present (repeatable)", func(v string) error {
		c.UpstreamIDs = append(c.UpstreamIDs, v)
		return nil
	})
	fs.Func("dns", "server DNS name to ask for in --identity mode (repeatable)", func(v string) error {
		c.DNSNames = append(c.DNSNames, v)
		return nil
	})
	logging := cliflags.Logging{Format: "json"}
	logging.Register(fs)
	if code, ok := cliflags.Parse(fs, args, "TRUSTGATE_TLS_SIDECAR_", summary, stdout, stderr); !ok {
		return code
	}
	var err error
	if c.Logger, err = logging.Logger(stderr); err != nil {
		return cliflags.Report(stderr, "tls-sidecar", err)
	}
	s, err := New(c)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cliflags.ExitUsage
	}
	ctx, stop := cliflags.SignalContext(context.Background())
	defer stop()
	if err := s.Run(ctx); err != nil && ctx.Err() == nil {
		c.Logger.Error("tls-sidecar stopped", "err", err)
		return 1
	}
	return 0
}
