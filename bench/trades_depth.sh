#!/usr/bin/env bash
# Benchmark (run on demand, not a test): the partner trades feed
# (GET /v1/partner/accounts/{id}/trades, 10-partner-api.md §9) at a depth of 1,000,000 fills
# for one account. Keyset pagination should make every page cost the same: the target is
# last page <= 1.5 x first page. Loopback only; every wrk run is bounded by -d and every loop
# by a count.
#
#   bench/trades_depth.sh [duration=10s] [connections=10] [fills=1000000]
#   BENCH_PIN=1   server on CPU 0, wrk on CPU 1 (as bench/partner_read.sh); 0 = shared cores
#
# Needs the sqlite3 command-line shell: the fills are seeded straight into the database (the
# engine would take minutes to produce 10^6 real fills), then the server is restarted on it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${1:-10s}
connections=${2:-10}
fills=${3:-1000000}
limit=500  # the largest page §9.1 allows
pin=${BENCH_PIN:-1}
if [ "$pin" = 1 ] && [ "$(nproc)" -ge 2 ]; then
  on_server=(taskset -c 0); on_load=(taskset -c 1); threads=1
else
  pin=0; on_server=(); on_load=(); threads=2
fi
out=$root/build/bench
mkdir -p "$out"
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install sqlite3" >&2; exit 1; }

source bench/lib.sh
build_polysim

data=$(mktemp -d)
trap 'cleanup; rm -rf "$data"' EXIT
api_port=18095 admin_port=19095
base=http://127.0.0.1:$api_port
cat > "$data/polysim.toml" <<TOML
listen = "127.0.0.1:$api_port"
admin_listen = "127.0.0.1:$admin_port"
access_log = false
TOML

start_server() {
  "${on_server[@]}" "$bin" serve --data-dir "$data" > "$out/polysim-trades.log" 2>&1 & pids+=($!)
  wait_port $api_port
  wait_port $admin_port
}
stop_server() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; }

# --- tenant, key, one trader with one governed account, one market (the join target)
"$bin" tenant create --name bench --max-balance 1000000.00 --data-dir "$data" --json >/dev/null
"$bin" tenant set bench --tenant-per-second 10000000 --tenant-per-minute 10000000 \
  --key-per-second 10000000 --key-per-minute 10000000 --data-dir "$data" >/dev/null
