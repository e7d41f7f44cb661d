#!/usr/bin/env bash
# Makes throw-away test certificates for sipdial's TLS tests (SIP over TLS, RFC 3261 §26 /
# RFC 5630). Never use these anywhere real.
#   Certs/make-test-certs.sh [OUTDIR]   (default: Certs/out, ignored by git)
# Writes, each with its .key:
#   ca.crt            the test CA
#   server.crt        for localhost, 127.0.0.1 and ::1, signed by the test CA (server and client use)
#   client.crt        a client certificate signed by the test CA
#   wrong-name.crt    signed by the test CA for wrong.invalid only (a name mismatch)
#   other-ca.crt      for localhost / 127.0.0.1, signed by another CA (an unknown CA)
#   expired.crt       for localhost / 127.0.0.1, signed by the test CA, expired in 2020
set -euo pipefail
out=${1:-"$(dirname "$0")/out"}
mkdir -p "$out"
cd "$out"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
local_names='subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1'

ca() { # NAME SUBJECT
  openssl req -x509 "${ec[@]}" -days 30 -subj "/CN=$2" -keyout "$1.key" -out "$1.crt" 2>/dev/null
}
# NAME CA SAN [extra x509 options...]
leaf() {
  local name=$1 issuer=$2 san=$3
  shift 3
  openssl req "${ec[@]}" -subj "/CN=$name" -keyout "$name.key" -out "$name.csr" 2>/dev/null
  printf '%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" -CAcreateserial -days 30 \
    -extfile "$name.ext" -out "$name.crt" "$@" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}

ca ca "sipdial test CA"
ca unknown-ca "sipdial unknown test CA"
leaf server ca "$local_names"
leaf client ca "subjectAltName=DNS:client.invalid"
leaf wrong-name ca "subjectAltName=DNS:wrong.invalid"
leaf other-ca unknown-ca "$local_names"

# An expired certificate: openssl ca takes explicit dates where x509 -req does not.
openssl req "${ec[@]}" -subj "/CN=expired" -keyout expired.key -out expired.csr 2>/dev/null
mkdir -p expired-ca/new
: > expired-ca/index.txt
cat > expired-ca/ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = expired-ca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = anything
copy_extensions = none
x509_extensions = leaf
[anything]
commonName = supplied
[leaf]
$local_names
extendedKeyUsage = serverAuth,clientAuth
CNF
echo 01 > expired-ca/serial
openssl ca -batch -config expired-ca/ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr -out expired.crt \
  -startdate 20200101000000Z -enddate 20200201000000Z -notext 2>/dev/null
rm -rf expired.csr expired-ca ca.srl unknown-ca.srl

openssl verify -CAfile ca.crt server.crt client.crt wrong-name.crt
