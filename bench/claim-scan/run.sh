#!/usr/bin/env bash
# Cost of DeliveryDispatcher's claim with a blocked webhook's backlog due ahead of 10 healthy rows, before and after
# the backlog is postponed to the circuit's reopen time. Scratch database claim_bench (dropped at the end); the schema
# of deliveries and notification_preferences is copied from a migrated database ($1, default $MW_TEST_TEMPLATE or mw_tpl_main), FKs left out.
# claim.sql is the Claim statement with its parameters inlined (16 free workers, scan 64), run in a rolled-back transaction.
set -euo pipefail
cd "$(dirname "$0")"
SOURCE=${1:-${MW_TEST_TEMPLATE:-mw_tpl_main}}
PG="psql -h 127.0.0.1 -p ${PGPORT:-54329} -U postgres -q"
$PG -d postgres -c "DROP DATABASE IF EXISTS claim_bench" -c "CREATE DATABASE claim_bench"
pg_dump -h 127.0.0.1 -p "${PGPORT:-54329}" -U postgres -s -t deliveries -t notification_preferences "$SOURCE" \
  | awk '/ALTER TABLE ONLY/{hold=$0; next} hold!=""{ if ($0 ~ /FOREIGN KEY/) {hold=""; next} print hold; hold="" } 1' \
  | $PG -d claim_bench >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] " ms (min " a[1] ", max " a[NR] ", n=" NR ")"}'; }
claim() { for _ in $(seq 15); do $PG -d claim_bench -v blocked="'{webhook:http://127.0.0.1:9/hook/0}'::text[]" -f claim.sql \
  | awk '/Execution Time/{print $3}'; done | median; }
for backlog in 0 5000 50000; do
  $PG -d claim_bench -v backlog=$backlog -f seed.sql
  echo "backlog $backlog due: claim $(claim)"
  if [ "$backlog" -gt 0 ]; then
    echo "  postpone (once, when the circuit opens): $($PG -d claim_bench -f postpone.sql | awk '/Execution Time/{print $3 " ms"}')"
    $PG -d claim_bench -c "VACUUM ANALYZE deliveries"
    echo "  backlog postponed: claim $(claim)"
  fi
done
$PG -d postgres -c "DROP DATABASE claim_bench"
