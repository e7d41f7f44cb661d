#!/usr/bin/env bash
# Builds a libFuzzer target and runs it.
#   Fuzz/run.sh [SECONDS] [extra libFuzzer flags...]   (default 60 s)
#   FUZZ_TARGET=sip (default): SIP parser, framer, validator, serializer (Sources/SIPCore)
#   FUZZ_TARGET=sdp:           SDP parser, serializer, offer/answer, SDES a=crypto lines (Sources/SDP)
#   FUZZ_TARGET=rtp:           RTP/RTCP parsers and serializers, telephone events, reception
#                              statistics, jitter buffer (Sources/RTP)
#   FUZZ_TARGET=dns:           DNS answers read for RFC 3263 (Sources/SIPTransport/DNSMessage.swift)
#   FUZZ_TARGET=wav:           the WAV reader of prompts and recordings (Sources/Media/WAVFile.swift)
#   FUZZ_TARGET=csv:           the CSV reader of contact imports (Sources/DialerAPI/CSVTable.swift)
#   FUZZ_TARGET=flow:          call-flow JSON (Sources/DialerEngine/CallFlow.swift, JSONValue.swift)
#   FUZZ_TARGET=udptl:         UDPTL datagrams and the receiver's redundancy and FEC recovery (Sources/T38)
# Seeds come from the test vectors; new corpus entries go to Fuzz/corpus-<target>/
# (ignored by git); crashes are written to Fuzz/out/.
# FUZZ_CPU_SECONDS=N: run at nice 19 until the fuzzer has used N seconds of CPU (instead of
# SECONDS of wall time), so a CPU-hour can run beside other work; the binary is built as
# Fuzz/out/long/<name> so the 10 s runs of `make test` can rebuild theirs meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
target=${FUZZ_TARGET:-sip}
out=Fuzz/out
[[ -n "${FUZZ_CPU_SECONDS:-}" ]] && out=Fuzz/out/long
mkdir -p "$out"
case "$target" in
  sip) module=SIPCore; sources=(Sources/SIPCore/*.swift); harness=SIPParserFuzzer; binary=sip-parser-fuzzer; corpus=Fuzz/corpus-run
       seeds=(Tests/SIPCoreTests/Torture/rfc4475/*.dat Tests/SIPCoreTests/Torture/rfc5118/wire-crlf/*.dat Tests/SIPCoreTests/FuzzRegressions/*)
       flags=(-dict=Fuzz/sip.dict) ;;
  sdp) module=SDP; sources=(Sources/SDP/*.swift); harness=SDPFuzzer; binary=sdp-fuzzer; corpus=Fuzz/corpus-sdp; seeds=(Fuzz/sdp-seeds/*.sdp); flags=() ;;
  rtp) module=RTP; sources=(Sources/RTP/*.swift); harness=RTPFuzzer; binary=rtp-fuzzer; corpus=Fuzz/corpus-rtp; seeds=(Fuzz/rtp-seeds/*.bin); flags=() ;;
  dns) module=DNS; sources=(Sources/SIPTransport/DNSMessage.swift); harness=DNSFuzzer; binary=dns-fuzzer; corpus=Fuzz/corpus-dns; seeds=(Fuzz/dns-seeds/*.bin); flags=() ;;
  wav) module=Media; sources=(Sources/Media/WAVFile.swift Sources/Media/G711.swift); harness=WAVFuzzer; binary=wav-fuzzer; corpus=Fuzz/corpus-wav; seeds=(Fuzz/wav-seeds/*.wav); flags=() ;;
  csv) module=CSV; sources=(Sources/DialerAPI/CSVTable.swift); harness=CSVFuzzer; binary=csv-fuzzer; corpus=Fuzz/corpus-csv; seeds=(Fuzz/csv-seeds/*.csv); flags=() ;;
  flow) module=Flow; sources=(Sources/DialerEngine/CallFlow.swift Sources/DialerEngine/JSONValue.swift); harness=FlowFuzzer; binary=flow-fuzzer; corpus=Fuzz/corpus-flow; seeds=(Fuzz/flow-seeds/*.json); flags=() ;;
  udptl) module=T38; sources=(Sources/T38/*.swift); harness=UDPTLFuzzer; binary=udptl-fuzzer; corpus=Fuzz/corpus-udptl; seeds=(Fuzz/udptl-seeds/*.bin); flags=() ;;
  *) echo "unknown FUZZ_TARGET '$target' (sip, sdp, rtp, dns, wav, csv, flow or udptl)" >&2; exit 2 ;;
esac
# The harness is compiled into one module with the sources it exercises.
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "${module}Fuzz" \
  "${sources[@]}" Fuzz/"$harness".swift -o "$out/$binary"
mkdir -p "$corpus"
cp -n "${seeds[@]}" "$corpus"/ 2>/dev/null || true
common=(-max_len=4096 "${flags[@]}" -artifact_prefix=Fuzz/out/ -print_final_stats=1 "$@" "$corpus")
if [[ -z "${FUZZ_CPU_SECONDS:-}" ]]; then
  exec "$out/$binary" -max_total_time="$seconds" "${common[@]}"
fi
nice -n 19 "$out/$binary" "${common[@]}" &
pid=$!
trap 'kill -INT $pid 2>/dev/null || true' EXIT
ticks=$(getconf CLK_TCK)
started=$(date +%s)
while kill -0 "$pid" 2>/dev/null; do
  # Fields 14 and 15 of /proc/PID/stat: user and system CPU time in clock ticks.
  cpu=$(awk -v t="$ticks" '{ print int(($14 + $15) / t) }' /proc/$pid/stat 2>/dev/null || echo 0)
  if (( cpu >= FUZZ_CPU_SECONDS )); then kill -INT "$pid"; break; fi
  sleep 5
done
status=0
wait "$pid" || status=$?
echo "fuzz: $target used ${cpu}s of CPU in $(( $(date +%s) - started ))s of wall time"
# libFuzzer exits 72 when interrupted by the signal sent above; a crash exits 1.
(( status == 0 || status == 72 )) || exit "$status"
