#!/usr/bin/env bash
# Runs every test of trustgate on a fresh Debian machine.
#
# It installs, idempotently, what the tests need (PostgreSQL, Chromium, NSS tools and ansible-lint from
# Debian, Azurite and the ONNX Runtime library from npm), starts PostgreSQL and
# Azurite on loopback once, runs gofmt, vet and staticcheck, the whole test
# suite (packages in parallel), a short run of every fuzz target (one
# instrumented build per package), and under CI=true builds the .deb/.rpm
# packages, installs the .deb and runs the installed trustee and guest against
# each other. Then it stops what it started.
#
#   scripts/test.sh            # everything (8 min on 2 cores with warm caches, 26 with empty ones)
#   scripts/test.sh --quick    # gofmt, vet, `go test -short ./...`: no fuzz, no
#                              # staticcheck, no end-to-end builds
#   scripts/test.sh -run Foo ./internal/kbs/...   # extra args go to `go test`
#   scripts/test.sh --with CMD ARGS...            # start the services, run CMD with
#                                                 # their variables set, then stop them
#   scripts/test.sh --packages # also build, install and smoke-test the packages
#                              # (the default under CI=true; needs root)
#
# Environment: TRUSTGATE_TOOLS (where tools are installed, default .tools),
# TRUSTGATE_FUZZTIME (per fuzz target, default 200x; minimisation capped at 10 runs), TRUSTGATE_TEST_P (packages
# tested at once, default 4: many tests wait on services, so more than the
# cores), CI=true (a missing service fails the run instead of skipping tests).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TOOLS=${TRUSTGATE_TOOLS:-$ROOT/.tools}
RUN=${TRUSTGATE_RUNDIR:-/tmp/trustgate-test-$$}
mkdir -p "$TOOLS" "$RUN"
START=$(date +%s)
log() { printf '\033[1m==> [%4ds] %s\033[0m\n' "$(( $(date +%s) - START ))" "$*"; }
fail() { echo "test.sh: $*" >&2; exit 1; }

MODE=all
PACKAGES=${CI:-}
case "${1:-}" in
  --with) MODE=with ;;
  --quick) MODE=quick; shift ;;
  --packages) PACKAGES=true; shift ;;
  -h|--help|help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
