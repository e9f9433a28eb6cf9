#!/usr/bin/env bash
# The Orchard Core module and the sample Orchard Core site need OrchardCore.* (and YesSql) packages, which the
# default package sources lack. Where they restore – from the public feed, or from the offline feeds of Orchard Core
# built from its public sources at ../shared/packages/orchardcore-* beside the repository – each project is built and
# its tests are run, once per Orchard Core line; where they cannot, this says so and why, and skips it.
# Usage: bash scripts/glue.sh check [extra msbuild args, e.g. -p:OrchardCoreVersion=2.1.5]
set -uo pipefail
cd "$(dirname "$0")/.."
shift || true

# One entry per glue project: "project [test project]".
glue=(
  "src/OrchardShopify.OrchardCore/OrchardShopify.OrchardCore.csproj tests/OrchardShopify.OrchardCore.Tests/OrchardShopify.OrchardCore.Tests.csproj"
  "samples/OrchardShopify.OrchardCore.Site/OrchardShopify.OrchardCore.Site.csproj tests/OrchardShopify.OrchardCore.Site.Tests/OrchardShopify.OrchardCore.Site.Tests.csproj"
)

# The Orchard Core lines checked: the supported release, and the 3.0 line for compatibility where its feed is present
# (built into a folder of its own, so the two lines never share outputs).
passes=("2.1.5|")
if [[ " $* " == *"OrchardCoreVersion="* ]]; then
  passes=("given|")
elif [ -d ../shared/packages/orchardcore-3.0-preview ]; then
  preview=$(find ../shared/packages/orchardcore-3.0-preview -maxdepth 1 -name 'OrchardCore.Module.Targets.*.nupkg' \
    | sed -E 's/.*OrchardCore\.Module\.Targets\.(.+)\.nupkg$/\1/' | sort -V | tail -n 1)
  [ -n "$preview" ] && passes+=("$preview|--artifacts-path artifacts/oc-$preview")
fi

results="artifacts/test-results"
status=0

for pass in "${passes[@]}"; do
  version=${pass%%|*}
  read -r -a extra <<<"${pass#*|}"
  args=("$@")
  label="Orchard Core $version"
  if [ "$version" = given ]; then
    label="Orchard Core (as given)"
  else
    args+=("-p:OrchardCoreVersion=$version")
  fi
  echo "--- $label"

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
    if ! dotnet restore "$root" "${extra[@]}" "${args[@]}" >"$log" 2>&1; then
      if grep -qE "NU1101|NU1102|NU1103" "$log"; then
        missing=$(grep -oE "Unable to find package [A-Za-z0-9.]+" "$log" | awk '{print $5}' | sed 's/\.$//' | sort -u | paste -sd, -)
        echo "SKIPPED $name ($label): its packages cannot be restored from the configured package sources (missing: ${missing:-see restore log})."
      else
        echo "FAILED $name ($label): restore failed for another reason:"
        tail -n 20 "$log"
        status=1
      fi
      rm -f "$log"
      continue
    fi
    rm -f "$log"

    if ! dotnet build "$root" --no-restore -c Release --nologo -v quiet "${extra[@]}" "${args[@]}"; then
      echo "FAILED $name ($label): it restored but does not build"
      status=1
      continue
    fi
    echo "BUILT $name ($label)"

    if [ -n "${tests:-}" ]; then
      trx="$(basename "$tests" .csproj)-oc-$version.trx"
      if dotnet test "$tests" --no-build -c Release --nologo "${extra[@]}" "${args[@]}" \
        --logger "trx;LogFileName=$trx" --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true; then
        echo "TESTED $name ($label)"
      else
        echo "FAILED $name ($label): its tests failed"
        status=1
      fi
    fi
  done
done
exit $status
