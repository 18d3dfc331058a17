#!/usr/bin/env bash
# Container entrypoint: make HERMES_HOME (/opt/data) exist and belong to HERMES_UID:HERMES_GID,
# drop root privileges to that UID/GID, then run `hermes gateway run --replace` (the default)
# or the given command. `docker run IMAGE pairing list` runs `hermes pairing list`;
# `docker run IMAGE bash` runs bash.
set -euo pipefail

HERMES_HOME="${HERMES_HOME:-/opt/data}"
uid="${HERMES_UID:-10000}"
gid="${HERMES_GID:-10000}"
export HERMES_HOME

case "$uid$gid" in
  *[!0-9]*) echo "hermes-entrypoint: HERMES_UID and HERMES_GID must be numbers (got '$uid', '$gid')" >&2; exit 64 ;;
esac

if [ "$#" -eq 0 ]; then
  set -- gateway run --replace
fi
# `hermes …` and `…` mean the same; an absolute path or a shell runs as given.
if [ "$1" = "hermes" ]; then
  shift
  set -- hermes "$@"
elif [[ "$1" == /* || "$1" == "bash" || "$1" == "sh" ]]; then
  :
else
  set -- hermes "$@"
fi

mkdir -p "$HERMES_HOME"

if [ "$(id -u)" != "0" ]; then
  # Already unprivileged (`docker run --user`): nothing to change.
  exec "$@"
fi

# Match the image's `hermes` account to the requested ids, so tools that look the user up
# (git, ssh, python's getpass) find a name. Only when that account exists (in the image).
if getent passwd hermes >/dev/null 2>&1; then
  if [ "$(id -g hermes)" != "$gid" ]; then
    groupmod -o -g "$gid" hermes
  fi
  if [ "$(id -u hermes)" != "$uid" ]; then
    usermod -o -u "$uid" hermes
  fi
fi

# A fresh volume belongs to root; an existing one may come from another UID. Re-own only
# when the top directory is wrong, so a large data directory is not walked on every start.
if [ "$(stat -c '%u:%g' "$HERMES_HOME")" != "$uid:$gid" ]; then
  chown -R "$uid:$gid" "$HERMES_HOME"
fi
mkdir -p "$HERMES_HOME/home"
chown "$uid:$gid" "$HERMES_HOME/home"
export HOME="$HERMES_HOME/home"

echo "Dropping root privileges (uid $uid, gid $gid)" >&2
if command -v gosu >/dev/null 2>&1; then
  exec gosu "$uid:$gid" "$@"
fi
exec setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
