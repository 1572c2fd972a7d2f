package deploytest

import (
	"regexp"
	"strings"
	"testing"
)

// leakPatterns are shapes of secret material that must never be committed
// under deploy/ or manifests/.
var leakPatterns = map[string]*regexp.Regexp{
	"private key":                regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`),
	"URL with a password":        regexp.MustCompile(`[a-z][a-z0-9+.-]*://[^/\s:@'"]+:[^@\s'"]+@`),
	"Azure account key":          regexp.MustCompile(`AccountKey=[A-Za-z0-9+/]{20,}`),
	"AWS access key":             regexp.MustCompile(`AKIA[0-9A-Z]{16}`),
	"GitHub token":               regexp.MustCompile(`gh[pousr]_[A-Za-z0-9]{30,}`),
	"base64 32-byte key literal": regexp.MustCompile(`(?i)(kek|key|password|token)["']?\s*[:=]\s*["']?[A-Za-z0-9+/]{43}=`),
}

// leaks lists the secret-looking strings in text; placeholders (REPLACE,
// PASSWORD as a word in an example URL) do not count.
func leaks(text string) []string {
	var out []string
	for what, re := range leakPatterns {
		for _, m := range re.FindAllString(text, -1) {
			if strings.Contains(m, "REPLACE") || strings.Contains(m, ":PASSWORD@") {
				continue
			}
			out = append(out, what+": "+m)
		}
	}
	return out
}

func TestLeakScannerCatches(t *testing.T) {
	for _, s := range []string{
		"-----BEGIN PRIVATE KEY-----", "-----BEGIN EC PRIVATE KEY-----",
		"url: postgres://trustee:hunter2@db:5432/trustee",
		"AccountKey=abcdefghijklmnopqrstuvwxyz0123==",
		"kek: " + strings.Repeat("A", 43) + "=",
	} {
		if len(leaks(s)) == 0 {
			t.Errorf("%q not caught", s)
		}
	}
	for _, s := range []string{"postgres://trustee:PASSWORD@HOST:5432/trustee", "REPLACE_WITH_ADMIN_ED25519_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----"} {
		if l := leaks(s); len(l) != 0 {
			t.Errorf("%q flagged: %v", s, l)
		}
	}
}

// TestNoSecretsCommitted scans every deployment artifact as text.
func TestNoSecretsCommitted(t *testing.T) {
	var files []string
	for _, d := range []string{"deploy", "manifests"} {
		files = append(files, repoFiles(t, d, "")...)
	}
	for _, f := range files {
		for _, l := range leaks(string(readRepo(t, f))) {
			t.Errorf("%s: %s", f, l)
		}
	}
}
