#!/usr/bin/env bash
# Soak benchmark, on demand (make bench-soak): a campaign with media through the whole engine
# (`sipdial loadtest --campaign`: store, pacer, flows, RTP, CDRs) against `sipdial simulate`
# on 127.0.0.1 for DURATION seconds at CPS calls per second, each call playing the prompt and
# holding HOLD seconds after the first PROMPT_SECONDS (2) of Audio/prompt-en.wav. Every SAMPLE seconds it reads the resident memory (VmRSS) and the
# open file descriptors of both processes from /proc, and at the end it checks:
#   - resident memory after warm-up (the first WARMUP seconds) within ±5 % of its mean;
#   - file descriptors after warm-up within ±5 % of their mean;
#   - one CDR per call offered, in the campaign's store (a pacer slower than CPS offers fewer
#     calls than CPS × DURATION: the report says how many, and at what rate).
# Environment: DURATION (3600), CPS (200), PROMPT_SECONDS (2), HOLD (0), SAMPLE (10),
# WARMUP (300), SOAK_SAMPLES (where the samples are kept: /tmp/sipdial-soak-samples.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-3600}
CPS=${CPS:-200}
HOLD=${HOLD:-0}
SAMPLE=${SAMPLE:-10}
PROMPT_SECONDS=${PROMPT_SECONDS:-2}
WARMUP=${WARMUP:-300}

swift build -c release --product sipdial >/dev/null
bin=$PWD/.build/release/sipdial
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
ulimit -n 65536 2>/dev/null || true

port=$(shuf -i 40000-59999 -n 1)
"$bin" simulate --listen "udp:127.0.0.1:$port" --log-level error --rtp-ports 10000-19999 > "$work/simulate.out" 2>&1 &
sim=$!; pids+=($sim)
for _ in $(seq 100); do grep -q "listening udp" "$work/simulate.out" && break; sleep 0.1; done

sox Audio/prompt-en.wav "$work/prompt.wav" trim 0 "$PROMPT_SECONDS"
calls=$((CPS * DURATION))
"$bin" loadtest --campaign --target "127.0.0.1:$port" --cps "$CPS" --calls "$calls" --hold "$HOLD" --play "$work/prompt.wav" \
  --rtp-ports 20000-39999 --data "$work/data" --report "$work/report.json" --quiet > "$work/loadtest.out" 2>&1 &
gen=$!; pids+=($gen)

# seconds, rss_kb and fds of the generator, then of the simulator
sample() { echo "$(awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0) $(ls "/proc/$1/fd" 2>/dev/null | wc -l)"; }
echo "seconds gen_rss_kb gen_fds sim_rss_kb sim_fds" > "$work/samples.txt"
start=$(date +%s)
while kill -0 "$gen" 2>/dev/null; do
  echo "$(( $(date +%s) - start )) $(sample "$gen") $(sample "$sim")" >> "$work/samples.txt"
  sleep "$SAMPLE"
done
wait "$gen" || true
cp "$work/samples.txt" "${SOAK_SAMPLES:=/tmp/sipdial-soak-samples.txt}"

echo "== soak: $calls calls asked for at $CPS/s, hold $HOLD s, media both ways, $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
jq -r '"answered \(.results.answered)/\(.offered), achieved \(.achieved_cps) calls/s, rtp lost \(.rtp.packets_lost) of \(.rtp.packets_received + .rtp.packets_lost), generator CPU \(.generator.cpu_seconds) s"' "$work/report.json"
python3 - "$work/samples.txt" "$WARMUP" "$work/data" "$(jq .offered "$work/report.json")" "$SOAK_SAMPLES" "$(jq .achieved_cps "$work/report.json")" <<'PY'
import sqlite3, sys, glob
path, warmup, data, calls, cps = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[6])
rows = [list(map(int, l.split())) for l in open(path).read().splitlines()[1:] if len(l.split()) == 5]
# Steady state: after the warm-up, while calls were still being offered (not the drain).
offering_ends = calls / cps if cps > 0 else float("inf")
steady = [r for r in rows if warmup <= r[0] <= offering_ends] or rows
ok = True
for name, col in [("generator RSS KiB", 1), ("generator fds", 2), ("simulator RSS KiB", 3), ("simulator fds", 4)]:
    values = [r[col] for r in steady if r[col] > 0]
    if not values:
        continue
    mean = sum(values) / len(values)
    lo, hi = min(values), max(values)
    spread = max(hi - mean, mean - lo) / mean * 100
    flat = spread <= 5
    ok &= flat
    print(f"{name}: after {warmup} s warm-up {len(values)} samples, mean {mean:.0f}, min {lo}, max {hi}, ±{spread:.1f} % {'flat' if flat else 'NOT flat'}")
db = glob.glob(data + "/*.sqlite")[0]
cdrs = sqlite3.connect(db).execute("select count(*) from cdr").fetchone()[0]
print(f"CDRs: {cdrs} for {calls} calls offered {'(all written)' if cdrs == calls else '(MISSING)'}; samples in {sys.argv[5]}")
ok &= cdrs == calls
sys.exit(0 if ok else 1)
PY
