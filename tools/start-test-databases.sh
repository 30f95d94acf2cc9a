#!/bin/bash
# Start a throwaway PostgreSQL cluster and a throwaway MariaDB instance on
# loopback, on non-default ports, with their data in one directory, for the
# store tests.  Prints the lines to export on stdout (progress on stderr):
#
#   eval "$(tools/start-test-databases.sh [DIR])"
#   ... run the tests (UPGRADE_TEMPEST_TEST_PG_URL / _MYSQL_URL are set) ...
#   tools/start-test-databases.sh --stop DIR     # DIR is also exported as
#                                                 # UPGRADE_TEMPEST_TEST_DB_DIR
#
# Missing servers are installed with apt-get (Debian/Ubuntu).  Only the
# instances started here are ever stopped, by the PIDs in DIR.  Running it
# again with the same DIR reuses the running instances.
# Ports: UPGRADE_TEMPEST_TEST_PG_PORT (default 55432),
#        UPGRADE_TEMPEST_TEST_MYSQL_PORT (default 33307).
# Skip one: UPGRADE_TEMPEST_TEST_NO_PG=1 / UPGRADE_TEMPEST_TEST_NO_MYSQL=1.
set -euo pipefail

PG_PORT=${UPGRADE_TEMPEST_TEST_PG_PORT:-55432}
MY_PORT=${UPGRADE_TEMPEST_TEST_MYSQL_PORT:-33307}
DB_NAME=upgrade_test

log() { echo "start-test-databases: $*" >&2; }

as_pg() {
    # PostgreSQL refuses to run as root.
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_bindir() {
    ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

stop_all() {
    local dir=$1
    if [ -f "$dir/pg/postmaster.pid" ]; then
        log "stopping PostgreSQL in $dir/pg"
        as_pg "$(pg_bindir)/pg_ctl" -D "$dir/pg" -m fast -w stop >&2 || true
    fi
    if [ -f "$dir/mysql.pid" ]; then
        local pid
        pid=$(cat "$dir/mysql.pid")
        if kill -0 "$pid" 2>/dev/null; then
            log "stopping MariaDB pid $pid"
            kill -TERM "$pid"
            for _ in $(seq 1 60); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.5
            done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        fi
        rm -f "$dir/mysql.pid"
    fi
}

if [ "${1:-}" = "--stop" ]; then
    stop_all "${2:?usage: $0 --stop DIR}"
    exit 0
fi

DIR=${1:-$(mktemp -d /tmp/upgrade-tempest-testdb.XXXXXX)}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
chmod 755 "$DIR"

apt_install() {
    log "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || true
    # Installing must not start the distribution's own instances.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.upgrade-tempest
    local had_policy=0
    [ -e /usr/sbin/policy-rc.d ] && had_policy=1
    if [ $had_policy = 0 ]; then
        cp /usr/sbin/policy-rc.d.upgrade-tempest /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
    fi
    apt-get install -y -qq "$@" >&2
    [ $had_policy = 0 ] && rm -f /usr/sbin/policy-rc.d
    rm -f /usr/sbin/policy-rc.d.upgrade-tempest
}

start_pg() {
    if [ -z "$(pg_bindir)" ]; then
        apt_install postgresql
    fi
    local bin
    bin=$(pg_bindir)
    if [ ! -f "$DIR/pg/PG_VERSION" ]; then
        mkdir -p "$DIR/pg"
        [ "$(id -u)" = 0 ] && chown postgres "$DIR/pg"
        log "initdb $DIR/pg"
        as_pg "$bin/initdb" -D "$DIR/pg" -A trust -U postgres \
            --no-sync >&2
    fi
    if ! as_pg "$bin/pg_ctl" -D "$DIR/pg" status >/dev/null 2>&1; then
        log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        as_pg "$bin/pg_ctl" -D "$DIR/pg" -l "$DIR/pg/server.log" -w -t 60 \
            -o "-p $PG_PORT -k $DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off" \
            start >&2
    fi
    if ! as_pg "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
            "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" \
            | grep -q 1; then
        as_pg "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres \
            "$DB_NAME" >&2
    fi
    echo "export UPGRADE_TEMPEST_TEST_PG_URL=postgresql+psycopg2://postgres@127.0.0.1:$PG_PORT/$DB_NAME"
}

start_mysql() {
    if ! command -v mariadbd >/dev/null && ! command -v mysqld >/dev/null; then
        apt_install mariadb-server
    fi
    local server installer client
    server=$(command -v mariadbd || command -v mysqld)
    installer=$(command -v mariadb-install-db || command -v mysql_install_db)
    client=$(command -v mariadb || command -v mysql)
    local sock=$DIR/mysql.sock
    if [ ! -d "$DIR/mysql/mysql" ]; then
        log "mariadb-install-db $DIR/mysql"
        "$installer" --no-defaults --user="$(id -un)" --datadir="$DIR/mysql" \
            --auth-root-authentication-method=socket \
            --skip-test-db >"$DIR/mysql-install.log" 2>&1
    fi
    if ! { [ -f "$DIR/mysql.pid" ] && kill -0 "$(cat "$DIR/mysql.pid")" 2>/dev/null; }; then
        log "starting MariaDB on 127.0.0.1:$MY_PORT"
        setsid "$server" --no-defaults --user="$(id -un)" \
            --datadir="$DIR/mysql" --port="$MY_PORT" \
            --bind-address=127.0.0.1 --socket="$sock" \
            --pid-file="$DIR/mysql.pid" --skip-name-resolve \
            --innodb-flush-log-at-trx-commit=2 \
            --log-error="$DIR/mysql.log" </dev/null >/dev/null 2>&1 &
        for _ in $(seq 1 120); do
            "$client" --no-defaults -S "$sock" -uroot -e 'SELECT 1' \
                >/dev/null 2>&1 && break
            sleep 0.5
        done
    fi
    "$client" --no-defaults -S "$sock" -uroot -e "
        CREATE DATABASE IF NOT EXISTS $DB_NAME CHARACTER SET utf8mb4;
        CREATE USER IF NOT EXISTS 'upgrade'@'127.0.0.1' IDENTIFIED BY 'upgrade';
        GRANT ALL ON $DB_NAME.* TO 'upgrade'@'127.0.0.1';
        GRANT ALL ON \`${DB_NAME}_empty_%\`.* TO 'upgrade'@'127.0.0.1';" >&2
    echo "export UPGRADE_TEMPEST_TEST_MYSQL_URL=mysql+pymysql://upgrade:upgrade@127.0.0.1:$MY_PORT/$DB_NAME?charset=utf8mb4"
}

echo "export UPGRADE_TEMPEST_TEST_DB_DIR=$DIR"
[ "${UPGRADE_TEMPEST_TEST_NO_PG:-0}" = 1 ] || start_pg
[ "${UPGRADE_TEMPEST_TEST_NO_MYSQL:-0}" = 1 ] || start_mysql
