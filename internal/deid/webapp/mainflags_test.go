package webapp

import (
	"io"
	"os"
	"testing"

	"github.com/trustgate/trustgate/internal/cliflags/cliflagstest"
)

// TestMainFlagTable: `deid serve`'s flags, variables and logging flags:
// help 0, a mistake on the command line or in a variable 2 naming it, and a
// command line that parses but cannot start (a model folder without a
// model) 1.
func TestMainFlagTable(t *testing.T) {
	noModel := t.TempDir()
	cliflagstest.Run(t, func(args []string, stdout, _ io.Writer) int { return mainWithEnv(args, os.Getenv, stdout) }, []cliflagstest.Case{
		{"help", []string{"--help"}, nil, 0, "(env TRUSTGATE_DEID_LOG_FORMAT)"},
		{"unknown flag", []string{"--adr", ":1"}, nil, 2, "flag provided but not defined: -adr"},
		{"bad value", []string{"--max-batch", "many"}, nil, 2, "invalid value"},
		{"bad variable", nil, map[string]string{"TRUSTGATE_DEID_MAX_BATCH": "many"}, 2, "deid serve: TRUSTGATE_DEID_MAX_BATCH"},
		{"bad mode", []string{"--mode", "bogus"}, nil, 2, "bogus"},
		{"bad log level", []string{"--log-level", "loud"}, nil, 2, `deid serve: --log-level "loud"`},
		{"bad log format variable", nil, map[string]string{"TRUSTGATE_DEID_LOG_FORMAT": "xml"}, 2, `deid serve: --log-format "xml"`},
		{"flag beats variable", []string{"--tagger=false", "--model", noModel, "--log-format", "text"}, map[string]string{"TRUSTGATE_DEID_LOG_FORMAT": "xml"}, 1, "level=ERROR"},
		{"empty variable is unset", []string{"--tagger=false", "--model", noModel}, map[string]string{"TRUSTGATE_DEID_LOG_FORMAT": ""}, 1, `"level":"ERROR"`},
		{"json by default, -x v", []string{"-tagger=false", "-model", noModel, "-log-level", "debug"}, nil, 1, `"level":"ERROR"`},
	})
}
