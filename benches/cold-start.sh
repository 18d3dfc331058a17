#!/usr/bin/env bash
# Cold start of the CLI: wall time (hyperfine) and peak RSS (GNU time) of
#   hermes --version, hermes profile list, hermes config get model
# against a scratch home with three profiles. Targets: <= 5 ms and <= 8 MiB each.
# Usage: benches/cold-start.sh [path/to/hermes]   (default: target/release/hermes, built if missing)
#
# Peak RSS is mostly pages of the binary mapped by the kernel around each page the start-up
# touches, and how many it maps depends on how the file sits in the page cache (a file the
# linker or `cp` just wrote is cached in larger pieces than one read from disk). The binary is
# therefore evicted from the page cache once (`dd iflag=nocache`) and read back by a first run,
# as after an install or a reboot, so figures are comparable between builds.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/release/hermes}"
[ -x "$bin" ] || cargo build --release --locked
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
bin="$(realpath "$bin")"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch" NO_COLOR=1
unset HERMES_HOME
sync "$bin"
dd if="$bin" iflag=nocache count=0 status=none
for p in coder research writer; do "$bin" profile create "$p" --no-alias >/dev/null 2>&1; done
"$bin" config set model anthropic/claude-sonnet-4.6 >/dev/null 2>&1
echo "binary: $bin ($(stat -c %s "$bin") bytes), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
hyperfine -N --warmup 20 --runs 300 --export-markdown "$scratch/times.md" \
  "$bin --version" "$bin profile list" "$bin config get model" >/dev/null
cat "$scratch/times.md"
echo
echo "| command | peak RSS (max of 20 runs) |"
echo "|:---|---:|"
for args in "--version" "profile list" "config get model"; do
  peak=0
  for _ in $(seq 20); do
    kb=$(/usr/bin/time -f '%M' "$bin" $args 2>&1 >/dev/null | tail -1)
    [ "$kb" -gt "$peak" ] && peak=$kb
  done
  printf '| `hermes %s` | %s KiB |\n' "$args" "$peak"
done
