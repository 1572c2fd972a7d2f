// Package cliflags holds the one rule every trustgate command line follows:
// each flag can also be given as an environment variable, PREFIX plus the
// flag name in upper case with dashes as underscores (--token-key under
// DASHBOARD_ is DASHBOARD_TOKEN_KEY). The command line wins over the
// environment, and a value the flag refuses is an error naming the
// variable, so that a typo stops the start instead of being ignored.
package cliflags

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// EnvName is the environment variable for the flag name under prefix.
func EnvName(prefix, name string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// EnvDefaults sets every flag of fs that the command line did not set from
// its environment variable (see EnvName). Call it after fs.Parse.
func EnvDefaults(fs *flag.FlagSet, prefix string) error {
	return FromLookup(fs, prefix, os.LookupEnv)
}

// FromLookup is EnvDefaults reading variables through lookup, for commands
// that take their environment as a parameter.
func FromLookup(fs *flag.FlagSet, prefix string, lookup func(string) (string, bool)) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := EnvName(prefix, f.Name)
		if v, ok := lookup(env); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", env, e)
			}
		}
	})
	return err
}
