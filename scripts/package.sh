#!/usr/bin/env bash
# Builds the .deb and .rpm packages of trustgate, reproducibly, into OUTDIR
# (default dist/):
#
#   trustee              trustee, its systemd unit, /etc/trustee/trustee.toml, user trustee
#   trustgate-guest      guest, beacon, tls-sidecar and their units (inside the confidential VM)
#   trustgate-dashboard  dashboard, its unit and config, user trustgate-dashboard
#   trustgate-tools      cocofy (also kubectl-coco) and deid
#
#   scripts/package.sh [OUTDIR]
#
# The same commit gives byte-identical packages: binaries are built with
# -trimpath and no build id, file times are the commit's time
# (SOURCE_DATE_EPOCH), and the packager is nfpm at a pinned version, run
# through the Go module proxy (`go run …@version`). VERSION overrides the
# version (default: 0.0.0~git<date>.<commit>).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-dist}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
NFPM=github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.48.0

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
if [ -z "${VERSION:-}" ]; then
  VERSION="0.0.0~git$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y%m%d).$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
fi
export VERSION
export GOARCH=${GOARCH:-$(go env GOARCH)}
export BIN="$OUT/bin/$GOARCH" WORK="$OUT/work"
mkdir -p "$BIN" "$WORK"

if [ -z "${SKIP_BUILD:-}" ]; then
echo "package.sh: building binaries for linux/$GOARCH (version $VERSION)"
# Static binaries for the services, so that trustee runs unchanged on RHEL.
CGO_ENABLED=0 GOOS=linux go build -trimpath -buildvcs=false -ldflags="-s -w -buildid=" \
  -o "$BIN/" ./cmd/trustee ./cmd/guest ./cmd/beacon ./cmd/tls-sidecar ./cmd/dashboard ./cmd/cocofy
# deid loads the ONNX Runtime library through cgo.
GOOS=linux go build -trimpath -buildvcs=false -ldflags="-s -w -buildid=" -o "$BIN/" ./cmd/deid
fi

# Maintainer scripts: one template, the package's user, home and units filled in.
script() { # package, template, user, home, units
  mkdir -p "$WORK/$1"
  sed -e "s|__USER__|$3|g" -e "s|__HOME__|$4|g" -e "s|__UNITS__|$5|g" "packaging/scripts/$2.sh" >"$WORK/$1/$2.sh"
  touch -d "@$SOURCE_DATE_EPOCH" "$WORK/$1/$2.sh"
}
script trustee user-preinstall trustee /var/lib/trustee trustee.service
mv "$WORK/trustee/user-preinstall.sh" "$WORK/trustee/preinstall.sh"
script trustee postinstall trustee /var/lib/trustee trustee.service
script trustee preremove trustee /var/lib/trustee trustee.service
script trustgate-dashboard user-preinstall trustgate-dashboard /var/lib/trustgate-dashboard dashboard.service
mv "$WORK/trustgate-dashboard/user-preinstall.sh" "$WORK/trustgate-dashboard/preinstall.sh"
script trustgate-dashboard postinstall trustgate-dashboard /var/lib/trustgate-dashboard dashboard.service
script trustgate-dashboard preremove trustgate-dashboard /var/lib/trustgate-dashboard dashboard.service
script trustgate-guest postinstall root /var/lib/trustgate-guest "guest.service beacon.service"
script trustgate-guest preremove root - "guest.service beacon.service"

echo "package.sh: packaging with nfpm"
for cfg in packaging/nfpm/*.yaml; do
  # nfpm expands variables in some fields only: fill in the paths here.
  sed -e "s|\${BIN}|$BIN|g" -e "s|\${WORK}|$WORK|g" "$cfg" >"$WORK/$(basename "$cfg")"
  for fmt in deb rpm; do
    go run "$NFPM" package --config "$WORK/$(basename "$cfg")" --packager "$fmt" --target "$OUT/" >/dev/null
  done
done
rm -rf "$WORK"
(cd "$OUT" && sha256sum ./*.deb ./*.rpm | tee SHA256SUMS)
