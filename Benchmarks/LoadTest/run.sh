#!/usr/bin/env bash
# Load-test benchmarks, on demand (make bench-load): the headline figures of `sipdial loadtest`,
# each side by side with SIPp's UAC in the same run, on 127.0.0.1.
#   1. signaling only: calls per second at rising rates against a fresh SIPp UAS each, sipdial
#      then SIPp's `-sn uac`; the highest rate each held with zero failed calls;
#   2. calls with media: CONCURRENT calls up at once (rate × hold), G.711 both ways against
#      SIPp's UAS echoing RTP (`-rtp_echo`): sipdial plays Audio/prompt-en.wav and reports
#      RTP loss and jitter; SIPp's UAC plays its G.711 pcap for the same load; both with the
#      generator's CPU time and peak memory;
#   3. campaign mode: a campaign through store, pacer, flows and CDRs against `sipdial
#      simulate` at rising rates, beside SIPp's UAC at the same rates on the same simulator.
# Environment: SECONDS_PER_STEP (10), RATES ("500 1000 1500 2000 3000"), CONCURRENT (500),
# HOLD (20), CAMPAIGN_RATES ("100 200 400"), STEPS ("1 2 3": which of the three to run),
# LOADTEST_ARGS (more `sipdial loadtest` flags for step 1, e.g. "--signaling-threads 1").
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_STEP=${SECONDS_PER_STEP:-10}
RATES=${RATES:-"500 1000 1500 2000 3000"}
CONCURRENT=${CONCURRENT:-500}
HOLD=${HOLD:-20}
CAMPAIGN_RATES=${CAMPAIGN_RATES:-"100 200 400"}
STEPS=${STEPS:-"1 2 3"}
step() { [[ " $STEPS " == *" $1 "* ]]; }

swift build -c release --product sipdial >/dev/null
bin=$PWD/.build/release/sipdial
work=$(mktemp -d)
ln -s /usr/share/sip-tester "$work/pcap"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT
ulimit -n 65536 2>/dev/null || true

free_port() { shuf -i 40000-59999 -n 1; }

# SIPp's UAS on a free port, in $port and $uas. Extra arguments go to SIPp.
start_uas() {
  port=$(free_port)
  sipp -sn uas -i 127.0.0.1 -p "$port" -mp "$(free_port)" -nostdin -max_socket 60000 "$@" > "$work/uas-$port.out" 2>&1 &
  uas=$!; pids+=($uas); sleep 0.5
}

