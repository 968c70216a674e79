#!/usr/bin/env bash
# Benchmark (run on demand, not a test): market orders per second into distinct accounts and
# their acknowledgement latency through the real trader API (POST /api/v1/orders, Bearer JWT),
# against the ceiling of ../shared/bench measured in the same run with the same wrk settings.
# Targets (40-trading-engine.md §11): >= 20,000 orders/s and p99 ack <= 5 ms at 50 clients on
# 2 cores. Loopback only; every wrk run is bounded by -d and every wait by a count.
#
#   bench/orders.sh [duration=10s] [connections=50] [threads]
#   BENCH_TRADERS=1000   traders (one session and one account each) the orders rotate over
#   BENCH_PIN=1          server on CPU 0, wrk on CPU 1 (as bench/partner_read.sh); 0 = shared
#
# The trader tiers are fixed by the seed (default tier: 200 requests per minute per session)
# and have no setting, so instead of raising them the bench spreads the load over enough
# sessions: BENCH_TRADERS x 200 orders per minute must exceed what one run sends.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${POLYSIM_SHARED_DIR:-$root/../shared}
duration=${1:-10s}
connections=${2:-50}
traders=${BENCH_TRADERS:-1000}
pin=${BENCH_PIN:-1}
if [ "$pin" = 1 ] && [ "$(nproc)" -ge 2 ]; then
  on_server=(taskset -c 0); on_load=(taskset -c 1); threads=${3:-1}; server_cpus=1
else
  pin=0; on_server=(); on_load=(); threads=${3:-2}; server_cpus=$(nproc)
fi
out=$root/build/bench
mkdir -p "$out"

source bench/lib.sh
build_polysim
g++ -O2 -std=c++20 -pthread "$shared/bench/ceiling/ceiling.cpp" -o "$out/ceiling"

data=$(mktemp -d)
trap 'cleanup; rm -rf "$data"' EXIT
api_port=18093 admin_port=19093 ceiling_port=18094
base=http://127.0.0.1:$api_port
admin=http://127.0.0.1:$admin_port

