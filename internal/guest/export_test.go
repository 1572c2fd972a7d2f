package guest

import "github.com/trustgate/trustgate/internal/cliflags"

// EnvName is the environment variable for a flag: TRUSTGATE_GUEST_<FLAG>.
func EnvName(flagName string) string { return cliflags.EnvName(envPrefix, flagName) }
