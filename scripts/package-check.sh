#!/usr/bin/env bash
# Checks the packages scripts/package.sh built in DIR, then installs the .deb
# packages on this (Debian) machine and runs the installed trustee and guest
# against each other: the guest attests (sample TEE) and gets a secret that
# the installed `trustee admin` stored. Needs root (or sudo); scripts/test.sh
# runs it under CI=true.
#
#   scripts/package-check.sh DIR
set -euo pipefail
DIR=${1:?usage: scripts/package-check.sh DIR (the output of scripts/package.sh)}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
fail() { echo "package-check: $*" >&2; exit 1; }
# outputs PATTERN CMD...: CMD's output has a line matching PATTERN (no pipe
# into grep -q, which would fail the command under pipefail).
outputs() { local pat=$1 out; shift; out=$("$@" 2>/dev/null) || return 1; grep -q -- "$pat" <<<"$out"; }
one() { local f; f=$(ls "$DIR"/$1 2>/dev/null | head -1); [ -n "$f" ] || fail "no $1 in $DIR"; echo "$f"; }

# --- the .rpm packages (RHEL): contents and scripts, read with rpm ------------
command -v rpm >/dev/null || fail "rpm is not installed (apt-get install rpm)"
for pkg in trustee trustgate-guest trustgate-dashboard trustgate-tools; do
  f=$(one "$pkg-*.rpm")
  [ "$(rpm -qp --qf '%{NAME}' "$f" 2>/dev/null)" = "$pkg" ] || fail "$f: rpm name is not $pkg"
done
rpm_has() { outputs "^$2\$" rpm -qpl "$1" || fail "$1 lacks $2"; }
t=$(one 'trustee-*.rpm')
for p in /usr/bin/trustee /usr/lib/systemd/system/trustee.service /etc/trustee/trustee.toml /etc/default/trustee /var/lib/trustee; do rpm_has "$t" "$p"; done
outputs 'useradd --system' rpm -qp --scripts "$t" || fail "$t creates no user"
outputs '^/etc/trustee/trustee.toml cn$' rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$t" ||
  fail "$t: trustee.toml is not a %config(noreplace) file"
outputs '^/var/lib/trustee trustee$' rpm -qp --qf '[%{FILENAMES} %{FILEUSERNAME}\n]' "$t" ||
  fail "$t: /var/lib/trustee is not owned by trustee"
if outputs '^[^r/]' rpm -qpR "$t" || outputs '^/[^b]' rpm -qpR "$t"; then
  fail "$t depends on more than rpmlib and the shell: $(rpm -qpR "$t" | tr '\n' ' ')"
fi
g=$(one 'trustgate-guest-*.rpm')
for p in /usr/bin/guest /usr/bin/beacon /usr/bin/tls-sidecar /usr/lib/systemd/system/guest.service; do rpm_has "$g" "$p"; done
echo "ok   rpm: contents, config files, user and dependencies"

# --- install the .deb packages --------------------------------------------------
debs=()
for pkg in trustee trustgate-guest trustgate-dashboard trustgate-tools; do debs+=("$(one "${pkg}_*.deb")"); done
$SUDO dpkg -i "${debs[@]}" >/dev/null
getent passwd trustee >/dev/null || fail "the trustee package made no user trustee"
getent passwd trustgate-dashboard >/dev/null || fail "no user trustgate-dashboard"
[ "$(stat -c %U /var/lib/trustee)" = trustee ] || fail "/var/lib/trustee is not owned by trustee"
echo "ok   deb: installed; user trustee, /var/lib/trustee"

# --- the installed trustee and guest against each other ---------------------
RUN=$(mktemp -d)
TRUSTEE_PID=""
cleanup() {
  [ -n "$TRUSTEE_PID" ] && $SUDO kill "$TRUSTEE_PID" 2>/dev/null || true
  rm -rf "$RUN"
}
trap cleanup EXIT
port=$(shuf -i 20000-32000 -n 1)
while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$(shuf -i 20000-32000 -n 1); done
# As the unit runs it: the packaged config, as the trustee user.
$SUDO runuser -u trustee -- /usr/bin/trustee serve --config /etc/trustee/trustee.toml \
  --listen "127.0.0.1:$port" >"$RUN/trustee.log" 2>&1 &
TRUSTEE_PID=$!
for _ in $(seq 1 150); do
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  kill -0 "$TRUSTEE_PID" 2>/dev/null || { cat "$RUN/trustee.log"; fail "installed trustee exited"; }
  sleep 0.2
done
URL="https://127.0.0.1:$port"
CA=/var/lib/trustee/tls.crt
admin() { $SUDO /usr/bin/trustee admin --url "$URL" --cacert "$CA" --key /var/lib/trustee/admin.key "$@"; }
# The sample TEE never satisfies the default resource policy: allow everything
# for this check only (upstream's allow-all sample), then put the policy back.
admin get-resource-policy >"$RUN/policy.rego"
printf 'package policy\ndefault allow = true\n' | admin set-resource-policy - >/dev/null
secret="package-check-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s' "$secret" | admin set-resource default/package-check/value - >/dev/null
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)
got=$(/usr/bin/guest get-resource --tee sample --kbs-url "$URL" --kbs-cert "$CA" \
  kbs:///default/package-check/value 2>"$RUN/guest.log") ||
  { cat "$RUN/guest.log" "$RUN/trustee.log"; fail "the installed guest got no secret from the installed trustee"; }
[ "$got" = "$secret" ] || fail "the guest got another value than the one stored"
outputs '"kind":"resource".*"outcome":"allow"' admin audit --since "$since" || fail "the release is not in trustee's audit log"
admin delete-resource default/package-check/value >/dev/null
admin set-resource-policy "$RUN/policy.rego" >/dev/null
echo "ok   the installed guest attested to the installed trustee and got the secret it stored"
