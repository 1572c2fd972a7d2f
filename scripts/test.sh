#!/usr/bin/env bash
# Runs every test of trustgate on a fresh Debian machine.
#
# It installs, idempotently, what the tests need (PostgreSQL and Chromium from
# Debian, Azurite and the ONNX Runtime library from npm), starts PostgreSQL and
# Azurite on loopback, runs vet, gofmt, staticcheck, the whole test suite and a
# short run of every fuzz target, then stops what it started.
#
#   scripts/test.sh            # everything
#   scripts/test.sh -run Foo ./internal/kbs/...   # extra args go to `go test`
#   scripts/test.sh --with CMD ARGS...            # start the services, run CMD with
#                                                 # their variables set, then stop them
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TOOLS=${TRUSTGATE_TOOLS:-$ROOT/.tools}
RUN=${TRUSTGATE_RUNDIR:-/tmp/trustgate-test-$$}
mkdir -p "$TOOLS" "$RUN"
log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# --- install (idempotent) -------------------------------------------------
need_apt=()
[ -x /usr/lib/postgresql/*/bin/initdb ] 2>/dev/null || need_apt+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} from Debian"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
NPM_DIR="$TOOLS/npm"
if [ ! -x "$NPM_DIR/node_modules/.bin/azurite-blob" ] || [ ! -d "$NPM_DIR/node_modules/onnxruntime-node" ]; then
  log "installing azurite and onnxruntime-node from npm"
  mkdir -p "$NPM_DIR"
  # --ignore-scripts: onnxruntime-node's install script would download a GPU
  # build from the internet; the CPU library we need ships inside the package.
  (cd "$NPM_DIR" && npm install --no-audit --no-fund --ignore-scripts --silent \
      azurite@3.37.0 onnxruntime-node@1.30.0 >/dev/null)
fi
ORT_LIB=$(find "$NPM_DIR/node_modules/onnxruntime-node/bin" -path '*linux/x64*' -name 'libonnxruntime.so*' | sort | head -1)
[ -n "$ORT_LIB" ] || { echo "libonnxruntime.so not found in onnxruntime-node" >&2; exit 1; }
if ! command -v staticcheck >/dev/null 2>&1 && [ ! -x "$TOOLS/bin/staticcheck" ]; then
  log "installing staticcheck"
  GOBIN="$TOOLS/bin" go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
export PATH="$TOOLS/bin:$PATH"

# --- start services --------------------------------------------------------
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  if [ -n "${PGDATA_DIR:-}" ] && [ -d "$PGDATA_DIR" ]; then
    su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $PGDATA_DIR -m immediate stop" >/dev/null 2>&1 || true
  fi
  rm -rf "$RUN"
}
trap cleanup EXIT

# A port nobody listens on (checked by connecting), in the ephemeral-free range.
free_port() {
  local p
  while :; do
    p=$(shuf -i 20000-32000 -n 1)
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return; }
  done
}

PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
PG_PORT=$(free_port)
PGDATA_DIR="$RUN/pg"
mkdir -p "$PGDATA_DIR"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$RUN" "$PGDATA_DIR"; chmod 755 "$RUN"; fi
log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
pgrun() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
pgrun "$PG_BIN/initdb -D $PGDATA_DIR -U trustgate --auth=trust -E UTF8 >/dev/null"
pgrun "$PG_BIN/pg_ctl -D $PGDATA_DIR -o '-k $RUN -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off' -w -l $RUN/pg.log start >/dev/null"
pgrun "$PG_BIN/createdb -h 127.0.0.1 -p $PG_PORT -U trustgate trustgate"
export TRUSTGATE_TEST_POSTGRES="postgres://trustgate@127.0.0.1:$PG_PORT/trustgate?sslmode=disable"

AZ_PORT=$(free_port)
log "starting Azurite (blob) on 127.0.0.1:$AZ_PORT"
"$NPM_DIR/node_modules/.bin/azurite-blob" --silent --skipApiVersionCheck --loose \
  --blobHost 127.0.0.1 --blobPort "$AZ_PORT" --location "$RUN/azurite" >"$RUN/azurite.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$AZ_PORT) 2>/dev/null && break; sleep 0.2; done
# The well-known Azurite development account key (public, documented by Microsoft).
export TRUSTGATE_TEST_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$AZ_PORT/devstoreaccount1;"
export TRUSTGATE_TEST_CHROMIUM=$(command -v chromium)
export TRUSTGATE_ONNXRUNTIME_LIB="$ORT_LIB"
export PATH="$NPM_DIR/node_modules/.bin:$PATH"

if [ "${1:-}" = "--with" ]; then
  shift
  log "running $* with the test services"
  set +e; "$@"; rc=$?; set -e
  exit $rc
fi

# --- static checks -----------------------------------------------------------
log "gofmt"
bad=$(gofmt -l $(git ls-files '*.go') 2>/dev/null || true)
[ -z "$bad" ] || { echo "not gofmt-clean:"; echo "$bad"; exit 1; }
log "go vet"
go vet ./...
log "staticcheck"
staticcheck ./...

# --- tests -----------------------------------------------------------------
log "go test"
go test -count=1 -timeout 20m "$@" ./...

if [ $# -eq 0 ]; then
  log "fuzz targets (short runs)"
  # An iteration count rather than a duration: time-bounded runs can end with
  # a spurious "context deadline exceeded" when a worker is mid-input.
  FUZZTIME=${TRUSTGATE_FUZZTIME:-200x}
  while IFS= read -r line; do
    file=${line%%:*}; name=${line##*func }; name=${name%%(*}
    pkg=./$(dirname "$file")
    go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "$pkg" >"$RUN/fuzz.log" 2>&1 ||
      { cat "$RUN/fuzz.log"; echo "fuzz target $name in $pkg failed"; exit 1; }
    echo "ok   fuzz $pkg $name"
  done < <(git grep -n '^func Fuzz[A-Za-z0-9_]*(f \*testing.F)' -- '*_test.go' | sed 's/:[0-9]*:/:/')
fi
log "all tests passed"
