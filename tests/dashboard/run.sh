#!/usr/bin/env bash
# Browser end-to-end test of the Dashboard (30-partner-apps.md §10 "Browser end-to-end"): starts the
# real binary on loopback in a temporary data dir, creates a tenant and a staff member with the CLI,
# then runs dashboard.e2e.mjs, which drives Debian's headless Chromium through Playwright
# (playwright-core from npm, no browser download) with page JavaScript disabled.
#
#   tests/dashboard/run.sh POLYSIM_BINARY NODE_DIR [--screenshots DIR]
#
# NODE_DIR receives the locked npm dependencies (`npm ci`, as bench/ installs its Node peer); ctest
# passes a directory in the build tree. --screenshots writes the PNGs of the main pages to DIR
# (docs/screenshots/ in the repository); they always go to the temporary dir too.
# Missing node, npm or chromium fail the test: scripts/install-deps installs them.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
fail() { echo "Dashboard.Browser: $*" >&2; exit 1; }

[ $# -ge 2 ] || fail "usage: $0 POLYSIM_BINARY NODE_DIR [--screenshots DIR]"
binary="$(realpath "$1")"
node_dir="$2"
shift 2
screenshots=""
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshots) screenshots="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    *) fail "unknown argument: $1" ;;
  esac
done

chromium="${POLYSIM_CHROMIUM:-/usr/bin/chromium}"
[ -x "$binary" ] || fail "cannot execute $binary"
command -v node >/dev/null || fail "node is missing (run scripts/install-deps as root)"
command -v npm >/dev/null || fail "npm is missing (run scripts/install-deps as root)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || fail "node $(node --version) is too old: playwright-core needs node >= 20"
[ -x "$chromium" ] || fail "$chromium is missing (Debian package chromium; run scripts/install-deps as root)"
command -v curl >/dev/null || fail "curl is missing (run scripts/install-deps as root)"

# Locked dependencies, installed again only when the lock file changed.
mkdir -p "$node_dir"
node_dir="$(cd "$node_dir" && pwd)"
if ! cmp -s "$here/package-lock.json" "$node_dir/package-lock.json" || [ ! -d "$node_dir/node_modules/playwright-core" ]; then
  cp "$here/package.json" "$here/package-lock.json" "$node_dir/"
  (cd "$node_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund --silent >/dev/null) ||
    { rm -f "$node_dir/package-lock.json"; fail "npm ci in $node_dir failed"; }
fi
# ES modules resolve packages from the script's own directory.
cp "$here/dashboard.e2e.mjs" "$node_dir/"

work="$(mktemp -d "${TMPDIR:-/tmp}/polysim-dashboard-e2e-XXXXXX")"
data="$work/data"
mkdir -p "$data" "$work/screenshots"
server_pid=""
status=1
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "--- tail of $work/server.log ---" >&2
    tail -n 40 "$work/server.log" >&2
  fi
  if [ -z "${POLYSIM_KEEP_TEST_DATA:-}" ]; then rm -rf "$work"; else echo "kept $work" >&2; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Generous App API limits: the scenario signs several users in from one IP.
"$binary" serve --data-dir "$data" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --email-transport file \
  --ratelimit-app-ip 100000/60s --ratelimit-app-app 100000/60s \
  --ratelimit-app-auth-start-ip 100000/60s --ratelimit-app-auth-start-email 100000/60s \
  --ratelimit-app-auth-verify-ip 100000/60s >"$work/server.log" 2>&1 &
server_pid=$!

port=""
for _ in $(seq 1 300); do
  kill -0 "$server_pid" 2>/dev/null || fail "polysim exited during startup"
  if [ -s "$data/listen.json" ]; then
    port="$(node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); if (v.api > 0) console.log(v.api)' "$data/listen.json" 2>/dev/null || true)"
    [ -n "$port" ] && break
  fi
  sleep 0.05
done
[ -n "$port" ] || fail "listen.json was not written within 15 s"
base="http://127.0.0.1:$port"
for _ in $(seq 1 150); do
  curl -fsS -m 1 -o /dev/null "$base/readyz" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -m 2 -o /dev/null "$base/readyz" || fail "GET /readyz did not answer 200 within 15 s"

# Fixed names: the database is new on every run, and the screenshots read better.
tenant="acme-markets"
staff="ops@acme.example"
password="staff password 0123"
timeout 60 "$binary" tenant create --name "$tenant" --data-dir "$data" --json >/dev/null ||
  fail "polysim tenant create failed"
printf '%s\n' "$password" | timeout 60 "$binary" staff create --tenant "$tenant" --email "$staff" --password-stdin \
  --data-dir "$data" --json >/dev/null || fail "polysim staff create failed"

set +e
POLYSIM_URL="$base" POLYSIM_DATA_DIR="$data" POLYSIM_TENANT="$tenant" POLYSIM_STAFF_EMAIL="$staff" \
  POLYSIM_STAFF_PASSWORD="$password" POLYSIM_CHROMIUM="$chromium" POLYSIM_SCREENSHOTS="$work/screenshots" \
  timeout -k 10 240 node "$node_dir/dashboard.e2e.mjs"
status=$?
set -e
if [ "$status" -eq 124 ]; then echo "Dashboard.Browser: the browser scenario timed out after 240 s" >&2; fi

# SIGTERM drains and exits 0 (under the asan preset this also catches leaks and UB reports).
kill -TERM "$server_pid"
for _ in $(seq 1 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
set +e
if kill -0 "$server_pid" 2>/dev/null; then
  kill -KILL "$server_pid"
  echo "Dashboard.Browser: polysim did not exit within 15 s of SIGTERM" >&2
  [ "$status" -ne 0 ] || status=1
fi
wait "$server_pid"
server_exit=$?
set -e
server_pid=""
if [ "$server_exit" -ne 0 ] && [ "$status" -eq 0 ]; then
  echo "Dashboard.Browser: polysim exited with $server_exit after SIGTERM" >&2
  status=1
fi
if [ "$status" -eq 0 ] && [ -n "$screenshots" ]; then
  cp "$work"/screenshots/*.png "$screenshots/"
  echo "screenshots written to $screenshots"
fi
exit "$status"
