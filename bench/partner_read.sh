#!/usr/bin/env bash
# Benchmark (run on demand, not a test): GET /v1/partner/accounts/{id} on polysim against the
# two references of ../shared/bench measured in the same run with the same wrk settings, plus
# account creation throughput and polysim's RSS. Loopback only; every run is bounded by -d.
#
#   bench/partner_read.sh [duration=10s] [connections=50] [threads]
#
# By default each server under test is pinned to CPU 0 and wrk to CPU 1 (BENCH_PIN=1), so the
# load generator never preempts the server and the tail latency measures the server rather than
# the scheduler; the ceiling then runs one loop. BENCH_PIN=0 lets everything share all cores
# (wrk then defaults to two threads and the ceiling to one loop per core).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${POLYSIM_SHARED_DIR:-$root/../shared}
duration=${1:-10s}
connections=${2:-50}
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
rm -rf "$out/peer-fastify" && mkdir -p "$out/peer-fastify"
cp "$shared/bench/peer-fastify/package.json" "$shared/bench/peer-fastify/package-lock.json" \
   "$shared/bench/peer-fastify/server.mjs" "$out/peer-fastify/"
(cd "$out/peer-fastify" && npm ci --no-audit --no-fund --silent >/dev/null)

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

run_wrk() {  # name, url, [lua script, script args...]
  local name=$1 url=$2; shift 2
  local script=()
  if [ $# -gt 0 ]; then script=(-s "$1"); shift; fi
  "${on_load[@]}" wrk -t"$threads" -c"$connections" -d"$duration" --latency "${script[@]}" "$url" ${1:+--} "$@" > "$out/$name.wrk.txt"
  parse_wrk "$out/$name.wrk.txt"
}

# --- ceiling
"${on_server[@]}" "$out/ceiling" 18091 "$server_cpus" & pids+=($!)
wait_port 18091
read -r ceil_rps ceil_p50 ceil_p99 _ < <(run_wrk ceiling http://127.0.0.1:18091/v1/partner/accounts/x)
kill "${pids[-1]}"

# --- Fastify peer
(cd "$out/peer-fastify" && PORT=18090 IDS_OUT="$out/peer-ids.txt" exec "${on_server[@]}" node server.mjs) > "$out/peer.log" 2>&1 & pids+=($!)
wait_port 18090
read -r peer_rps peer_p50 peer_p99 _ < <(run_wrk peer http://127.0.0.1:18090 \
  bench/lua/get_rotating.lua "$out/peer-ids.txt" /v1/partner/accounts/ pk_test_bench_key_0001)
kill "${pids[-1]}"

# --- polysim (SQLite, real key auth, limiter on with limits raised so nothing is rejected)
data=$(mktemp -d)
"$bin" tenant create --name bench --max-balance 1000000.00 --data-dir "$data" --json >/dev/null
"$bin" tenant set bench --tenant-per-second 10000000 --tenant-per-minute 10000000 \
  --key-per-second 10000000 --key-per-minute 10000000 --data-dir "$data" >/dev/null
key=$("$bin" key create --tenant bench --data-dir "$data" --json | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
"${on_server[@]}" "$bin" serve --data-dir "$data" --listen 127.0.0.1:18092 --admin-listen 127.0.0.1:19092 --access-log false \
  > "$out/polysim.log" 2>&1 & pids+=($!)
ppid=${pids[-1]}
wait_port 18092
sleep 1
idle_rss=$(rss_kb "$ppid")

api() { curl -s -X "$1" -H "X-API-Key: $key" -H 'Content-Type: application/json' "http://127.0.0.1:18092$2" ${3:+-d "$3"}; }
user_id=$(api POST /v1/partner/users '{"external_id":"bench-trader","email":"bench@example.com"}' | sed -n 's/.*"user_id":\([0-9]*\).*/\1/p')
: > "$out/polysim-ids.txt"
for i in $(seq 1 1000); do
  id=$(api POST /v1/partner/accounts "{\"user_id\":$user_id,\"external_id\":\"read-$i\",\"stage\":\"challenge\",\"starting_balance\":\"10000.00\"}" \
    | sed -n 's/.*"account_id":"\([^"]*\)".*/\1/p')
  echo "$id" >> "$out/polysim-ids.txt"
done

read -r poly_rps poly_p50 poly_p99 read_non2xx < <(run_wrk polysim http://127.0.0.1:18092 \
  bench/lua/get_rotating.lua "$out/polysim-ids.txt" /v1/partner/accounts/ "$key")
loaded_rss=$(hwm_kb "$ppid")

read -r create_rps create_p50 create_p99 non2xx < <(run_wrk polysim-create http://127.0.0.1:18092 \
  bench/lua/create_accounts.lua "$key" "$user_id" "$(date +%s)")
kill "$ppid"; wait "$ppid" 2>/dev/null || true
rm -rf "$data"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
cat <<REPORT
partner read benchmark: wrk -t$threads -c$connections -d$duration, GET /v1/partner/accounts/{id}, pinned=$pin
  ceiling        $ceil_rps req/s   p50 ${ceil_p50} ms   p99 ${ceil_p99} ms
  fastify peer   $peer_rps req/s   p50 ${peer_p50} ms   p99 ${peer_p99} ms
  polysim        $poly_rps req/s   p50 ${poly_p50} ms   p99 ${poly_p99} ms   non-2xx ${read_non2xx:-0}
  polysim / ceiling = $(ratio "$poly_rps" "$ceil_rps")   (target >= 0.60)
  polysim / peer    = $(ratio "$poly_rps" "$peer_rps")   (target >= 2.00)
  polysim RSS: idle $((idle_rss / 1024)) MB (target < 30), peak under load $((loaded_rss / 1024)) MB
account creation: POST /v1/partner/accounts, same wrk settings
  polysim        $create_rps creates/s   p50 ${create_p50} ms   p99 ${create_p99} ms   non-2xx ${non2xx:-0}   (target >= 5000/s)
REPORT