key=$("$bin" key create --tenant bench --data-dir "$data" --json | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
start_server
api() { curl -s -X "$1" -H "X-API-Key: $key" -H 'Content-Type: application/json' "$base$2" ${3:+-d "$3"}; }
user_id=$(api POST /v1/partner/users '{"external_id":"deep-trader","email":"deep@bench.example.com"}' \
  | sed -n 's/.*"user_id":\([0-9]*\).*/\1/p')
account=$(api POST /v1/partner/accounts "{\"user_id\":$user_id,\"external_id\":\"deep\",\"stage\":\"challenge\",\"starting_balance\":\"10000.00\"}" \
  | sed -n 's/.*"account_id":"\([^"]*\)".*/\1/p')
market_json=$(curl -s -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$admin_port/admin/markets" \
  -d '{"slug":"bench-trades","question":"Bench market?","category":"sports","feed":"manual"}')
market=$(sed -n 's/.*"market_id":"\([^"]*\)".*/\1/p' <<<"$market_json")
token=$(sed -n 's/.*"outcome":"YES","label":"[^"]*","token_id":"\([^"]*\)".*/\1/p' <<<"$market_json")
[ -n "$account" ] && [ -n "$market" ] && [ -n "$token" ] || { echo "provisioning failed" >&2; exit 1; }
stop_server

# --- seed the fills in one transaction. Shape of real taker fills: two fills per order (one
# walk over two levels: same filled_at, trade ids ascending), filled_at increasing 1 ms per
# order and ending now, trade and order ids canonical lowercase UUIDs (the cursor encodes them
# as 128-bit values), a running position size. The table is append-only (triggers forbid
# UPDATE and DELETE); inserting is what the engine does too.
now_us=$(date +%s%6N)
t0=$(date +%s.%N)
sqlite3 "$data/polysim.db" <<SQL
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $fills)
INSERT INTO fills (trade_id, order_id, account_id, epoch, market_id, token_id, outcome, side, order_type,
                   time_in_force, liquidity, price, size, notional, fee, fee_rate_bps, cash_delta, realized_pnl,
                   position_size_after, book_seq, client_order_id, origin, filled_at)
SELECT printf('01900000-0000-7000-8000-%012x', i), printf('01910000-0000-7000-8000-%012x', i / 2),
       '$account', 0, '$market', '$token', 'YES', 'BUY', 'market', 'FAK', 'taker',
       500000 + (i % 2) * 10000, 1000000, 500000 + (i % 2) * 10000, 15000, 300, -(515000 + (i % 2) * 10000), 0,
       (i + 1) * 1000000, 1, NULL, 'api', $now_us - ($fills / 2 - i / 2) * 1000
FROM n;
COMMIT;
SQL
seed_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
seeded=$(sqlite3 "$data/polysim.db" "SELECT count(*) FROM fills WHERE account_id = '$account'")
[ "$seeded" = "$fills" ] || { echo "seeded $seeded fills, wanted $fills" >&2; exit 1; }
# The list_fills query of src/store/sqlite/sqlite_store.cpp with a cursor, as the server runs it.
plan=$(sqlite3 "$data/polysim.db" "EXPLAIN QUERY PLAN SELECT f.*, m.slug FROM fills f JOIN markets m ON m.id = f.market_id
  WHERE f.account_id = '$account' AND (f.filled_at, f.order_id, f.trade_id) < (1, 'a', 'b')
  ORDER BY f.filled_at DESC, f.order_id DESC, f.trade_id DESC LIMIT 501" | sed 's/^/    /')

# --- restart on the seeded database, then walk every page to reach the last page's cursor
start_server
first="/v1/partner/accounts/$account/trades?limit=$limit"
cursor="" pages=0 page_s=()
t0=$(date +%s.%N)
for _ in $(seq 1 $((fills / limit + 2))); do  # bounded: one more than the pages there are
  path=$first${cursor:+&cursor=$cursor}
  page_s+=("$(curl -s -o "$data/page.json" -w '%{time_total}' -H "X-API-Key: $key" "$base$path")")
  IFS= read -r -d "" body < "$data/page.json" || true  # builtins from here: one process per page
  [ "${body:0:9}" = '{"data":[' ] || { echo "page $((pages + 1)) failed: ${body:0:300}" >&2; exit 1; }
  pages=$((pages + 1))
  last_path=$path
  cursor=""
  [[ ${body: -300} =~ \"next_cursor\":\"([^\"]*)\" ]] && cursor=${BASH_REMATCH[1]}
  [ -n "$cursor" ] || break
done
walk_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
last_rows=$(grep -o '"trade_id"' "$data/page.json" | wc -l)
[ "$pages" = $(( (fills + limit - 1) / limit )) ] || { echo "walked $pages pages, expected $(( (fills + limit - 1) / limit ))" >&2; exit 1; }

run_wrk() {  # name, path
  "${on_load[@]}" wrk -t"$threads" -c"$connections" -d"$duration" --latency -H "X-API-Key: $key" "$base$2" \
    > "$out/$1.wrk.txt"
  parse_wrk "$out/$1.wrk.txt"
}
read -r first_rps first_p50 first_p99 first_bad < <(run_wrk trades-first "$first")
read -r last_rps last_p50 last_p99 last_bad < <(run_wrk trades-last "$last_path")
stop_server

ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
cat <<REPORT
trades depth benchmark: $fills fills in one account, limit=$limit, wrk -t$threads -c$connections -d$duration, pinned=$pin
  seeded in ${seed_s}s; walked $pages pages in ${walk_s}s (one curl each: page 1 $(ms "${page_s[0]}") ms, page $((pages / 2)) $(ms "${page_s[$((pages / 2 - 1))]}") ms, page $pages $(ms "${page_s[-1]}") ms); last page has $last_rows rows
  first page   $first_rps req/s   p50 ${first_p50} ms   p99 ${first_p99} ms   non-2xx ${first_bad:-0}
  last page    $last_rps req/s   p50 ${last_p50} ms   p99 ${last_p99} ms   non-2xx ${last_bad:-0}
  last / first: p50 $(ratio "$last_p50" "$first_p50")   p99 $(ratio "$last_p99" "$first_p99")   throughput $(ratio "$first_rps" "$last_rps")   (target <= 1.5)
  query plan of list_fills with a cursor:
$plan
REPORT