# SIPp's UAC: rate, calls, target, extra arguments; prints "successful failed cpu_s rss_mb".
sipp_uac() {
  local rate=$1 calls=$2 target=$3; shift 3
  local stat="$work/uac-$RANDOM.csv"
  # uac_pcap plays pcap/g711a.pcap and pcap/dtmf_2833_1.pcap, relative to the working directory.
  ( cd "$work" && /usr/bin/time -f "%U %S %M" -o "$work/uac.time" sipp "$target" -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" -r "$rate" -m "$calls" \
    -nostdin -max_socket 60000 -trace_stat -stf "$stat" -fd 1 -timeout $((calls / rate + HOLD + 60))s "$@" > /dev/null 2>&1 ) || true
  local header last
  header=$(head -1 "$stat"); last=$(tail -1 "$stat")
  col() { echo "$header" | tr ';' '\n' | grep -n "^$1\$" | cut -d: -f1; }
  local ok failed
  ok=$(echo "$last" | cut -d';' -f"$(col 'SuccessfulCall(C)')")
  failed=$(echo "$last" | cut -d';' -f"$(col 'FailedCall(C)')")
  # time(1) puts "Command exited with non-zero status N" first when SIPp saw failed calls.
  read -r user sys rss < <(tail -1 "$work/uac.time")
  echo "$ok $failed $(echo "$user + $sys" | bc) $((rss / 1024))"
}

# sipdial's load test: prints its JSON report's path. Extra arguments go to loadtest.
sipdial_load() {
  local report="$work/report-$RANDOM.json"
  "$bin" loadtest --local-address 127.0.0.1 --quiet --report "$report" "$@" > /dev/null 2>&1 || true
  echo "$report"
}

if step 1; then
echo "== 1. signaling only (INVITE/180/200/ACK/BYE, no hold), ${SECONDS_PER_STEP}s per rate, SIPp UAS as the target"
printf "%8s | %12s %8s | %12s %8s\n" rate "sipdial cps" failed "SIPp cps" failed
best_mine=0; best_sipp=0
for rate in $RATES; do
  start_uas
  # shellcheck disable=SC2086 # LOADTEST_ARGS is a list of flags
  r=$(sipdial_load --target "127.0.0.1:$port" --cps "$rate" --duration "$SECONDS_PER_STEP" --ring-timeout 30 ${LOADTEST_ARGS:-})
  kill "$uas" 2>/dev/null || true
  mine_cps=$(jq .achieved_cps "$r"); mine_failed=$(jq '.offered - .results.answered' "$r")
  start_uas
  read -r ok failed _ _ < <(sipp_uac "$rate" $((rate * SECONDS_PER_STEP)) "127.0.0.1:$port" -sn uac -d 0)
  kill "$uas" 2>/dev/null || true
  sipp_cps=$(echo "scale=1; $ok / $SECONDS_PER_STEP" | bc)
  printf "%8d | %12s %8s | %12s %8s\n" "$rate" "$mine_cps" "$mine_failed" "$sipp_cps" "$failed"
  [ "$mine_failed" = 0 ] && best_mine=$rate
  [ "$failed" = 0 ] && best_sipp=$rate
done
echo "highest rate with zero failed calls: sipdial $best_mine, SIPp $best_sipp"
fi

if step 2; then
echo "== 2. $CONCURRENT calls up at once with G.711 media both ways (hold ${HOLD}s), SIPp UAS echoing RTP"
rate=$(( (CONCURRENT + HOLD - 1) / HOLD ))
calls=$((rate * HOLD * 2))
start_uas -rtp_echo
r=$(sipdial_load --target "127.0.0.1:$port" --cps "$rate" --calls "$calls" --hold "$HOLD" --play Audio/prompt-en.wav --rtp-ports 20000-39999)
kill "$uas" 2>/dev/null || true
echo "sipdial: $(jq -r '"answered \(.results.answered)/\(.offered), rtp sent \(.rtp.packets_sent) received \(.rtp.packets_received) lost \(.rtp.packets_lost) (\(.rtp.loss_ratio * 100)%), jitter mean \(.rtp.jitter_mean_ms) ms max \(.rtp.jitter_max_ms) ms, duration |error| p99 \(.duration.absolute_error_ms.p99) ms, CPU \(.generator.cpu_seconds) s, peak \(.generator.max_resident_mb) MB"' "$r")"
start_uas -rtp_echo
read -r ok failed cpu rss < <(sipp_uac "$rate" "$calls" "127.0.0.1:$port" -sn uac_pcap -d $((HOLD * 1000)))
kill "$uas" 2>/dev/null || true
echo "SIPp uac_pcap: answered $ok/$calls, failed $failed, CPU $cpu s, peak $rss MB (SIPp reports no RTP loss or jitter)"
fi

if step 3; then
echo "== 3. campaign mode (store, pacer, flows, CDRs; no hold), $SECONDS_PER_STEP s per rate, sipdial simulate as the target"
printf "%8s | %14s %14s %8s | %12s %8s\n" rate "campaign cps" "offered cps" failed "SIPp cps" failed
for rate in $CAMPAIGN_RATES; do
  port=$(free_port)
  "$bin" simulate --listen "udp:127.0.0.1:$port" --log-level error --rtp-ports 10000-19999 > "$work/sim.out" 2>&1 &
  sim=$!; pids+=($sim); sleep 1
  r=$(sipdial_load --campaign --target "127.0.0.1:$port" --cps "$rate" --calls $((rate * SECONDS_PER_STEP)) --rtp-ports 20000-39999)
  read -r ok failed _ _ < <(sipp_uac "$rate" $((rate * SECONDS_PER_STEP)) "127.0.0.1:$port" -sn uac -d 0)
  kill "$sim" 2>/dev/null || true
  printf "%8d | %14s %14s %8s | %12s %8s\n" "$rate" "$(jq .achieved_cps "$r")" "$(jq .offered_cps "$r")" "$(jq '.offered - .results.answered' "$r")" \
    "$(echo "scale=1; $ok / $SECONDS_PER_STEP" | bc)" "$failed"
done
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
