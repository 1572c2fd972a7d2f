package guest

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/trustgate/trustgate/internal/guest/localapi"
	"github.com/trustgate/trustgate/internal/imagesig"
)

// APIEnv names the environment variable with the local API's base URL that
// `guest image` uses (its --api flag wins).
const APIEnv = "TRUSTGATE_GUEST_API"

func init() { ImageMain = imageMain }

// imageMain runs "guest image verify|pull". Keys and policies named
// kbs:///… come through the local API of the running daemon. When the
// caller gives neither --policy nor --policy-uri, the policy is the one the
// daemon is configured with (cdh.toml [image] image_security_policy_uri),
// as upstream's image-rs takes it from the data hub's config; when the
// daemon has none, imagesig refuses the image (fail closed).
func imageMain(args []string, stdout, stderr io.Writer) int {
	args, api, sc := scanImageArgs(args)
	if api == "" {
		api = os.Getenv(APIEnv)
	}
	if api == "" {
		api = "http://" + DefaultListen
	}
	if sc.needsConfig() {
		uri, err := configuredImagePolicy(api)
		if err != nil {
			// Whether a policy is configured is unknown: refuse, even with
			// --insecure-accept-anything (it applies only when none is).
			fmt.Fprintf(stderr, "denied: no --policy or --policy-uri given, and the guest's configured image policy could not be read: %v\n", err)
			return imagesig.ExitDenied
		}
		if uri == "" {
			fmt.Fprintln(stderr, "guest image: no --policy or --policy-uri given, and the guest has no image policy configured "+
				"(initdata cdh.toml [image] image_security_policy_uri, or guest serve --image-security-policy-uri)")
		} else {
			fmt.Fprintf(stderr, "guest image: using the configured image policy %s (cdh.toml [image] image_security_policy_uri)\n", uri)
			args = append([]string{args[0], "--policy-uri", uri}, args[1:]...)
		}
	}
	return imagesig.GuestImageMain(args, stdout, stderr, imagesig.NewAPIServerFetcher(api))
}

// imageScan is what scanImageArgs found in the arguments.
type imageScan struct {
	command     string // verify, pull, or another word (a usage error later)
	policyGiven bool   // --policy or --policy-uri, as a flag or in the environment
	help        bool
}

// needsConfig reports whether the configured policy must be looked up.
func (s imageScan) needsConfig() bool {
	return (s.command == "verify" || s.command == "pull") && !s.policyGiven && !s.help
}

// scanImageArgs takes guest's own --api flag out of the arguments for
// imagesig.GuestImageMain and notes whether the caller chose a policy.
// It only looks: GuestImageMain parses the rest (flags may follow IMAGE).
// A mistake here errs safely: a policy taken as not given is still
// overridden by --policy, and one taken as given leaves no policy, refused.
func scanImageArgs(args []string) (rest []string, api string, s imageScan) {
	if len(args) == 0 {
		return args, "", s
	}
	s.command = args[0]
	rest = []string{args[0]}
	for _, k := range []string{"policy", "policy-uri"} {
		if os.Getenv(EnvName(k)) != "" {
			s.policyGiven = true
		}
	}
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		name, val, hasVal := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		takeValue := func() string {
			if hasVal {
				return val
			}
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch name {
		case "api":
			api = takeValue()
			continue
		case "policy", "policy-uri":
			rest = append(rest, a)
			v := takeValue()
			if !hasVal && v != "" {
				rest = append(rest, v)
			}
			if v != "" {
				s.policyGiven = true
			}
			continue
		case "h", "help":
			s.help = true
		}
		rest = append(rest, a)
	}
	return rest, api, s
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
