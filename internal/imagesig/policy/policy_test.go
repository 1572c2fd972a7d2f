package policy

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		wantErr string
	}{
		{"upstream example", `{"default":[{"type":"reject"}],"transports":{"docker":{"ghcr.io/org":[{"type":"sigstoreSigned","keyPath":"kbs:///default/cosign-public-key/1"}]}}}`, ""},
		{"accept anything", `{"default":[{"type":"insecureAcceptAnything"}]}`, ""},
		{"keyData base64", `{"default":[{"type":"sigstoreSigned","keyData":"LS0tLS1CRUdJTg=="}]}`, ""},
		{"keyPaths", `{"default":[{"type":"sigstoreSigned","keyPaths":["/a.pub","/b.pub"]}]}`, ""},
		{"identity", `{"default":[{"type":"sigstoreSigned","keyPath":"/k","signedIdentity":{"type":"matchRepository"}}]}`, ""},
		{"signedBy parses", `{"default":[{"type":"signedBy","keyType":"GPGKeys","keyPath":"/k.gpg"}]}`, ""},
		{"wildcard scope", `{"default":[{"type":"reject"}],"transports":{"docker":{"*.example.com":[{"type":"insecureAcceptAnything"}]}}}`, ""},
		{"empty default", `{"default":[]}`, `"default" must list`},
		{"missing default", `{"transports":{}}`, `"default" must list`},
		{"unknown field", `{"default":[{"type":"sigstoreSigned","key_path":"/k"}]}`, "unknown field"},
		{"unknown type", `{"default":[{"type":"acceptSometimes"}]}`, "unknown requirement type"},
		{"no type", `{"default":[{}]}`, `no "type"`},
		{"sigstore without key", `{"default":[{"type":"sigstoreSigned"}]}`, "needs"},
		{"key and keys", `{"default":[{"type":"sigstoreSigned","keyPath":"/a","keyPaths":["/b"]}]}`, "either"},
		{"reject with key", `{"default":[{"type":"reject","keyPath":"/a"}]}`, "takes no other fields"},
		{"empty scope list", `{"default":[{"type":"reject"}],"transports":{"docker":{"ghcr.io":[]}}}`, "empty"},
		{"bad wildcard", `{"default":[{"type":"reject"}],"transports":{"docker":{"ghcr.*/x":[{"type":"reject"}]}}}`, "wildcard"},
		{"trailing data", `{"default":[{"type":"reject"}]} {}`, "trailing"},
		{"not json", `default: reject`, "parse image policy"},
		{"exactRepository without repo", `{"default":[{"type":"sigstoreSigned","keyPath":"/k","signedIdentity":{"type":"exactRepository"}}]}`, "dockerRepository"},
		{"too large", `{"default":[{"type":"reject"}]}` + strings.Repeat(" ", MaxPolicyBytes), "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if len(p.Default) == 0 {
					t.Fatal("default empty after successful parse")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Parse error = %v, want containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestKeyDataDecodesBase64(t *testing.T) {
	p, err := Parse([]byte(`{"default":[{"type":"sigstoreSigned","keyData":"aGVsbG8="}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(p.Default[0].InlineKeys()[0]); got != "hello" {
		t.Fatalf("keyData = %q, want hello", got)
	}
}

func TestRequirementsScopes(t *testing.T) {
	doc := `{
	  "default": [{"type":"reject"}],
	  "transports": {"docker": {
	    "":                          [{"type":"sigstoreSigned","keyPath":"/transport-default"}],
	    "ghcr.io":                   [{"type":"sigstoreSigned","keyPath":"/registry"}],
	    "ghcr.io/org":               [{"type":"sigstoreSigned","keyPath":"/namespace"}],
	    "ghcr.io/org/team":          [{"type":"sigstoreSigned","keyPath":"/deeper-namespace"}],
	    "ghcr.io/org/app":           [{"type":"sigstoreSigned","keyPath":"/repository"}],
	    "ghcr.io/org/app:debug":     [{"type":"reject"}],
	    "*.example.com":             [{"type":"insecureAcceptAnything"}],
	    "*.eu.example.com":          [{"type":"reject"}],
	    "docker.io/library/busybox": [{"type":"insecureAcceptAnything"}]
	  }}
	}`
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		img   ImageName
		scope string
	}{
		{ImageName{Registry: "ghcr.io", Repository: "org/app", Tag: "v1"}, "ghcr.io/org/app"},
		{ImageName{Registry: "ghcr.io", Repository: "org/app", Tag: "debug"}, "ghcr.io/org/app:debug"},
		{ImageName{Registry: "ghcr.io", Repository: "org/app", Digest: "sha256:aa"}, "ghcr.io/org/app"},
		{ImageName{Registry: "ghcr.io", Repository: "org/other"}, "ghcr.io/org"},
		{ImageName{Registry: "ghcr.io", Repository: "org/team/svc"}, "ghcr.io/org/team"},
		{ImageName{Registry: "ghcr.io", Repository: "organisation/app"}, "ghcr.io"}, // no prefix match on partial segment
		{ImageName{Registry: "ghcr.io", Repository: "elsewhere/app"}, "ghcr.io"},
		{ImageName{Registry: "reg.example.com", Repository: "x"}, "*.example.com"},
		{ImageName{Registry: "reg.eu.example.com:5000", Repository: "x"}, "*.eu.example.com"},
		{ImageName{Registry: "example.com", Repository: "x"}, ""}, // the wildcard needs a subdomain
		{ImageName{Registry: "quay.io", Repository: "x"}, ""},
		{ImageName{Registry: "docker.io", Repository: "library/busybox", Tag: "latest"}, "docker.io/library/busybox"},
	}
	for _, tt := range tests {
		m := p.Requirements(tt.img)
		if m.Scope != tt.scope {
			t.Errorf("%+v: scope %q, want %q", tt.img, m.Scope, tt.scope)
		}
	}
	// Without a transport default the global default applies.
	p2, err := Parse([]byte(`{"default":[{"type":"reject"}],"transports":{"docker":{"ghcr.io":[{"type":"insecureAcceptAnything"}]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	m := p2.Requirements(ImageName{Registry: "quay.io", Repository: "x"})
	if m.Scope != "default" || m.Requirements[0].Type != TypeReject {
		t.Fatalf("got %+v, want the global default reject", m)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"default":[{"type":"reject"}],"transports":{"docker":{"ghcr.io/org":[{"type":"sigstoreSigned","keyPath":"kbs:///default/cosign-public-key/1"}]}}}`))
	f.Add([]byte(`{"default":[{"type":"insecureAcceptAnything"}]}`))
	f.Add([]byte(`{"default":[{"type":"sigstoreSigned","keyData":"aGVsbG8=","signedIdentity":{"type":"exactRepository","dockerRepository":"a/b"}}]}`))
	f.Add([]byte(`{"default":[{"type":"reject"}],"transports":{"docker":{"*.x.y":[{"type":"reject"}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			return
		}
		if len(p.Default) == 0 {
			t.Fatal("accepted a policy with an empty default")
		}
		// Lookup must be total on any accepted policy.
		m := p.Requirements(ImageName{Registry: "ghcr.io", Repository: "org/app", Tag: "v1", Digest: "sha256:00"})
		if len(m.Requirements) == 0 {
			t.Fatalf("scope %q matched an empty requirement list", m.Scope)
		}
	})
}

func BenchmarkParseAndLookup(b *testing.B) {
	doc := []byte(`{"default":[{"type":"reject"}],"transports":{"docker":{
	  "ghcr.io/org":[{"type":"sigstoreSigned","keyPath":"kbs:///default/cosign-public-key/1"}],
	  "ghcr.io/org/app:debug":[{"type":"reject"}],
	  "*.example.com":[{"type":"insecureAcceptAnything"}]}}}`)
	img := ImageName{Registry: "ghcr.io", Repository: "org/team/app", Tag: "v1", Digest: "sha256:00"}
	for i := 0; i < b.N; i++ {
		p, err := Parse(doc)
		if err != nil {
			b.Fatal(err)
		}
		if m := p.Requirements(img); m.Scope != "ghcr.io/org" {
			b.Fatal(m.Scope)
		}
	}
}
