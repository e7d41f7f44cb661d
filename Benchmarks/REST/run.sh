#!/usr/bin/env bash
# REST benchmarks, on demand (make bench-rest): a release `sipdial serve` on its embedded
# simulator (every call answered busy, so calls end at once), then
#   1. the import of a CSV file of 100,000 contacts (one request, timed by curl);
#   2. POST /v1/calls (originate) latency under wrk, each request a new number and key;
#   3. CDR queries under wrk: a page of 100, by SIP Call-ID, and the statistics,
#      over the CDRs the originate phase wrote.
# Figures are wrk's latency distribution (p50, p99) and requests per second.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CONNECTIONS=${CONNECTIONS:-8}

swift build -c release --product sipdial >/dev/null
bin=.build/release/sipdial
data=$(mktemp -d)
trap 'kill $serve 2>/dev/null || true; wait 2>/dev/null; rm -rf "$data"' EXIT
TOKEN=$($bin token create bench --data "$data")
export TOKEN
$bin serve --listen udp:127.0.0.1:0 --http 127.0.0.1:0 --data "$data" --log-level error \
  --simulator-mix 1:busy --rtp-ports 30000-39999 > "$data/serve.out" 2>&1 &
serve=$!
for _ in $(seq 1 100); do grep -q "listening http" "$data/serve.out" && break; sleep 0.1; done
port=$(awk '/listening http/ {print $4}' "$data/serve.out")
base="http://127.0.0.1:$port/v1"
auth="Authorization: Bearer $TOKEN"

echo "== CSV import: 100,000 contacts"
awk 'BEGIN { print "phone,first_name,last_name,appointment"; for (i = 0; i < 100000; i++) printf "+1555%07d,First%d,Last%d,Tuesday %d:30\n", i, i, i, i % 12 + 1 }' > "$data/contacts.csv"
list=$(curl -s -X POST "$base/lists" -H "$auth" -d '{"name": "bench"}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
curl -s -o "$data/import.json" -w "import: %{time_total} s, HTTP %{http_code}\n" -X POST "$base/lists/$list/contacts.csv" \
  -H "$auth" -H 'Content-Type: text/csv' --data-binary @"$data/contacts.csv"
head -c 200 "$data/import.json"; echo

echo "== POST /v1/calls (originate), $CONNECTIONS connections, ${SECONDS_PER_RUN}s"
wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s Benchmarks/REST/originate.lua "$base/calls" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx|requests in"
sleep 3
cdrs=$(curl -s "$base/statistics" -H "$auth" | sed -E 's/.*"total":([0-9]+).*/\1/')
echo "CDRs written: $cdrs"
callid=$(curl -s "$base/cdrs?limit=1" -H "$auth" | sed -E 's/.*"sip_call_id":"([^"]+)".*/\1/')

for query in "cdrs?limit=100" "cdrs?call_id=$callid" "statistics"; do
  echo "== GET /v1/$query, $CONNECTIONS connections, ${SECONDS_PER_RUN}s"
  wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s Benchmarks/REST/get.lua "$base/$query" | grep -E "Latency|50%|99%|Requests/sec|Non-2xx"
done
