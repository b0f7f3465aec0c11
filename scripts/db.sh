#!/usr/bin/env bash
# Create (or reuse) the role ckan_default and a database owned by it.
# Usage: scripts/db.sh DBNAME
set -euo pipefail
db=$1
cd /tmp
psql_() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtA $*"; }
if [ "$(psql_ "-c \"SELECT 1 FROM pg_roles WHERE rolname='ckan_default'\"")" != 1 ]; then
  psql_ "-c \"CREATE ROLE ckan_default LOGIN PASSWORD 'pass'\""
fi
# the test role copies the run's database for each worker of a parallel run (conftest.py)
psql_ "-c \"ALTER ROLE ckan_default CREATEDB\""
if [ "$(psql_ "-c \"SELECT 1 FROM pg_database WHERE datname='$db'\"")" != 1 ]; then
  su postgres -c "createdb -O ckan_default -E utf-8 -T template0 $db"
fi
