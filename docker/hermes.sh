#!/bin/sh
# `hermes` on PATH in the image; the binary itself is /usr/local/lib/hermes/hermes.
# `docker exec hermes hermes pairing approve …` runs as root and bypasses the entrypoint.
# Files hermes writes then (pairing approvals, .env, sessions) would belong to root with
# mode 0600, and the gateway, running as HERMES_UID, could no longer read them. So, run as
# root, this drops to the owner of HERMES_HOME first (the entrypoint gave it to
# HERMES_UID:HERMES_GID). A data directory owned by root keeps running as root.
set -eu

real="$(dirname "$0")/../lib/hermes/hermes"
data="${HERMES_HOME:-/opt/data}"

if [ "$(id -u)" = "0" ] && [ -d "$data" ]; then
  owner="$(stat -c '%u:%g' "$data")"
  uid="${owner%%:*}"
  gid="${owner#*:}"
  if [ "$uid" != "0" ]; then
    HOME="$data/home"
    export HOME HERMES_HOME="$data"
    if command -v gosu >/dev/null 2>&1; then
      exec gosu "$uid:$gid" "$real" "$@"
    fi
    exec setpriv --reuid="$uid" --regid="$gid" --clear-groups "$real" "$@"
  fi
fi
exec "$real" "$@"
