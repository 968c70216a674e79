#!/usr/bin/env bash
# Benchmark (run on demand, not a test): password logins at the configured Argon2id cost while
# other routes are read. Measures GET /v1/partner/accounts/{id} alone, then the same GETs while
# 50 clients hammer POST /api/v1/auth/login, and reports login throughput and latencies.
# Loopback only; every wrk run is bounded by -d.
#
#   bench/trader_login.sh [duration=10s] [login connections=50] [read connections=10]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
duration=${1:-10s}
login_connections=${2:-50}
read_connections=${3:-10}
out=$root/build/bench
mkdir -p "$out"

source bench/lib.sh
build_polysim

data=$(mktemp -d)
"$bin" tenant create --name bench --max-balance 1000000.00 --data-dir "$data" --json >/dev/null
"$bin" tenant set bench --tenant-per-second 10000000 --tenant-per-minute 10000000 \
  --key-per-second 10000000 --key-per-minute 10000000 --data-dir "$data" >/dev/null
key=$("$bin" key create --tenant bench --data-dir "$data" --json | sed -n 's/.*"key":"\([^"]*\)".*/\1/p')
"$bin" serve --data-dir "$data" --listen 127.0.0.1:18093 --admin-listen 127.0.0.1:19093 --access-log false \
  --ratelimit-trusted-proxies 127.0.0.1/32 > "$out/polysim-login.log" 2>&1 & pids+=($!)
wait_port 18093
base=http://127.0.0.1:18093

api() { curl -s -X "$1" -H "X-API-Key: $key" -H 'Content-Type: application/json' "$base$2" ${3:+-d "$3"}; }
user_id=$(api POST /v1/partner/users '{"external_id":"bench-reader","email":"reader@example.com"}' | sed -n 's/.*"user_id":\([0-9]*\).*/\1/p')
: > "$out/login-ids.txt"
for i in $(seq 1 200); do
  api POST /v1/partner/accounts "{\"user_id\":$user_id,\"external_id\":\"r-$i\",\"stage\":\"challenge\",\"starting_balance\":\"10000.00\"}" \
    | sed -n 's/.*"account_id":"\([^"]*\)".*/\1/p' >> "$out/login-ids.txt"
  echo >> "$out/login-ids.txt"
done

email=bench-login@example.com
password='correct horse battery staple'
curl -s -X POST -H 'Content-Type: application/json' -H 'X-Forwarded-For: 192.0.2.1' "$base/api/v1/auth/register" \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" >/dev/null
token=""
for _ in $(seq 1 100); do
  token=$({ sed -n 's/.*verify-email?token=\(ev_[a-z2-7]*\).*/\1/p' "$data/outbox.jsonl" 2>/dev/null || true; } | head -1)
  [ -n "$token" ] && break
  sleep 0.1
done
[ -n "$token" ] || { echo "no verification mail" >&2; exit 1; }
curl -s -X POST -H 'Content-Type: application/json' "$base/api/v1/auth/verify-email" -d "{\"token\":\"$token\"}" >/dev/null
one=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H 'Content-Type: application/json' -H 'X-Forwarded-For: 192.0.2.2' \
  "$base/api/v1/auth/login" -d "{\"email\":\"$email\",\"password\":\"$password\"}")

reads() {  # name
  wrk -t1 -c"$read_connections" -d"$duration" --latency -s bench/lua/get_rotating.lua "$base" -- \
    "$out/login-ids.txt" /v1/partner/accounts/ "$key" > "$out/$1.wrk.txt"
  parse_wrk "$out/$1.wrk.txt"
}

read -r idle_rps idle_p50 idle_p99 idle_bad < <(reads reads-alone)
wrk -t2 -c"$login_connections" -d"$duration" --latency -s bench/lua/login_rotating_ip.lua "$base" -- \
  "$email" "$password" > "$out/logins.wrk.txt" &
login_pid=$!
sleep 1
read -r busy_rps busy_p50 busy_p99 busy_bad < <(reads reads-during-logins)
wait "$login_pid"
read -r login_rps login_p50 login_p99 login_bad < <(parse_wrk "$out/logins.wrk.txt")
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
rm -rf "$data"

cat <<REPORT
trader login benchmark: Argon2id m=19456 KiB t=2 p=1 (defaults), hash workers = half the cores ($(nproc) cores)
  one login alone                       $(awk -v t="$one" 'BEGIN { printf "%.1f", t * 1000 }') ms
  logins, wrk -t2 -c$login_connections -d$duration    $login_rps logins/s   p50 ${login_p50} ms   p99 ${login_p99} ms   non-2xx ${login_bad}
  GET account alone, -c$read_connections             $idle_rps req/s   p50 ${idle_p50} ms   p99 ${idle_p99} ms   non-2xx ${idle_bad}
  GET account during logins, -c$read_connections     $busy_rps req/s   p50 ${busy_p50} ms   p99 ${busy_p99} ms   non-2xx ${busy_bad}   (target p99 <= 10 ms)
REPORT
