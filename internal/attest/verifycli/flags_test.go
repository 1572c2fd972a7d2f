package verifycli

import (
	"testing"

	"github.com/trustgate/trustgate/internal/cliflags/cliflagstest"
)

// TestFlags: `trustee verify` reads trustee's variables (TRUSTEE_<FLAG>,
// then the older TRUSTGATE_TRUSTEE_<FLAG>; the flag wins), help exits 0 and
// names each variable, and a mistake on the command line exits 2.
func TestFlags(t *testing.T) {
	cliflagstest.Run(t, Main, []cliflagstest.Case{
		{"help", []string{"-h"}, nil, 0, "(env TRUSTEE_ALLOW_DEBUG)"},
		{"unknown flag", []string{"--tea", "snp"}, nil, 2, "flag provided but not defined: -tea"},
		{"missing --tee", []string{"--evidence", "x"}, nil, 2, "-evidence"},
		{"bad TRUSTEE_ variable", nil, map[string]string{"TRUSTEE_ALLOW_DEBUG": "maybe"}, 2, "trustee verify: TRUSTEE_ALLOW_DEBUG"},
		{"bad legacy variable", nil, map[string]string{"TRUSTGATE_TRUSTEE_ALLOW_DEBUG": "maybe"}, 2, "trustee verify: TRUSTGATE_TRUSTEE_ALLOW_DEBUG"},
		{"TRUSTEE_ first: legacy not read", nil, map[string]string{"TRUSTEE_ALLOW_DEBUG": "true", "TRUSTGATE_TRUSTEE_ALLOW_DEBUG": "maybe"}, 2, "-evidence"},
		{"flag first: variables not read", []string{"--allow-debug=false"}, map[string]string{"TRUSTEE_ALLOW_DEBUG": "maybe"}, 2, "-evidence"},
		{"--now=v", []string{"--tee", "sample", "--evidence", "x", "--now=yesterday"}, nil, 2, "trustee verify: --now"},
		{"--tee from TRUSTEE_TEE", []string{"--evidence", "x", "-now", "yesterday"}, map[string]string{"TRUSTEE_TEE": "sample"}, 2, "trustee verify: --now"},
	})
}
