#!/usr/bin/env bash
# make test: provision PostgreSQL, Redis, Chromium, both venvs and the test databases, then
# run the whole suite on CKAN 2.11.6 and on CKAN 2.12.0. Fails if either fails.
# Usage: scripts/test.sh [2.11|2.12]   (no argument: both)
#
# How it stays fast (docs/development.md): the venvs are built at the same time (pip
# waits on the network more than on the processor); for each version our suite runs on
# VGS_WORKERS pytest-xdist workers (3 on this machine's 2 cores: a worker often waits on
# PostgreSQL or a server), each with its own database,
# Redis db and ports (conftest.py), as do CKAN's own search tests before it.
set -uo pipefail
cd "$(dirname "$0")/.."
versions=${1:-"2.11 2.12"}
workers=${VGS_WORKERS:-3}
export VGS_WORKERS=$workers
log() { printf '\n==> %s  [%s]\n' "$*" "$(date +%T)"; }
# the compiled modules are cached (some environments switch that off): each worker, server
# and CLI process would otherwise compile the extension and the tests again
unset PYTHONDONTWRITEBYTECODE
as_postgres() { (cd /tmp && su postgres -c "$1"); }

bash scripts/services.sh || exit 1
bash scripts/chromium.sh || exit 1

settings() {  # the venv, requirements, database, Redis db and port base of a version
  case $1 in
    2.11) venv=.venv; req=requirements/ckan-2.11.txt; db=vgsamverkan_test; redis=1; base=5100 ;;
    2.12) venv=.venv-2.12; req=requirements/ckan-2.12.txt; db=vgsamverkan_test_212; redis=2; base=5200 ;;
    *) echo "unknown CKAN version $1"; exit 2 ;;
  esac
}

log "Virtualenvs"
declare -A building
for v in $versions; do
  settings "$v"
  bash scripts/venv.sh "$venv" "$req" > "/tmp/vgsamverkan-venv-$v.log" 2>&1 &
  building[$v]=$!
done

declare -A status core
lint=0
for v in $versions; do
  settings "$v"
  if ! wait "${building[$v]}"; then
    cat "/tmp/vgsamverkan-venv-$v.log"; echo "CKAN $v: the virtualenv $venv could not be built"; exit 1
  fi
  if [ "$v" = "${versions%% *}" ]; then  # once, with the first version's venv (ruff.toml)
    log "Lint (ruff) and types (mypy)"
    "$venv/bin/ruff" check . || lint=1
    "$venv/bin/mypy" -p ckanext.vgsamverkan || lint=1
  fi
  log "CKAN $v: database $db"
  bash scripts/db.sh "$db" || exit 1
  # a test database need not wait for the disk at each commit (the workers' copies: conftest.py)
  as_postgres "psql -qtA -c 'ALTER DATABASE $db SET synchronous_commit = off'" >/dev/null
  export CKAN_SQLALCHEMY_URL="postgresql://ckan_default:pass@127.0.0.1/$db"
  export CKAN_REDIS_URL="redis://127.0.0.1:6379/$redis" VGS_PORT_BASE=$base
  # the test databases are the suite's own: one this CKAN cannot migrate (the other
  # version's schema, say) is made again. Already at this CKAN's head: nothing to do (the
  # tests' first reset makes every table again in any case)
  if [ "$(as_postgres "psql -qtA -d $db -c 'SELECT version_num FROM alembic_version'" 2>/dev/null)" = \
       "$("$venv/bin/python" scripts/alembic_head.py "$venv")" ]; then
    echo "$db is at CKAN $v's newest migration"
  elif ! "$venv/bin/ckan" -c test.ini db init >/dev/null 2>&1; then
    echo "Making the test database $db again (its schema is not this CKAN's)"
    as_postgres "dropdb --if-exists --force $db" && bash scripts/db.sh "$db" || exit 1
    as_postgres "psql -qtA -c 'ALTER DATABASE $db SET synchronous_commit = off'" >/dev/null
    "$venv/bin/ckan" -c test.ini db init || exit 1
  fi
  log "CKAN $v: CKAN's own search tests against vgsamverkan_pgsearch ($workers workers)"
  bash scripts/ckan_core_search.sh "$venv" > "/tmp/vgsamverkan-core-$v.log" 2>&1
  core[$v]=$?
  grep -A8 "^CKAN's own search tests" "/tmp/vgsamverkan-core-$v.log"
  [ "${core[$v]}" = 0 ] || grep -E "^(FAILED|ERROR)" "/tmp/vgsamverkan-core-$v.log"
  log "CKAN $v: our suite ($workers workers)"
  "$venv/bin/python" -m pytest -q -p no:randomly -n "$workers" --dist loadfile --no-loadscope-reorder ${PYTEST_ARGS:-} 2>&1 \
    | tee "/tmp/vgsamverkan-pytest-$v.log"
  status[$v]=${PIPESTATUS[0]}
done

log "Summary"
rc=$lint
[ "$lint" = 0 ] && echo "ruff and mypy: no finding" || echo "ruff or mypy: findings (above, under Lint)"
for v in $versions; do
  line=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)' "/tmp/vgsamverkan-pytest-$v.log" | tail -1)
  echo "CKAN $v: exit ${status[$v]}: ${line:-no summary}"
  echo "CKAN $v: $(grep "^CKAN's own search tests" "/tmp/vgsamverkan-core-$v.log" | cut -d';' -f1) (exit ${core[$v]})"
  [ "${status[$v]}" = 0 ] && [ "${core[$v]}" = 0 ] || rc=1
done
exit $rc
