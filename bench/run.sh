#!/usr/bin/env bash
# Runs every benchmark under bench/ and writes docs/benchmarks.md with the figures, the machine and PNG charts
# (docs/benchmarks/*.png). From the repository root: bash bench/run.sh
# BENCH_IMPORT_CUSTOMERS (default 100000) sets the size of the bulk import (on SQLite and PostgreSQL, and the imports
# the acknowledgements are measured during) and BENCH_IMPORT_LARGE_CUSTOMERS (default
# 1000000; 0 skips it) the size of the second one, whose peak memory is compared with the first (the first size runs
# again with workstation GC, and again with Dynamic PGO off); BENCH_DEPLOYED_DELIVERIES (default 20000)
# and BENCH_DEPLOYED_ROUNDS (default 5) the closed-loop rounds of the site as deployed (workers on);
# BENCH_INGEST_DELIVERIES (default 20000) the rounds of the workers-off ingest benchmark; BENCH_POSTGRES_DELIVERIES (default
# 10000) the PostgreSQL apply run; BENCH_TWO_NODE_DELIVERIES (default 10000) and BENCH_TWO_NODE_WARM_UP (default 10000 per
# warm-up round of each node) the two-node PostgreSQL run; BENCH_SITE_WRK_ROUNDS (default 5) the rounds of the sample site under wrk, which needs
# wrk and Node.js: wrk is installed from Debian's packages when it is missing and apt-get can (as root); the run is
# skipped, saying why, when either is still missing. BENCH_PAUSE_SECONDS (default 30; 0 skips it) sets how long the pause
# probe (one thread per processor reading the clock) runs before the benchmarks and again after them: how long the
# machine stopped running a thread, which every request in flight meanwhile waits out.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
results="$(mktemp -d "${TMPDIR:-/tmp}/orchardshopify-bench-results.XXXXXX")"
trap 'rm -rf "$results"' EXIT
export BENCH_RESULTS_DIR="$results"
export BENCH_STARTED="$(date -u '+%Y-%m-%d %H:%M')"
export BENCH_LOAD_START="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"
export BENCH_DOTNET_SDK="$(dotnet --version)"
# The page and charts this script writes do not count as local changes.
export BENCH_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet -- . ':(exclude)docs/benchmarks.md' ':(exclude)docs/benchmarks' 2>/dev/null || echo ' with local changes')"

echo "== building (Release)"
for project in bench/OrchardShopify.Bench.Ingest bench/OrchardShopify.Bench.Outbound bench/OrchardShopify.Bench.Report tools/OrchardShopify.Emulator src/OrchardShopify.Web; do
  dotnet build -c Release --nologo -v quiet "$project" >/dev/null
done

# run NAME COMMAND...: the console output goes to the screen and to NAME.txt, the seconds it took to NAME.seconds
# (the page lists them); a failure is recorded, not fatal.
run() {
  local name="$1"; shift
  local started=$SECONDS
  echo "== $name"
  if ! "$@" 2>&1 | tee "$results/$name.txt"; then
    echo "the run failed (exit code ${PIPESTATUS[0]}); see its output below" > "$results/$name.skipped"
  fi
  echo "$((SECONDS - started))" > "$results/$name.seconds"
  echo "== $name took $((SECONDS - started)) s"
}

ingest=(dotnet bench/OrchardShopify.Bench.Ingest/bin/Release/net10.0/OrchardShopify.Bench.Ingest.dll)
if ! command -v wrk >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing wrk (Debian package)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } > "$results/wrk-install.log" 2>&1 || true
fi
pauses="${BENCH_PAUSE_SECONDS:-30}"
if [ "$pauses" != "0" ]; then
  run pauses-start "${ingest[@]}" pauses "$pauses" pauses-start
fi
if ! command -v wrk >/dev/null; then
  echo "wrk is not installed (Debian: apt-get install wrk$([ -s "$results/wrk-install.log" ] && echo "; installing it failed: $(tail -n 1 "$results/wrk-install.log")"))" > "$results/site-wrk.skipped"
