# Shared by the benchmark scripts (sourced): building the release binary, background processes
# that die with the script, waiting for a port, and reading wrk's report. Loopback only.

build_polysim() {  # sets $bin
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
  scripts/install-deps
  cmake --preset release >/dev/null
  cmake --build --preset release --target polysim -j"$(nproc)" >/dev/null
  bin=$root/build/release/polysim
}

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

wait_port() {  # port, bounded to 10 s
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on $1" >&2; return 1
}

# wrk --latency output → "requests_per_second p50_ms p99_ms non2xx"
parse_wrk() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { bad = $NF }
    END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, bad }' "$1"
}
