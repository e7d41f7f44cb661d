#!/usr/bin/env bash
# Builds each libFuzzer harness and runs it for SECONDS (default 10) on its seeds: the last
# step of `make test`, so the harnesses keep building as the code they exercise changes. A
# crash found here fails the run and leaves its input in Fuzz/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
mkdir -p Fuzz/out
for target in sip sdp rtp dns wav csv flow udptl; do
  log=Fuzz/out/smoke-$target.log
  if ! FUZZ_TARGET=$target Fuzz/run.sh "$seconds" > "$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz smoke: the $target harness failed (log: $log)" >&2
    exit 1
  fi
  echo "fuzz smoke: $target $(grep -E '^Done ' "$log")"
done
