#!/usr/bin/env bash
# Runs every check and test of the repository and prints one summary line:
#   tests: N passed, N failed, N skipped
# Usage: bash scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
status=0

section() { printf '\n==> %s\n' "$*"; }

section "GraphQL documents against Shopify's Admin schema"
if [ -d tools/graphql-schema-check ]; then
  if bash tools/graphql-schema-check/run.sh; then
    :
  else
    echo "GraphQL schema check FAILED"
    status=1
  fi
else
  echo "GraphQL schema check: tools/graphql-schema-check is missing"
  status=1
fi

section "Orchard Core and Fluid glue"
bash scripts/glue.sh check || status=1

section "Build"
if ! dotnet build OrchardShopify.sln -c Release --nologo -v quiet; then
  echo "Build FAILED"
  exit 1
fi

section "Tests"
dotnet test OrchardShopify.sln -c Release --no-build --nologo -p:RunBrowserTests=false \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true || status=1

# The site's browser tests run alone afterwards, so Chromium and the site do not compete with the other
# projects' timing-sensitive tests for the two cores.
section "Browser tests"
dotnet test tests/OrchardShopify.Web.Tests -c Release --no-build --nologo \
  --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true || status=1

# One line with the totals of every test project, from the TRX reports.
python3 - "$results" <<'PY' || status=1
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(sys.argv[1] + "/**/*.trx", recursive=True)
for path in files:
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
print(f"\ntest projects: {len(files)}")
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or not files or passed == 0 else 0)
PY

exit $status