run_wrk() {  # name, url
  "${on_load[@]}" wrk -t"$threads" -c"$connections" -d"$duration" --latency -s bench/lua/orders_rotating.lua \
    "$2" -- "$out/orders-traders.txt" "$market" > "$out/$1.wrk.txt"
  parse_wrk "$out/$1.wrk.txt"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of the server

# --- server: SQLite, access log off as in the other benches, loopback trusted as a proxy so
# that each login-link redemption can carry its own X-Forwarded-For (the default tier charges
# anonymous calls per client address).
cat > "$data/polysim.toml" <<TOML
listen = "127.0.0.1:$api_port"
admin_listen = "127.0.0.1:$admin_port"
access_log = false
[ratelimit]
trusted_proxies = ["127.0.0.1/32"]
TOML
"$bin" tenant create --name bench --max-balance 1000000.00 --data-dir "$data" --json >/dev/null
"$bin" tenant set bench --tenant-per-second 10000000 --tenant-per-minute 10000000 \
  --key-per-second 10000000 --key-per-minute 10000000 --data-dir "$data" >/dev/null
key=$("$bin" key create --tenant bench --data-dir "$data" --json | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
"${on_server[@]}" "$bin" serve --data-dir "$data" > "$out/polysim-orders.log" 2>&1 & pids+=($!)
ppid=${pids[-1]}
wait_port $api_port
wait_port $admin_port

# --- market with a deep manual book (1,000,000 shares a level), min size 1 share so a $1
# notional BUY at 0.50 (about 1.97 shares) is valid. Each account takes ~2 shares per order
# from the snapshot (§5.2 depletion), far below the depth.
market=$(curl -s -X POST -H 'Content-Type: application/json' "$admin/admin/markets" \
  -d '{"slug":"bench-orders","question":"Bench market?","category":"sports","feed":"manual","min_order_size":"1"}' \
  | sed -n 's/.*"market_id":"\([^"]*\)".*/\1/p')
[ -n "$market" ] || { echo "market not created" >&2; exit 1; }
levels() { for k in $(seq 0 9); do printf '%s["0.%02d","1000000"]' "$([ "$k" = 0 ] || echo ,)" "$(( $1 + $2 * k ))"; done; }
curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$admin/admin/markets/$market/book" \
  -d "{\"outcome\":\"YES\",\"bids\":[$(levels 49 -1)],\"asks\":[$(levels 50 1)]}" | grep -q 200 \
  || { echo "book not accepted" >&2; exit 1; }

# --- traders. One curl process runs a whole batch of requests (a curl config file) over a
# keep-alive connection and prints one response per line: seconds for 1,000 traders.
request() {  # method url json [header...] -> one curl config entry
  local method=$1 url=$2 json=${3//\"/\\\"}; shift 3
  printf 'url = "%s"\nrequest = "%s"\nheader = "Content-Type: application/json"\n' "$url" "$method"
  for h in "$@"; do printf 'header = "%s"\n' "$h"; done
  printf 'data = "%s"\nwrite-out = "\\n"\nsilent\nnext\n' "$json"
}
batch() { sed '$d' "$1" | curl --config - | grep -v '^$' || true; }  # drops the last entry's trailing "next"
expect_lines() {  # file count what
  local n; n=$(grep -c . "$1" || true)
  [ "$n" = "$2" ] || { echo "$3: $n of $2 succeeded; first answers:" >&2; head -3 "$1" >&2; exit 1; }
}
t0=$(date +%s)
# Partner users (no password; they sign in by login link) and one governed account each.
for i in $(seq 1 "$traders"); do
  request POST "$base/v1/partner/users" "{\"external_id\":\"t-$i\",\"email\":\"t$i@bench.example.com\"}" "X-API-Key: $key"
done > "$data/users.cfg"
batch "$data/users.cfg" | sed -n 's/.*"user_id":\([0-9]*\).*/\1/p' > "$data/user-ids.txt"
expect_lines "$data/user-ids.txt" "$traders" "users"
i=0
while read -r uid; do
  i=$((i + 1))
  request POST "$base/v1/partner/accounts" \
    "{\"user_id\":$uid,\"external_id\":\"a-$i\",\"stage\":\"challenge\",\"starting_balance\":\"10000.00\"}" "X-API-Key: $key"
done < "$data/user-ids.txt" > "$data/accounts.cfg"
batch "$data/accounts.cfg" | sed -n 's/.*"account_id":"\([^"]*\)".*/\1/p' > "$data/account-ids.txt"
expect_lines "$data/account-ids.txt" "$traders" "accounts"
while read -r uid; do request POST "$base/v1/partner/users/$uid/login-link" "{}" "X-API-Key: $key"; done \
  < "$data/user-ids.txt" > "$data/links.cfg"
batch "$data/links.cfg" > /dev/null
# The outbox delivers the links to $data/outbox.jsonl in the background: wait (bounded, 60 s).
for _ in $(seq 1 600); do
  [ "$(grep -c '"kind":"login_link"' "$data/outbox.jsonl" 2>/dev/null || true)" -ge "$traders" ] && break
  sleep 0.1
done
# Redeem each trader's link (in users' order) from its own client address: one session each.
sed -n 's/.*"to":"t\([0-9]*\)@bench.example.com".*token=\(ll_[a-z0-9]*\)".*/\1 \2/p' "$data/outbox.jsonl" \
  | sort -n | awk '{ printf "%s\n", $2 }' > "$data/link-tokens.txt"
expect_lines "$data/link-tokens.txt" "$traders" "login links"
i=0
while read -r token; do
  i=$((i + 1))
  request POST "$base/api/v1/auth/link" "{\"token\":\"$token\"}" "X-Forwarded-For: 10.$((i / 65536 % 256)).$((i / 256 % 256)).$((i % 256))"
done < "$data/link-tokens.txt" > "$data/redeem.cfg"
batch "$data/redeem.cfg" | sed -n 's/.*"accessToken":"\([^"]*\)".*/\1/p' > "$data/access-tokens.txt"
expect_lines "$data/access-tokens.txt" "$traders" "sign-ins"
paste -d' ' "$data/access-tokens.txt" "$data/account-ids.txt" > "$out/orders-traders.txt"
provision_s=$(( $(date +%s) - t0 ))

# --- ceiling, the same requests (it answers every request head with a fixed 200)
"${on_server[@]}" "$out/ceiling" $ceiling_port "$server_cpus" & pids+=($!)
wait_port $ceiling_port
read -r ceil_rps ceil_p50 ceil_p99 _ < <(run_wrk ceiling-orders "http://127.0.0.1:$ceiling_port")
kill "${pids[-1]}"

# --- polysim
before_ticks=$(cpu_ticks "$ppid")
read -r poly_rps poly_p50 poly_p99 poly_non2xx < <(run_wrk polysim-orders "$base")
cpu_s=$(awk -v a="$before_ticks" -v b="$(cpu_ticks "$ppid")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz }')
sent=$(awk '/requests in/ { print $1 }' "$out/polysim-orders.wrk.txt")
# What one order writes, from the database after the run (the sqlite3 shell is optional here).
rows() { sqlite3 "$data/polysim.db" "SELECT count(*) FROM $1" 2>/dev/null || echo "?"; }
persisted=$(rows orders)
written="fills $(rows fills), ledger entries $(rows ledger_entries), positions $(rows positions), equity snapshots $(rows equity_snapshots), audit rows $(rows audit_log)"
statuses=$(sed -n 's/^status \([0-9]*\): \([0-9]*\)$/\1:\2/p' "$out/polysim-orders.wrk.txt" | sort | tr '\n' ' ')
first_error=$(sed -n 's/^first error: //p' "$out/polysim-orders.wrk.txt")
kill "$ppid"; wait "$ppid" 2>/dev/null || true

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
valid="valid"
# A run where orders fail measures the failure path, not trading: flag it (more than 0.1 %).
if awk -v bad="${poly_non2xx:-0}" -v n="${sent:-0}" 'BEGIN { exit !(bad > n / 1000) }'; then valid="INVALID (orders failed)"; fi
cat <<REPORT
order benchmark: wrk -t$threads -c$connections -d$duration, POST /api/v1/orders (\$1 FAK market BUY), pinned=$pin
  $traders traders, one session + one governed account each, provisioned in ${provision_s}s
  ceiling   $ceil_rps req/s   p50 ${ceil_p50} ms   p99 ${ceil_p99} ms
  polysim   $poly_rps orders/s   p50 ${poly_p50} ms   p99 ${poly_p99} ms   non-2xx ${poly_non2xx:-0}   ($valid)
            statuses: ${statuses:-none}  sent $sent, orders in the database after the run: $persisted
            other rows: $written
            server CPU ${cpu_s}s over the run (${server_cpus} core(s) available)
  polysim / ceiling = $(ratio "$poly_rps" "$ceil_rps")
  targets: >= 20000 orders/s, p99 <= 5 ms
REPORT
[ -z "$first_error" ] || echo "  first error: $first_error"
case " $statuses" in *" 429:"*) echo "  429s: sessions ran out of their 200/minute; raise BENCH_TRADERS" ;; esac
