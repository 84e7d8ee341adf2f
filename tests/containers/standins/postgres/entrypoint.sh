#!/bin/sh
# First start: a cluster whose superuser is POSTGRES_USER (password POSTGRES_PASSWORD)
# and a database POSTGRES_DB; then the server, as the postgres user, on every address.
set -eu

if [ "${1:-}" = postgres ]; then
    shift
    user=${POSTGRES_USER:-postgres}
    database=${POSTGRES_DB:-$user}
    mkdir -p "$PGDATA" /run/postgresql
    chown postgres:postgres "$PGDATA" /run/postgresql
    chmod 0700 "$PGDATA"
    as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        : "${POSTGRES_PASSWORD:?the stand-in, like the real image, needs POSTGRES_PASSWORD}"
        password_file=$(mktemp)
        printf '%s\n' "$POSTGRES_PASSWORD" > "$password_file"
        chown postgres "$password_file"
        as_postgres initdb --pgdata="$PGDATA" --username="$user" --pwfile="$password_file" \
            --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
            >/dev/null
        rm -f "$password_file"
        echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
        if [ "$database" != postgres ]; then
            echo "CREATE DATABASE \"$database\" OWNER \"$user\";" \
                | as_postgres postgres --single -D "$PGDATA" -j postgres >/dev/null
        fi
        echo "standin postgres: created the cluster, user $user and database $database"
    fi
    exec setpriv --reuid=postgres --regid=postgres --init-groups \
        postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$@"
