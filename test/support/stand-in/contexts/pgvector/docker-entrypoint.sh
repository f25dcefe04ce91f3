#!/usr/bin/env bash
# Entrypoint with the official postgres image's contract (a shorter rewrite, not a copy):
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required unless POSTGRES_HOST_AUTH_METHOD=trust),
#   POSTGRES_DB (default: the user), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD, *_FILE variants,
#   initdb on an empty $PGDATA, /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.{gz,xz,zst} run once, then the server
#   as the postgres user.
set -Eeo pipefail

# file_env VAR [DEFAULT]: VAR or the content of VAR_FILE.
file_env() {
  local var="$1" file_var="${1}_FILE" def="${2:-}"
  if [ "${!var:-}" ] && [ "${!file_var:-}" ]; then
    echo >&2 "error: both $var and $file_var are set (but are exclusive)"
    exit 1
  fi
  local val="$def"
  if [ "${!var:-}" ]; then
    val="${!var}"
  elif [ "${!file_var:-}" ]; then
    val="$(<"${!file_var}")"
  fi
  export "$var"="$val"
  unset "$file_var"
}

setup_env() {
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
  export PGDATA="${PGDATA:-/var/lib/postgresql/data}"
}

# As root: own the data and socket directories, then re-run this script as postgres.
drop_privileges() {
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 3777 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
}

verify_password() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    echo >&2 'Error: Database is uninitialized and superuser password is not specified.'
    echo >&2 '       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser,'
    echo >&2 '       for example "-e POSTGRES_PASSWORD=password" on "docker run", or set'
    echo >&2 '       POSTGRES_HOST_AUTH_METHOD=trust to allow all connections without a password.'
    exit 1
  fi
}

init_database() {
  echo "stand-in: initdb in $PGDATA for user $POSTGRES_USER"
  # The password goes through a pipe, never argv or a file.
  if [ -n "$POSTGRES_PASSWORD" ]; then
    # shellcheck disable=SC2086
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
  else
    # shellcheck disable=SC2086
    initdb --username="$POSTGRES_USER" $POSTGRES_INITDB_ARGS
  fi
  local method="$POSTGRES_HOST_AUTH_METHOD"
  if [ -z "$method" ]; then
    method="$(postgres -C password_encryption -D "$PGDATA")" # scram-sha-256 on PostgreSQL 14+
  fi
  printf '\nhost all all all %s\n' "$method" >>"$PGDATA/pg_hba.conf"
}

psql_init() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

run_init_files() {
  local f
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sh)
        if [ -x "$f" ]; then
          echo "stand-in: running $f"
          "$f"
        else
          echo "stand-in: sourcing $f"
          # shellcheck disable=SC1090
          . "$f"
        fi
        ;;
      *.sql) echo "stand-in: running $f" && psql_init --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "stand-in: running $f" && gunzip -c "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *.sql.xz) echo "stand-in: running $f" && xzcat "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *.sql.zst) echo "stand-in: running $f" && zstd -dc "$f" | psql_init --dbname "$POSTGRES_DB" ;;
      *) if [ -e "$f" ]; then echo "stand-in: ignoring $f"; fi ;;
    esac
  done
}

# Initialise on a temporary server that listens only on the unix socket, so clients that connect over
# TCP never see a half-initialised database.
first_start() {
  verify_password
  init_database
  PGUSER="$POSTGRES_USER" PGPASSWORD="$POSTGRES_PASSWORD" \
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
  export PGUSER="$POSTGRES_USER" PGPASSWORD="$POSTGRES_PASSWORD"
  if [ "$POSTGRES_DB" != postgres ]; then
    psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  run_init_files
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGUSER PGPASSWORD
  echo "stand-in: PostgreSQL init process complete; ready for start up."
}

# Flags that only print something: no initdb, no privilege dance (as upstream).
want_help() {
  local arg
  for arg; do
    case "$arg" in
      -'?' | --help | --describe-config | -V | --version) return 0 ;;
    esac
  done
  return 1
}

main() {
  if [ "${1:0:1}" = '-' ]; then
    set -- postgres "$@"
  fi
  if [ "$1" = postgres ] && ! want_help "$@"; then
    setup_env
    if [ "$(id -u)" = 0 ]; then
      drop_privileges "$@"
    fi
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      first_start
    else
      echo "stand-in: PostgreSQL database directory appears to contain a database; skipping initialization"
    fi
  fi
  exec "$@"
}

main "$@"
