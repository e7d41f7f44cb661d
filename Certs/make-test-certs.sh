#!/usr/bin/env bash
# Makes a throw-away test CA and a server certificate for 127.0.0.1 / ::1 / localhost, for
# sipdial's TLS tests (SIP over TLS, RFC 3261 §26 / RFC 5630). Never use these anywhere real.
#   Certs/make-test-certs.sh [OUTDIR]   (default: Certs/out, ignored by git)
set -euo pipefail
out=${1:-"$(dirname "$0")/out"}
mkdir -p "$out"
cd "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj "/CN=sipdial test CA" -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth,clientAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
  -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext ca.srl
openssl verify -CAfile ca.crt server.crt
