#!/usr/bin/env bash
# The Orchard Core module and the Fluid (Liquid) tags need OrchardCore.* and Fluid.Core packages.
# Where those restore, they are built; where they cannot, this says so and why, and skips them.
# Usage: bash scripts/glue.sh check [extra msbuild args, e.g. -p:OrchardCoreVersion=2.1.5]
set -uo pipefail
cd "$(dirname "$0")/.."
shift || true
glue=(src/OrchardShopify.Liquid/OrchardShopify.Liquid.csproj src/OrchardShopify.OrchardCore/OrchardShopify.OrchardCore.csproj)
status=0
for project in "${glue[@]}"; do
  name=$(basename "$project" .csproj)
  if [ ! -f "$project" ]; then
    echo "SKIPPED $name: the project is not in this tree yet."
    continue
  fi
  log=$(mktemp)
  if dotnet restore "$project" "$@" >"$log" 2>&1; then
    if dotnet build "$project" --no-restore -c Release --nologo -v quiet "$@"; then
      echo "BUILT $name"
    else
      echo "FAILED $name: it restored but does not build"
      status=1
    fi
  elif grep -qE "NU1101|NU1102|NU1103" "$log"; then
    missing=$(grep -oE "Unable to find package [A-Za-z0-9.]+" "$log" | awk '{print $5}' | sort -u | paste -sd, -)
    echo "SKIPPED $name: its packages cannot be restored from the configured package sources (missing: ${missing:-see restore log})."
  else
    echo "FAILED $name: restore failed for another reason:"
    tail -n 20 "$log"
    status=1
  fi
  rm -f "$log"
done
exit $status
