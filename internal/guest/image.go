package guest

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/trustgate/trustgate/internal/guest/localapi"
	"github.com/trustgate/trustgate/internal/imagesig"
)

// APIEnv names the environment variable with the local API's base URL that
// `guest image` uses (its --api flag wins).
const APIEnv = "TRUSTGATE_GUEST_API"

func init() { ImageMain = imageMain }

// imageMain runs "guest image verify|pull". Keys and policies named
// kbs:///… come through the local API of the running daemon, at --api
// (TRUSTGATE_GUEST_API; default http://127.0.0.1:8006). When the caller
// gives neither --policy nor --policy-uri, the policy is the one the daemon
// is configured with (cdh.toml [image] image_security_policy_uri), as
// upstream's image-rs takes it from the data hub's config; when the daemon
// has none, imagesig refuses the image (fail closed).
func imageMain(args []string, stdout, stderr io.Writer) int {
	var api string
	apiURL := func() string {
		if api == "" {
			return "http://" + DefaultListen
		}
		return api
	}
	return imagesig.GuestImage{
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&api, "api", "", "the guest's local API (default http://"+DefaultListen+")")
		},
		Fetcher: func() imagesig.ResourceFetcher { return imagesig.NewAPIServerFetcher(apiURL()) },
		ConfiguredPolicy: func(stderr io.Writer) (string, bool) {
			uri, err := configuredImagePolicy(apiURL())
			switch {
			case err != nil:
				// Whether a policy is configured is unknown: refuse, even with
				// --insecure-accept-anything (it applies only when none is).
				fmt.Fprintf(stderr, "denied: no --policy or --policy-uri given, and the guest's configured image policy could not be read: %v\n", err)
				return "", false
			case uri == "":
				fmt.Fprintln(stderr, "guest image: no --policy or --policy-uri given, and the guest has no image policy configured "+
					"(initdata cdh.toml [image] image_security_policy_uri, or guest serve --image-security-policy-uri)")
			default:
				fmt.Fprintf(stderr, "guest image: using the configured image policy %s (cdh.toml [image] image_security_policy_uri)\n", uri)
			}
			return uri, true
		},
	}.Main(args, stdout, stderr)
}

// configuredImagePolicy asks the daemon at api for its image policy URI;
// "" means none is configured.
func configuredImagePolicy(api string) (string, error) {
	c, err := localapi.New(api)
	if err != nil {
		return "", err
	}
	ic, err := c.ImageConfig(context.Background())
	if localapi.KindOf(err) == localapi.Unreachable {
		return "", fmt.Errorf("%w (is guest serve running? set --api or %s)", err, APIEnv)
	}
	if err != nil {
		return "", err
	}
	return ic.ImageSecurityPolicyURI, nil
}
