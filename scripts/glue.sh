#!/usr/bin/env bash
# The Orchard Core module and the Fluid (Liquid) tags need OrchardCore.* and Fluid.Core packages, which the
# default package sources lack. Where those restore (e.g. from a local-packages folder at the repository root),
# each project is built and its tests are run; where they cannot, this says so and why, and skips it.
# Usage: bash scripts/glue.sh check [extra msbuild args, e.g. -p:OrchardCoreVersion=2.1.5 -p:FluidVersion=2.12.0]
set -uo pipefail
cd "$(dirname "$0")/.."
shift || true

# One entry per glue project: "project [test project]".
glue=(
  "src/OrchardShopify.Liquid/OrchardShopify.Liquid.csproj tests/OrchardShopify.Liquid.Tests/OrchardShopify.Liquid.Tests.csproj"
  "src/OrchardShopify.OrchardCore/OrchardShopify.OrchardCore.csproj tests/OrchardShopify.OrchardCore.Tests/OrchardShopify.OrchardCore.Tests.csproj"
  "samples/OrchardShopify.OrchardCore.Site/OrchardShopify.OrchardCore.Site.csproj tests/OrchardShopify.OrchardCore.Site.Tests/OrchardShopify.OrchardCore.Site.Tests.csproj"
)

# Orchard Core packages built from source into local-packages are for one release: check against it unless told otherwise.
if [[ " $* " != *"OrchardCoreVersion="* ]]; then
  local_oc=$(find local-packages/ -maxdepth 1 -name 'OrchardCore.Module.Targets.*.nupkg' 2>/dev/null \
    | sed -E 's/.*OrchardCore\.Module\.Targets\.(.+)\.nupkg$/\1/' | sort -V | tail -n 1)
  if [ -n "$local_oc" ]; then
    echo "Orchard Core $local_oc from local-packages"
    set -- "$@" "-p:OrchardCoreVersion=$local_oc"
  fi
fi

results="artifacts/test-results"
status=0

for entry in "${glue[@]}"; do
  read -r project tests <<<"$entry"
  name=$(basename "$project" .csproj)
  if [ ! -f "$project" ]; then
    echo "SKIPPED $name: the project is not in this tree yet."
    continue
  fi
  if [ -n "${tests:-}" ] && [ ! -f "$tests" ]; then
    tests=""
  fi

  # The test project's restore covers the project it tests.
  root=${tests:-$project}
  log=$(mktemp)
  if ! dotnet restore "$root" "$@" >"$log" 2>&1; then
    if grep -qE "NU1101|NU1102|NU1103" "$log"; then
      missing=$(grep -oE "Unable to find package [A-Za-z0-9.]+" "$log" | awk '{print $5}' | sed 's/\.$//' | sort -u | paste -sd, -)
      echo "SKIPPED $name: its packages cannot be restored from the configured package sources (missing: ${missing:-see restore log})."
    else
      echo "FAILED $name: restore failed for another reason:"
      tail -n 20 "$log"
      status=1
    fi
    rm -f "$log"
    continue
  fi
  rm -f "$log"

  if ! dotnet build "$root" --no-restore -c Release --nologo -v quiet "$@"; then
    echo "FAILED $name: it restored but does not build"
    status=1
    continue
  fi
  echo "BUILT $name"

  if [ -n "${tests:-}" ]; then
    if dotnet test "$tests" --no-build -c Release --nologo "$@" \
      --logger "trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true; then
      echo "TESTED $name"
    else
      echo "FAILED $name: its tests failed"
      status=1
    fi
  fi
done
exit $status
