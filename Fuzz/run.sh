#!/usr/bin/env bash
# Builds a libFuzzer target and runs it.
#   Fuzz/run.sh [SECONDS] [extra libFuzzer flags...]   (default 60 s)
#   FUZZ_TARGET=sip (default): SIP parser, framer, validator, serializer (Sources/SIPCore)
#   FUZZ_TARGET=sdp:           SDP parser, serializer, offer/answer (Sources/SDP)
#   FUZZ_TARGET=rtp:           RTP/RTCP parsers and serializers, telephone events, reception
#                              statistics, jitter buffer (Sources/RTP)
# Seeds come from the test vectors; new corpus entries go to Fuzz/corpus-<target>/
# (ignored by git); crashes are written to Fuzz/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
target=${FUZZ_TARGET:-sip}
mkdir -p Fuzz/out
case "$target" in
  sip)
    corpus=Fuzz/corpus-run
    mkdir -p "$corpus"
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name SIPCoreFuzz \
      Sources/SIPCore/*.swift Fuzz/SIPParserFuzzer.swift -o Fuzz/out/sip-parser-fuzzer
    cp -n Tests/SIPCoreTests/Torture/rfc4475/*.dat Tests/SIPCoreTests/Torture/rfc5118/wire-crlf/*.dat Tests/SIPCoreTests/FuzzRegressions/* "$corpus"/ 2>/dev/null || true
    exec Fuzz/out/sip-parser-fuzzer -max_total_time="$seconds" -max_len=4096 -dict=Fuzz/sip.dict \
      -artifact_prefix=Fuzz/out/ -print_final_stats=1 "$@" "$corpus" ;;
  sdp)
    corpus=Fuzz/corpus-sdp
    mkdir -p "$corpus"
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name SDPFuzz \
      Sources/SDP/*.swift Fuzz/SDPFuzzer.swift -o Fuzz/out/sdp-fuzzer
    cp -n Fuzz/sdp-seeds/*.sdp "$corpus"/ 2>/dev/null || true
    exec Fuzz/out/sdp-fuzzer -max_total_time="$seconds" -max_len=4096 \
      -artifact_prefix=Fuzz/out/ -print_final_stats=1 "$@" "$corpus" ;;
  rtp)
    corpus=Fuzz/corpus-rtp
    mkdir -p "$corpus"
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name RTPFuzz \
      Sources/RTP/*.swift Fuzz/RTPFuzzer.swift -o Fuzz/out/rtp-fuzzer
    cp -n Fuzz/rtp-seeds/*.bin "$corpus"/ 2>/dev/null || true
    exec Fuzz/out/rtp-fuzzer -max_total_time="$seconds" -max_len=4096 \
      -artifact_prefix=Fuzz/out/ -print_final_stats=1 "$@" "$corpus" ;;
  *) echo "unknown FUZZ_TARGET '$target' (sip, sdp or rtp)" >&2; exit 2 ;;
esac
