#!/usr/bin/env bash
# Make sure PostgreSQL and Redis run on localhost, installing them with apt where missing.
# Idempotent: a running service is left as it is.
set -euo pipefail
. "$(dirname "$0")/need.sh"
# every program the set-up and the tests use, each checked on its own
need /usr/lib/postgresql/*/bin/postgres postgresql /usr/lib/postgresql/*/bin/initdb postgresql \
     pg_ctlcluster postgresql-common pg_createcluster postgresql-common \
     psql postgresql-client createdb postgresql-client pg_isready postgresql-client \
     redis-server redis-server redis-cli redis-tools

# PostgreSQL: the newest installed server
ver=$(for d in /usr/lib/postgresql/*/bin/postgres; do basename "$(dirname "$(dirname "$d")")"; done | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$ver main"; then
  pg_createcluster "$ver" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main"' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect "$ver" main start
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 && break; sleep 0.5
done

# Swedish search (docs/search.md): Debian's Swedish Hunspell dictionary, converted by
# postgresql-common's pg_updatedicts into the server's tsearch_data/sv_se.{affix,dict}
# (installing the package runs it; running it again does no harm). Read by the migration
# f8c4a2e6b9d3, which makes the text search configuration vgsamverkan_swedish.
if [ ! -e "/usr/share/postgresql/$ver/tsearch_data/sv_se.dict" ]; then
  if [ ! -e /usr/share/hunspell/sv_SE.dic ]; then
    echo "Installing hunspell-sv…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hunspell-sv >/dev/null
  fi
  pg_updatedicts >/dev/null
fi

# Redis
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2
  done
fi
echo "PostgreSQL $ver and Redis are running."
