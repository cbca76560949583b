#!/usr/bin/env bash
# Start a throw-away PostgreSQL on loopback, run the given command against it, stop it again.
set -euo pipefail
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pgbin)" ]; then
  if [ "$(id -u)" != "0" ]; then echo "PostgreSQL is not installed and we are not root" >&2; exit 1; fi
  echo "installing postgresql from Debian ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(pgbin)
PORT=${ZHENGAI_PG_PORT:-54329}
DATA=$(mktemp -d /tmp/zhengai-pg.XXXXXX)
as_pg() {
  if [ "$(id -u)" = "0" ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$DATA"; fi
as_pg "$PGBIN/initdb -D $DATA -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null"
as_pg "$PGBIN/pg_ctl -D $DATA -l $DATA/server.log -w -o \"-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start >/dev/null"
stop() { as_pg "$PGBIN/pg_ctl -D $DATA -m fast -w stop >/dev/null" || true; rm -rf "$DATA"; }
trap stop EXIT
as_pg "$PGBIN/createdb -h 127.0.0.1 -p $PORT -U postgres zhengai_test"
echo "PostgreSQL $($PGBIN/postgres --version | awk '{print $3}') on 127.0.0.1:$PORT"
export ZHENGAI_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/zhengai_test"
"$@"
