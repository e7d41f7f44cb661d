#!/usr/bin/env bash
# Installs the Debian packages sipdial needs to build, run and test, when any is missing.
# Idempotent: on a machine that has them all it returns at once without touching apt.
set -euo pipefail

packages=(
  # C libraries behind the media engine (spandsp, opus, speexdsp, espeak-ng) and SQLite
  libspandsp-dev libtiff-dev libopus-dev libspeexdsp-dev libespeak-ng-dev espeak-ng libsqlite3-dev pkg-config
  # SRTP (RFC 3711) under the SRTP target
  libsrtp2-dev
  # real SIP peers for the interop tests, and the scanners the abuse controls are tried against
  sip-tester kamailio kamailio-tls-modules baresip-core sipvicious
  # audio tooling used by tests and benchmarks; HTTP load and requests for the REST benchmark;
  # JSON reports and process CPU/memory for the load-test benchmark
  sox wrk curl jq time bc
  # fax documents: PDF to TIFF-F (Ghostscript), TIFF tools (tiffcmp, tiff2pdf); tshark, the
  # independent decoder of the T.38 tests
  ghostscript libtiff-tools tshark
  # the throw-away test certificates of Certs/make-test-certs.sh; libsrtp for Python, the
  # independent decrypter of the SRTP capture test
  openssl python3-pylibsrtp
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
