#!/bin/sh
# Creates the package's system user and group (scripts/package.sh fills in
# the name and home). Idempotent.
set -e
u=__USER__
home=__HOME__
if ! getent group "$u" >/dev/null 2>&1; then
  groupadd --system "$u"
fi
if ! getent passwd "$u" >/dev/null 2>&1; then
  useradd --system --gid "$u" --home-dir "$home" --no-create-home --shell /usr/sbin/nologin \
    --comment "trustgate $u" "$u"
fi
