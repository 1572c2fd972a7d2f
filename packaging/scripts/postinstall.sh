#!/bin/sh
# Makes the state directory (systemd's StateDirectory does it too, but the
# binary may be started by hand) and tells systemd about the new unit. The
# service is not enabled: its settings need a look first.
set -e
u=__USER__
home=__HOME__
if [ -n "$home" ] && [ "$home" != "-" ]; then
  mkdir -p "$home"
  if [ "$u" != "root" ]; then chown "$u:$u" "$home"; fi
  chmod 0750 "$home"
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
