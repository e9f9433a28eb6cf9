#!/usr/bin/env bash
# Installs (if needed) and starts a local PostgreSQL, creates a test role and database, and prints the
# connection string for the PostgreSQL tests. Progress goes to stderr; stdout is only the connection string.
# Usage: export ORCHARDSHOPIFY_TEST_POSTGRES="$(bash scripts/postgres.sh)"
set -euo pipefail

role=orchardshopify
password=orchardshopify
database=orchardshopify_tests

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "Installing PostgreSQL..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
fi

if [ -z "$(pg_lsclusters --no-header 2>/dev/null)" ]; then
  installed=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  echo "Creating PostgreSQL $installed/main..." >&2
  pg_createcluster "$installed" main >&2
fi

read -r version cluster port status _ < <(pg_lsclusters --no-header | head -n 1)
if [ "$status" != "online" ]; then
  echo "Starting PostgreSQL $version/$cluster..." >&2
  pg_ctlcluster "$version" "$cluster" start >&2
fi

as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }

as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$role'\"" | grep -q 1 \
  || as_postgres "psql -p $port -c \"CREATE ROLE $role LOGIN PASSWORD '$password' CREATEDB\"" >&2
as_postgres "psql -p $port -tAc \"SELECT 1 FROM pg_database WHERE datname='$database'\"" | grep -q 1 \
  || as_postgres "createdb -p $port -O $role $database" >&2

echo "Host=127.0.0.1;Port=$port;Database=$database;Username=$role;Password=$password"