[ "$PACKAGES" = "true" ] || PACKAGES=""

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# --- install (idempotent) -------------------------------------------------
need_apt=()
[ -x /usr/lib/postgresql/*/bin/initdb ] 2>/dev/null || need_apt+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v ansible-lint >/dev/null 2>&1 || need_apt+=(ansible-lint)
command -v certutil >/dev/null 2>&1 || need_apt+=(libnss3-tools)
if [ -n "$PACKAGES" ]; then command -v rpm >/dev/null 2>&1 || need_apt+=(rpm); fi
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
[ -n "$ORT_LIB" ] || fail "libonnxruntime.so not found in onnxruntime-node"
if ! command -v staticcheck >/dev/null 2>&1 && [ ! -x "$TOOLS/bin/staticcheck" ]; then
  log "installing staticcheck"
  GOBIN="$TOOLS/bin" go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
export PATH="$TOOLS/bin:$PATH"

# --- start services (once, shared by every test) ----------------------------
PIDS=()
cleanup() {
  # The fuzz builder's go command first (by its parent's id), then ours.
  [ -n "${FUZZ_BUILD_PID:-}" ] && pkill -TERM -P "$FUZZ_BUILD_PID" 2>/dev/null || true
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  # Azurite (node) sometimes outlives its SIGTERM: wait 5 s, then kill it.
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  if [ -n "${PGDATA_DIR:-}" ] && [ -d "$PGDATA_DIR" ]; then
    pgrun "$PG_BIN/pg_ctl -D $PGDATA_DIR -m immediate stop" >/dev/null 2>&1 || true
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
listening() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

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
AZ_PID=$!
PIDS+=($AZ_PID)
# Node takes 5-20 s to start Azurite on a busy 2-core machine.
for i in $(seq 1 300); do
  listening "$AZ_PORT" && break
  kill -0 "$AZ_PID" 2>/dev/null || { cat "$RUN/azurite.log" >&2; fail "Azurite exited before listening"; }
  [ $((i % 25)) -eq 0 ] && echo "    still waiting for Azurite ($((i / 5)) s)"
  sleep 0.2
done
if listening "$AZ_PORT"; then
  # The well-known Azurite development account key (public, documented by Microsoft).
  export TRUSTGATE_TEST_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$AZ_PORT/devstoreaccount1;"
elif [ "${CI:-}" = "true" ]; then
  cat "$RUN/azurite.log" >&2; fail "CI=true and Azurite did not listen within 60 s"
else
  echo "    Azurite did not listen within 60 s: the tests that need it will skip" >&2
fi
export TRUSTGATE_TEST_CHROMIUM=$(command -v chromium)
export TRUSTGATE_ONNXRUNTIME_LIB="$ORT_LIB"
export TRUSTGATE_TOOLS="$TOOLS"
export PATH="$NPM_DIR/node_modules/.bin:$PATH"

if [ "$MODE" = with ]; then
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

# Packages to test: ./... unless the arguments name some.
PKGS=(./...)
for a in "$@"; do case $a in ./*|github.com/*) PKGS=() ;; esac; done

if [ "$MODE" = quick ]; then
  log "go test -short (quick: no staticcheck, no fuzz, no end-to-end builds)"
  go test -count=1 -short -p "${TRUSTGATE_TEST_P:-4}" -timeout 10m "$@" "${PKGS[@]}"
  log "quick tests passed in $(( $(date +%s) - START )) s"
  exit 0
fi

log "staticcheck"
staticcheck ./...

# --- fuzz builds, in the background ------------------------------------------
# One instrumented test binary per package holds all its fuzz targets; it is
# built while the tests run (many of them wait on services, leaving CPU idle).
FUZZ_BIN="$RUN/fuzz"
mkdir -p "$FUZZ_BIN"
git grep -n '^func Fuzz[A-Za-z0-9_]*(f \*testing.F)' -- '*_test.go' | sed 's/:[0-9]*:/:/' >"$RUN/fuzz-targets"
cut -d: -f1 "$RUN/fuzz-targets" | xargs -n1 dirname | sort -u >"$RUN/fuzz-pkgs"
FUZZ_BUILD_PID=""
if [ $# -eq 0 ]; then
  (
    while IFS= read -r dir; do
      go test -c -fuzz=. -o "$FUZZ_BIN/$(echo "$dir" | tr / _).test" "./$dir" \
        >"$RUN/fuzz-build-$(echo "$dir" | tr / _).log" 2>&1 || { echo "$dir" >>"$RUN/fuzz-build-failed"; }
    done <"$RUN/fuzz-pkgs"
  ) &
  FUZZ_BUILD_PID=$!
  PIDS+=($FUZZ_BUILD_PID)
fi

# --- tests -----------------------------------------------------------------
log "go test (${TRUSTGATE_TEST_P:-4} packages at once)"
go test -count=1 -p "${TRUSTGATE_TEST_P:-4}" -timeout 20m "$@" "${PKGS[@]}"

if [ $# -eq 0 ]; then
  log "fuzz targets (short runs: ${TRUSTGATE_FUZZTIME:-200x} each, one build per package)"
  wait "$FUZZ_BUILD_PID" || true
  if [ -s "$RUN/fuzz-build-failed" ]; then
    while IFS= read -r dir; do cat "$RUN/fuzz-build-$(echo "$dir" | tr / _).log"; done <"$RUN/fuzz-build-failed"
    fail "fuzz build failed: $(tr '\n' ' ' <"$RUN/fuzz-build-failed")"
  fi
  # An iteration count rather than a duration: time-bounded runs can end with
  # a spurious "context deadline exceeded" when a worker is mid-input. Two
  # targets run at once with one worker each: a short run is mostly start-up
  # and coordination, which leaves a core idle.
  export FUZZTIME=${TRUSTGATE_FUZZTIME:-200x} FUZZ_BIN RUN
  fuzz_one() {
    local line=$1 file name dir bin logf
    file=${line%%:*}; name=${line##*func }; name=${name%%(*}
    dir=$(dirname "$file")
    bin="$FUZZ_BIN/$(echo "$dir" | tr / _).test"
    logf="$RUN/fuzz-$(echo "$dir" | tr / _)-$name.log"
    # Run in the package directory, as go test does, so that the target's
    # testdata/fuzz corpus is replayed first.
    if (cd "$dir" && "$bin" -test.run='^$' -test.fuzz="^${name}\$" -test.fuzztime="$FUZZTIME" -test.fuzzminimizetime=10x -test.parallel=1 \
        -test.fuzzcachedir="$RUN/fuzzcache/$dir" -test.timeout=5m) >"$logf" 2>&1; then
      echo "ok   fuzz ./$dir $name"
    else
      cat "$logf"
      echo "FAIL fuzz ./$dir $name (reproduce: go test -run='^\$' -fuzz='^$name\$' ./$dir)"
      return 255 # stops xargs
    fi
  }
  export -f fuzz_one
  tr '\n' '\0' <"$RUN/fuzz-targets" | xargs -0 -P "${TRUSTGATE_FUZZ_P:-2}" -I{} bash -c 'fuzz_one "$1"' _ {} ||
    fail "a fuzz target failed"
  n=$(wc -l <"$RUN/fuzz-targets")
  [ "$n" -gt 0 ] || fail "no fuzz target found"
  log "$n fuzz targets passed"
fi

# --- packages ------------------------------------------------------------------
if [ -n "$PACKAGES" ] && [ $# -eq 0 ]; then
  log "packages: build (.deb, .rpm), check, install the .deb, run the installed trustee and guest"
  scripts/package.sh "$RUN/dist"
  scripts/package-check.sh "$RUN/dist"
fi
log "all tests passed in $(( $(date +%s) - START )) s"
