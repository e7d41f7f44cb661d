#!/usr/bin/env bash
# Same-run A/B of two sipdial builds on the signaling-only call rate (on demand):
#   Benchmarks/LoadTest/ab.sh OLD_BINARY NEW_BINARY
# For each rate in RATES (default "3000 4000"), ROUNDS times (default 2), each binary's
# `loadtest` offers calls for RUN_SECONDS (default 10; bash keeps SECONDS for itself) to a fresh SIPp UAS on 127.0.0.1; prints
# the achieved rate, the failed calls and the CPU time (user + system) per call, old and new
# side by side, so the machine's drift cancels out. Build the old one beside the new with
# `git worktree add` and `swift build -c release --product sipdial`.
set -euo pipefail
old=$1 new=$2
RATES=${RATES:-"3000 4000"}
ROUNDS=${ROUNDS:-2}
SECONDS_PER_RUN=${RUN_SECONDS:-10}
work=$(mktemp -d)
trap 'kill "${uas:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
printf "%6s %5s | %10s %7s %12s\n" rate build "calls/s" failed "CPU/call µs"
for _ in $(seq "$ROUNDS"); do
  for rate in $RATES; do
    for which in old new; do
      bin=$old; [ "$which" = new ] && bin=$new
      port=$(shuf -i 40000-59999 -n 1)
      sipp -sn uas -i 127.0.0.1 -p "$port" -mp "$(shuf -i 40000-59999 -n 1)" -nostdin -max_socket 60000 > "$work/uas.out" 2>&1 &
      uas=$!; sleep 0.5
      /usr/bin/time -f "%U %S" -o "$work/time" "$bin" loadtest --local-address 127.0.0.1 --quiet --report "$work/report.json" \
        --target "127.0.0.1:$port" --cps "$rate" --duration "$SECONDS_PER_RUN" --ring-timeout 30 > /dev/null 2>&1 || true
      kill "$uas" 2>/dev/null || true; wait "$uas" 2>/dev/null || true
      read -r user sys < <(tail -1 "$work/time")
      offered=$(jq .offered "$work/report.json")
      printf "%6d %5s | %10s %7s %12.0f\n" "$rate" "$which" "$(jq .achieved_cps "$work/report.json")" \
        "$(jq '.offered - .results.answered' "$work/report.json")" "$(echo "($user + $sys) * 1000000 / $offered" | bc -l)"
    done
  done
done
