#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on 127.0.0.1 and a free port, as the unprivileged user
# `postgres` (Debian's package creates it), with a password for the user custmig.
#   source .ci/postgres.sh        # exports CUSTMIG_TEST_POSTGRES, PGPASSWORD, CUSTMIG_PG_DIR
#   custmig_postgres_stop         # stops it and deletes its folder
# Needs Debian's postgresql and libpq-dev (installed by .ci/run when missing).
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "postgres.sh: no PostgreSQL server (apt-get install postgresql)" >&2; return 1 2>/dev/null || exit 1; }
CUSTMIG_PG_DIR=$(mktemp -d /tmp/custmig-pg.XXXXXX)
chown postgres "$CUSTMIG_PG_DIR" 2>/dev/null || true
export PGPASSWORD=custmig-ci-secret
printf '%s\n' "$PGPASSWORD" > "$CUSTMIG_PG_DIR/pw"
chown postgres "$CUSTMIG_PG_DIR/pw" 2>/dev/null || true
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
as_postgres "'$bin/initdb' -D '$CUSTMIG_PG_DIR/data' -U custmig --pwfile='$CUSTMIG_PG_DIR/pw' --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >'$CUSTMIG_PG_DIR/initdb.log' 2>&1"
as_postgres "'$bin/pg_ctl' -D '$CUSTMIG_PG_DIR/data' -l '$CUSTMIG_PG_DIR/server.log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p $port -k '$CUSTMIG_PG_DIR' -c fsync=off -c max_connections=50\" start >/dev/null"
export CUSTMIG_PG_DIR CUSTMIG_PG_BIN="$bin"
export CUSTMIG_TEST_POSTGRES="postgresql://custmig@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $CUSTMIG_PG_DIR)"

custmig_postgres_stop() {
    as_postgres "'$CUSTMIG_PG_BIN/pg_ctl' -D '$CUSTMIG_PG_DIR/data' -m immediate stop >/dev/null 2>&1" || true
    rm -rf "$CUSTMIG_PG_DIR"
}
