package cliflags

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestFromLookup(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    string // listen and interval as "listen interval"
		wantErr string
	}{
		{name: "defaults", want: ":80 1s"},
		{name: "env fills", env: map[string]string{"X_LISTEN": ":81", "X_LATE_AFTER": "2s"}, want: ":81 2s"},
		{name: "command line wins", args: []string{"--listen", ":82"}, env: map[string]string{"X_LISTEN": ":81"}, want: ":82 1s"},
		{name: "bad value names the variable", env: map[string]string{"X_LATE_AFTER": "soon"}, wantErr: "X_LATE_AFTER"},
		{name: "bad value ignored when the flag is given", args: []string{"--late-after", "3s"}, env: map[string]string{"X_LATE_AFTER": "soon"}, want: ":80 3s"},
		{name: "other prefixes ignored", env: map[string]string{"Y_LISTEN": ":83"}, want: ":80 1s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			listen := fs.String("listen", ":80", "")
			late := fs.Duration("late-after", time.Second, "")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := FromLookup(fs, "X_", func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := *listen + " " + late.String(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEnvName(t *testing.T) {
	if got := EnvName("TRUSTGATE_TLS_SIDECAR_", "health-listen"); got != "TRUSTGATE_TLS_SIDECAR_HEALTH_LISTEN" {
		t.Fatal(got)
	}
}
