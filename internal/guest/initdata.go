package guest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/trustgate/trustgate/internal/attest"
	"github.com/trustgate/trustgate/internal/attester"
	"github.com/trustgate/trustgate/internal/initdata"
)

// Places where the host hands initdata to the guest, in the order they are
// searched when no --initdata file is given.
const (
	PeerPodInitDataPath = "/run/peerpod/initdata"
	KataInitDataDir     = "/run/confidential-containers/initdata"
)

// kataInitDataNames are the files looked for inside KataInitDataDir.
var kataInitDataNames = []string{"initdata.toml", "initdata"}

// annotationForm matches the gzip+base64 form (base64 of gzip starts "H4sI").
var annotationForm = regexp.MustCompile(`^\s*H4sI[A-Za-z0-9+/=\s]*$`)

// ErrInitDataMismatch is returned when the initdata the guest was given does
// not hash to the value bound into the hardware at launch.
var ErrInitDataMismatch = errors.New("initdata does not match the value bound at launch")

// FindInitData returns the initdata bytes from path when non-empty, else from
// the well-known locations. found is false when nothing exists anywhere
// (a guest without initdata); an explicit path that cannot be read is an
// error.
func FindInitData(path string) (raw []byte, source string, found bool, err error) {
	if path != "" {
		raw, err := readInitDataFile(path)
		if err != nil {
			return nil, path, false, err
		}
		return raw, path, true, nil
	}
	candidates := []string{PeerPodInitDataPath}
	for _, n := range kataInitDataNames {
		candidates = append(candidates, filepath.Join(KataInitDataDir, n))
	}
	for _, p := range candidates {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			continue
		}
		raw, err := readInitDataFile(p)
		return raw, p, err == nil, err
	}
	return nil, "", false, nil
}

func readInitDataFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read initdata: %w", err)
	}
	if st.IsDir() {
		for _, n := range kataInitDataNames {
			if raw, err := readInitDataFile(filepath.Join(path, n)); err == nil {
				return raw, nil
			}
		}
		return nil, fmt.Errorf("read initdata: directory %s holds none of %v", path, kataInitDataNames)
	}
	if st.Size() > initdata.MaxAnnotationSize+initdata.MaxTOMLSize {
		return nil, fmt.Errorf("read initdata %s: %w", path, initdata.ErrTooLarge)
	}
	return os.ReadFile(path)
}

// ParseInitData accepts raw TOML or the pod annotation form (standard
// base64 of gzip of the TOML) and returns the parsed document, whose Raw
// holds the exact TOML bytes that were hashed at launch.
func ParseInitData(data []byte) (*initdata.InitData, error) {
	if annotationForm.Match(data) {
		return initdata.ParseAnnotation(string(bytes.TrimSpace(data)))
	}
	return initdata.Parse(data)
}

// ExpectedBinding returns the value the hardware holds when the initdata
// with this digest was bound at launch on tee: SNP HOST_DATA (32 bytes),
// TDX MRCONFIGID (48 bytes), vTPM PCR 8 = sha256(zeros || digest); other
// TEEs (sample, snp-emulated) bind the digest zero-padded or truncated to
// the size of their field.
func ExpectedBinding(tee string, digest []byte, size int) []byte {
	switch tee {
	case attest.TeeSNP:
		v := initdata.SNPHostData(digest)
		return v[:]
	case attest.TeeTDX:
		v := initdata.TDXMRConfigID(digest)
		return v[:]
	case attest.TeeAzSNPvTPM, attest.TeeAzTDXvTPM:
		v := initdata.VTPMPCR8(digest)
		return v[:]
	}
	out := make([]byte, size)
	copy(out, digest)
	return out
}

// CheckInitData compares the digest of id with the value a bound into the
// hardware. A digest the TEE would truncate (sha384/sha512 on SNP and the
// Azure vTPM, sha512 on TDX) is refused before anything else. It fails closed: an attester that cannot report a bound value
// refuses initdata, because unverified initdata would configure the guest
// (KBS URL, certificates, policies) from untrusted input.
func CheckInitData(ctx context.Context, a attester.Attester, id *initdata.InitData) error {
	if err := initdata.CheckBindable(a.Tee(), id.Algorithm); err != nil {
		return fmt.Errorf("check initdata: %w", err)
	}
	bound, err := a.BoundInitData(ctx)
	if err != nil {
		return fmt.Errorf("check initdata: read the value bound at launch on %s: %w", a.Tee(), err)
	}
	digest := id.Digest()
	if ex, ok := a.(initDataExtender); ok && isZero(bound) {
		// vTPM platforms: the first guest component to start binds initdata
		// by extending the reset PCR 8, as upstream's attestation agent does;
		// later starts find it extended and compare.
		if err := ex.ExtendInitData(digest); err != nil {
			return fmt.Errorf("check initdata: bind to PCR 8: %w", err)
		}
		if bound, err = a.BoundInitData(ctx); err != nil {
			return fmt.Errorf("check initdata: read the value bound at launch on %s: %w", a.Tee(), err)
		}
	}
	if len(bound) == 0 {
		return fmt.Errorf("check initdata: %w: the %s TEE reports no bound initdata, but initdata (%s %x) was given",
			ErrInitDataMismatch, a.Tee(), id.Algorithm, digest)
	}
	want := ExpectedBinding(a.Tee(), digest, len(bound))
	if subtle.ConstantTimeCompare(want, bound) != 1 {
		return fmt.Errorf("check initdata: %w: %s digest of the given initdata is %x, the %s TEE holds %x; "+
			"the initdata was changed after launch or belongs to another workload",
			ErrInitDataMismatch, id.Algorithm, digest, a.Tee(), bound)
	}
	return nil
}

// initDataExtender is an attester whose initdata binding the guest performs
// itself (vTPM PCR 8).
type initDataExtender interface {
	ExtendInitData(digest []byte) error
}

func isZero(b []byte) bool {
	for _, v := range b {
		if v != 0 {
			return false
		}
	}
	return len(b) > 0
}
