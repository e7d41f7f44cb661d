#!/usr/bin/env bash
# Builds the libFuzzer target for the SIP parser/framer and runs it.
#   Fuzz/run.sh [SECONDS] [extra libFuzzer flags...]   (default 60 s)
# Seeds come from the RFC 4475/5118 vectors; new corpus entries go to Fuzz/corpus-run/
# (ignored by git); crashes are written to Fuzz/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
mkdir -p Fuzz/out Fuzz/corpus-run
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name SIPCoreFuzz \
  Sources/SIPCore/*.swift Fuzz/SIPParserFuzzer.swift -o Fuzz/out/sip-parser-fuzzer
cp -n Tests/SIPCoreTests/Torture/rfc4475/*.dat Tests/SIPCoreTests/Torture/rfc5118/wire-crlf/*.dat Tests/SIPCoreTests/FuzzRegressions/* Fuzz/corpus-run/ 2>/dev/null || true
exec Fuzz/out/sip-parser-fuzzer -max_total_time="$seconds" -max_len=4096 -dict=Fuzz/sip.dict \
  -artifact_prefix=Fuzz/out/ -print_final_stats=1 "$@" Fuzz/corpus-run
