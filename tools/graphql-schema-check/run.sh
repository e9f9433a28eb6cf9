#!/usr/bin/env bash
# Validates the Admin API documents against Shopify's published schema.
# The schema ships in the npm package @shopify/dev-mcp; only its tarball is fetched and the one
# schema file unpacked, not the package's dependency tree.
set -euo pipefail
cd "$(dirname "$0")"
dev_mcp_version=$(node -p "require('./package.json').config.devMcpVersion")
api_version=${SHOPIFY_API_VERSION:-2026-10}
schema="schema/admin_${api_version}.json.gz"
if [ ! -s "$schema" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  tarball=$(npm pack "@shopify/dev-mcp@${dev_mcp_version}" --pack-destination "$work" --silent | tail -n 1)
  tar -xzf "$work/$tarball" -C "$work" "package/dist/data/admin_${api_version}.json.gz"
  mkdir -p schema
  mv "$work/package/dist/data/admin_${api_version}.json.gz" "$schema"
fi
npm ci --no-audit --no-fund --loglevel=error >/dev/null
node validate.mjs
