package up

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // database/sql driver "sqlite": Trustee's database, read row by row

	"github.com/trustgate/trustgate/internal/cocofy"
	"github.com/trustgate/trustgate/internal/tlssidecar"
)

// keyForms are the encodings a leak of key would take: the raw scalar
// (bytes, hex, base64 in its four alphabets, as a JWK "d" carries it), the
// PKCS#8 and SEC 1 DER, their base64 and their PEM.
func keyForms(t *testing.T, key *ecdsa.PrivateKey) map[string][]byte {
	t.Helper()
	raw, err := key.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	sec1, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string][]byte{
		"raw scalar": raw, "hex scalar": []byte(hex.EncodeToString(raw)), "HEX scalar": []byte(strings.ToUpper(hex.EncodeToString(raw))),
		"PKCS#8 DER": p8, "SEC 1 DER": sec1,
		"PKCS#8 PEM": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		"SEC 1 PEM":  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}),
	}
	for name, enc := range map[string]*base64.Encoding{"base64": base64.StdEncoding, "base64 (raw)": base64.RawStdEncoding,
		"base64url": base64.URLEncoding, "base64url (raw)": base64.RawURLEncoding} {
		forms[name+" scalar"] = []byte(enc.EncodeToString(raw))
		forms[name+" PKCS#8"] = []byte(enc.EncodeToString(p8))
		forms[name+" SEC 1"] = []byte(enc.EncodeToString(sec1))
	}
	return forms
}

// keyScanner reports where any of the sidecars' private keys appears.
type keyScanner struct {
	t     *testing.T
	forms map[string]map[string][]byte // sidecar → form → bytes
	hits  []string
}

func (k *keyScanner) check(where string, b []byte) {
	for who, forms := range k.forms {
		for form, f := range forms {
			if bytes.Contains(b, f) {
				k.hits = append(k.hits, fmt.Sprintf("%s: the %s sidecar's private key (%s)", where, who, form))
			}
		}
	}
}

// checkBundle scans a plain cocofy bundle's decoded resource values too:
// the file holds them in base64, where the PEM or DER forms would hide.
func (k *keyScanner) checkBundle(where string, b []byte) bool {
	// The bundle's wire form (docs/cocofy.md), decoded without its Go type.
	var bundle struct {
		Format    string                         `json:"format"`
		Resources []struct{ Path, Value string } `json:"resources"`
	}
	if json.Unmarshal(b, &bundle) != nil || !strings.HasPrefix(bundle.Format, "trustgate-bundle") || len(bundle.Resources) == 0 {
		return false
	}
	for _, r := range bundle.Resources {
		v, err := base64.StdEncoding.DecodeString(r.Value)
		if err != nil {
			k.t.Fatalf("%s: resource %s: %v", where, r.Path, err)
		}
		k.check(where+" resource "+r.Path, v)
	}
	return true
}

// checkSidecarKeysNowhere is the canary scan of issue 17: the private keys
// the two sidecars serve with now (born in memory) appear in no file under
// the state dir (cocofy's key directory, the hardened output, the VM's
// initdata, Trustee's data dir), in no row of Trustee's database (every
// column of every table, and every resource value decrypted), in the
// offline bundle cocofy writes for the same example, nor in the logs.
func checkSidecarKeysNowhere(t *testing.T, s *Stack, logs ...string) {
	t.Helper()
	ctx := context.Background()
	k := &keyScanner{t: t, forms: map[string]map[string][]byte{}}
	for name, sc := range map[string]*tlssidecar.Sidecar{"deid": s.sidecar, "gateway": s.gateway} {
		c := sc.Certificate()
		if c == nil {
			t.Fatalf("the %s sidecar serves no certificate", name)
		}
		key, ok := c.PrivateKey.(*ecdsa.PrivateKey)
		if !ok {
			t.Fatalf("the %s sidecar's key is a %T", name, c.PrivateKey)
		}
		k.forms[name] = keyForms(t, key)
	}
	// The scan finds a key where one is (a control: an empty form list
	// or a wrong encoding would pass everything).
	k.check("control", k.forms["deid"]["PKCS#8 PEM"])
	if len(k.hits) == 0 {
		t.Fatal("the scan does not find the key in its own PEM")
	}
	k.hits = nil

	// The offline bundle cocofy writes for the same example, key
	// directory and options as up's online run.
	trusteeCert, err := os.ReadFile(s.TrusteeCert)
	if err != nil {
		t.Fatal(err)
	}
	input, err := exampleInput()
	if err != nil {
		t.Fatal(err)
	}
	opts := s.cocofyOptions(trusteeCert)
	opts.Offline = true
	opts.BundlePath = filepath.Join(s.Dir, "offline", "hospital.trustee-bundle.json")
	if _, err := cocofy.Apply(ctx, opts, input, "hospital.yaml", filepath.Join(s.Dir, "offline", "hardened"), io.Discard); err != nil {
		t.Fatalf("cocofy offline: %v", err)
	}

	// Every file under the state dir.
	scanned := map[string]bool{}
	err = filepath.WalkDir(s.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		k.check(p, b)
		if k.checkBundle(p, b) {
			scanned["bundle"] = true
		}
		rel, _ := filepath.Rel(s.Dir, p)
		scanned[filepath.ToSlash(rel)] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bundle", "offline/hospital.trustee-bundle.json", "trustee/trustee.db", "cocofy/sidecar/default/deid/client-key.pem", "vm/initdata.toml", "hardened/hospital.yaml"} {
		if !scanned[want] {
			t.Errorf("the scan did not read %s: it looked in the wrong place", want)
		}
	}

	// Every row of Trustee's database, column by column (a value the
	// file scan could miss when SQLite splits it across pages).
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.Dir, "trustee", "trustee.db")+"?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables := queryStrings(t, db, "SELECT name FROM sqlite_master WHERE type = 'table'")
	rows := 0
	for _, table := range tables {
		rs, err := db.QueryContext(ctx, `SELECT * FROM "`+strings.ReplaceAll(table, `"`, `""`)+`"`)
		if err != nil {
			t.Fatalf("table %s: %v", table, err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			cells := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range cells {
				ptrs[i] = &cells[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, c := range cells {
				k.check(fmt.Sprintf("trustee database %s.%s", table, cols[i]), fmt.Append(nil, c))
				if b, ok := c.([]byte); ok {
					k.check(fmt.Sprintf("trustee database %s.%s", table, cols[i]), b)
				}
			}
			rows++
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		rs.Close()
	}
	if rows == 0 || len(tables) < 3 {
		t.Fatalf("trustee database: %d tables, %d rows: the scan proves nothing", len(tables), rows)
	}
	// Resource values are encrypted at rest: scan them decrypted too.
	paths, err := s.Trustee.Store.ListResources(ctx)
	if err != nil || len(paths) == 0 {
		t.Fatalf("trustee resources: %v (%d)", err, len(paths))
	}
	for _, p := range paths {
		v, err := s.Trustee.Store.GetResource(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		k.check("trustee resource "+p, v)
	}

	for i, l := range logs {
		if l == "" {
			t.Errorf("log %d is empty: the scan proves nothing", i)
		}
		k.check(fmt.Sprintf("log %d", i), []byte(l))
	}
	for _, h := range k.hits {
		t.Error(h)
	}
}

func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rs, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