elif ! npm install --prefix bench/wrk --no-audit --no-fund --loglevel=error > "$results/npm.log" 2>&1; then
  echo "npm install --prefix bench/wrk failed: $(tail -n 1 "$results/npm.log")" > "$results/site-wrk.skipped"
else
  run site-wrk "${ingest[@]}" site-wrk "${BENCH_SITE_WRK_ROUNDS:-5}" 10
fi
run deployed "${ingest[@]}" deployed "${BENCH_DEPLOYED_DELIVERIES:-20000}" 32 "${BENCH_DEPLOYED_ROUNDS:-5}" 10
run ingest "${ingest[@]}" ingest "${BENCH_INGEST_DELIVERIES:-20000}"
run apply-sqlite "${ingest[@]}" apply
if [ -z "${ORCHARDSHOPIFY_TEST_POSTGRES:-}" ]; then
  ORCHARDSHOPIFY_TEST_POSTGRES="$(bash scripts/postgres.sh 2>"$results/postgres.log" | tail -n 1)" || ORCHARDSHOPIFY_TEST_POSTGRES=""
fi
if [ -n "$ORCHARDSHOPIFY_TEST_POSTGRES" ]; then
  ORCHARDSHOPIFY_TEST_POSTGRES="$ORCHARDSHOPIFY_TEST_POSTGRES" run apply-postgres "${ingest[@]}" apply-postgres "${BENCH_POSTGRES_DELIVERIES:-10000}"
  ORCHARDSHOPIFY_TEST_POSTGRES="$ORCHARDSHOPIFY_TEST_POSTGRES" run two-nodes "${ingest[@]}" two-nodes "${BENCH_TWO_NODE_DELIVERIES:-10000}" "${BENCH_TWO_NODE_WARM_UP:-10000}" 10
  ORCHARDSHOPIFY_TEST_POSTGRES="$ORCHARDSHOPIFY_TEST_POSTGRES" run import-postgres "${ingest[@]}" import-postgres "${BENCH_IMPORT_CUSTOMERS:-100000}"
  ORCHARDSHOPIFY_TEST_POSTGRES="$ORCHARDSHOPIFY_TEST_POSTGRES" run import-acks-postgres "${ingest[@]}" import-acks-postgres "${BENCH_IMPORT_CUSTOMERS:-100000}" 10
else
  for name in apply-postgres two-nodes import-postgres import-acks-postgres; do
    echo "no PostgreSQL server: scripts/postgres.sh failed ($(tail -n 1 "$results/postgres.log" 2>/dev/null)) and ORCHARDSHOPIFY_TEST_POSTGRES is not set" > "$results/$name.skipped"
  done
fi
run import "${ingest[@]}" import "${BENCH_IMPORT_CUSTOMERS:-100000}"
# Webhooks at 1,000/s while the same import runs, against the same open loop without it.
run import-acks "${ingest[@]}" import-acks "${BENCH_IMPORT_CUSTOMERS:-100000}" 10
# The same import in a process with workstation GC, beside the server GC ASP.NET Core sites have by default.
DOTNET_gcServer=0 run import-workstation "${ingest[@]}" import "${BENCH_IMPORT_CUSTOMERS:-100000}" import-workstation
# And with Dynamic PGO off (the runtime recompiles hot methods once, without instrumenting them first).
DOTNET_TieredPGO=0 run import-nopgo "${ingest[@]}" import "${BENCH_IMPORT_CUSTOMERS:-100000}" import-nopgo
if [ "${BENCH_IMPORT_LARGE_CUSTOMERS:-1000000}" != "0" ]; then
  run import-large "${ingest[@]}" import "${BENCH_IMPORT_LARGE_CUSTOMERS:-1000000}" import-large
fi
run outbound dotnet bench/OrchardShopify.Bench.Outbound/bin/Release/net10.0/OrchardShopify.Bench.Outbound.dll
if [ "$pauses" != "0" ]; then
  run pauses-end "${ingest[@]}" pauses "$pauses" pauses-end
fi

echo "== report"
dotnet bench/OrchardShopify.Bench.Report/bin/Release/net10.0/OrchardShopify.Bench.Report.dll "$results" "$root"
