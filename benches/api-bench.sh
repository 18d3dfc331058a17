#!/usr/bin/env bash
# api-bench.sh — load the OpenAI-compatible API server (instant fake agent) with wrk on loopback.
#
#   benches/api-bench.sh [DURATION_SECONDS]     (default 10 per run; about 2 minutes in all)
#
# Builds `examples/api_bench.rs` in release mode, starts it on 127.0.0.1 with a fresh home (its
# state.db receives every transcript), and measures POST /v1/chat/completions, non-stream and
# stream, at concurrency 1, 8 and 64: successful requests/s and p50/p99 latency (wrk --latency),
# plus the server's RSS when idle and after the load. Needs `wrk` (apt-get install wrk).
set -euo pipefail

DURATION="${1:-10}"
PORT="${API_BENCH_PORT:-18642}"
KEY="bench-key-0123456789"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build --quiet --release --example api_bench --manifest-path "$ROOT/Cargo.toml"
"$ROOT/target/release/examples/api_bench" "$PORT" "$WORK" >"$WORK/server.out" &
PID=$!
for _ in $(seq 100); do
  grep -q listening "$WORK/server.out" 2>/dev/null && break
  sleep 0.05
done
grep -q listening "$WORK/server.out" || { echo "the server did not start" >&2; exit 1; }

rss() { awk '/VmRSS/ {printf "%.1f MB", $2/1024}' "/proc/$PID/status"; }

lua() { # lua FILE STREAM
  cat >"$1" <<EOF
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"hermes-agent","stream":$2,"messages":[{"role":"user","content":"Hello, please give a brief reply."}]}'
done = function(summary, latency, requests)
  local ok = summary.requests - summary.errors.status - summary.errors.connect
    - summary.errors.read - summary.errors.write - summary.errors.timeout
  io.write(string.format("RESULT ok_rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d\n",
    ok / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests - ok))
end
EOF
}
lua "$WORK/plain.lua" false
lua "$WORK/stream.lua" true

# Warm up, then settle, then read the idle footprint.
curl -s -o /dev/null -H "Authorization: Bearer $KEY" "http://127.0.0.1:$PORT/v1/models"
sleep 1
echo "idle RSS: $(rss)"
echo
printf '%-10s %5s %12s %10s %10s %7s\n' mode conc "ok req/s" "p50 ms" "p99 ms" errors
for mode in plain stream; do
  for c in 1 8 64; do
    threads=$(( c < 2 ? 1 : 2 ))
    line=$(wrk -t"$threads" -c"$c" -d"${DURATION}s" --latency -s "$WORK/$mode.lua" \
      "http://127.0.0.1:$PORT/v1/chat/completions" | grep '^RESULT')
    eval "${line#RESULT }"
    printf '%-10s %5s %12s %10s %10s %7s\n' "$mode" "$c" "$ok_rps" "$p50_ms" "$p99_ms" "$errors"
  done
done
echo
sleep 1
echo "RSS after load: $(rss)"
echo "state.db: $(du -h "$WORK/state.db" | cut -f1) (every transcript is written)"
