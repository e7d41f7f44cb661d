#!/usr/bin/env bash
# Runs one phase of `make test` (its arguments go to `swift test --skip-build`) under a time
# limit. When the phase fails, the issues it recorded are printed again as the last lines of
# the output, so a CI log that keeps only its tail still names every failed expectation.
set -uo pipefail

limit="$1"
shift
log="$(mktemp -t sipdial-test.XXXXXX)"
trap 'rm -f "$log"' EXIT

SWIFT_BACKTRACE=enable=no timeout "$limit" "${SWIFT:-swift}" test --skip-build "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  echo
  echo "==== test phase failed (exit $status); the issues it recorded:"
  # An issue's line, and the indented lines of its message that follow it.
  awk '/recorded an issue|Caught error|error:|Fatal error|timed out/ { print; keep = 1; next }
       keep && /^[[:space:]]*↳|^[[:space:]]+[^✔◇✘]/ { print; next }
       { keep = 0 }' "$log" | tail -n 60
  [ "$status" -eq 124 ] && echo "the phase did not finish within $limit s"
fi
exit "$status"
