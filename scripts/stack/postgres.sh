# The private Postgres cluster (sourced by stack.sh).
# It runs from the installed binaries with wal_level=logical on its own port,
# as the postgres user when we are root (initdb refuses to run as root).

PG_DATA=$STACK_STATE/postgres
PG_LOG=$STACK_LOGS/postgres.log
PG_SUPERUSER=postgres
PG_SUPERPASS=postgres

pg_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || dir=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/x)")
  [ -x "$dir/initdb" ] || die "Postgres server binaries (initdb) not found. Debian: apt-get install postgresql"
  echo "$dir"
}

as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    # From / so that the postgres user is not left in a folder it may not
    # read (a checkout under a private temporary folder, say).
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

pg_healthy() {
  "$(pg_bindir)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
}

pg_psql() {
  PGPASSWORD=$PG_SUPERPASS psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" \
    -U "$PG_SUPERUSER" "$@"
}

pg_init() {
  [ -f "$PG_DATA/PG_VERSION" ] && return 0
  local bin pwfile
  bin=$(pg_bindir)
  info "initialising the private Postgres cluster in $PG_DATA"
  mkdir -p "$PG_DATA"
  pwfile=$(mktemp)
  echo "$PG_SUPERPASS" >"$pwfile"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$STACK_STATE" "$PG_DATA" "$pwfile"
  fi
  chmod 700 "$PG_DATA"
  as_pg_owner "$bin/initdb" -D "$PG_DATA" -U "$PG_SUPERUSER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$STACK_LOGS/initdb.log" 2>&1 ||
    {
      rm -f "$pwfile"
      tail -n 20 "$STACK_LOGS/initdb.log" >&2
      die "initdb failed (full log: $STACK_LOGS/initdb.log)"
    }
  rm -f "$pwfile"
  # Debezium's logical replication connections name a database, so they match
  # the ordinary `host all` rule that --auth-host set up; no replication rule.
}

pg_start() {
  pg_init
  if pg_healthy; then
    return 0
  fi
  port_in_use "$PG_PORT" && die "port $PG_PORT (Postgres) is taken by: $(port_owner "$PG_PORT")"
  info "starting Postgres on 127.0.0.1:$PG_PORT"
  touch "$PG_LOG"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$PG_LOG"
  as_pg_owner "$(pg_bindir)/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start -o \
    "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DATA \
     -c wal_level=logical -c max_replication_slots=64 -c max_wal_senders=64 \
     -c max_connections=200 -c max_slot_wal_keep_size=4GB -c fsync=on" >/dev/null ||
    {
      tail -n 30 "$PG_LOG" >&2
      die "Postgres did not start (full log: $PG_LOG)"
    }
  wait_until 30 Postgres "$PG_LOG" "" pg_healthy
  pg_bootstrap
}

# Roles and databases, the same SQL the docker-compose Postgres runs at init.
pg_bootstrap() {
  pg_psql -d postgres -f "$STACK_ROOT/scripts/stack/bootstrap.sql" >/dev/null ||
    die "could not create the roles and databases (scripts/stack/bootstrap.sql)"
}

pg_stop() {
  [ -f "$PG_DATA/postmaster.pid" ] || return 0
  info "stopping Postgres"
  as_pg_owner "$(pg_bindir)/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

pg_status() {
  if pg_healthy; then
    echo "postgres   up    127.0.0.1:$PG_PORT  data=$PG_DATA  $(rss_of "$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null)")"
  else
    echo "postgres   down"
  fi
}
