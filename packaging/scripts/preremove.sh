#!/bin/sh
# Stops the service before its files go; state and the user stay.
set -e
if [ -d /run/systemd/system ]; then
  systemctl stop __UNITS__ >/dev/null 2>&1 || true
fi
