#!/usr/bin/env bash
# The local stack without Docker: Postgres, Kafka, the schema registry and
# Kafka Connect as processes of this machine.
# Usage: stack.sh up|down|status|logs|clean
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
STACK_ROOT=$(cd "$here/../.." && pwd)
. "$here/versions.sh"
. "$here/lib.sh"
. "$here/postgres.sh"
. "$here/kafka.sh"
. "$here/registry.sh"
. "$here/connect.sh"

prepare_state() {
  mkdir -p "$STACK_STATE/conf" "$STACK_LOGS"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$STACK_STATE" "$STACK_LOGS" 2>/dev/null
  cp "$here/conf/log4j2.properties" "$here/conf/log4j2-cli.properties" "$STACK_STATE/conf/"
}

cmd_up() {
  JAVA17=$(find_java 17) || die "Kafka needs Java 17 or newer. Debian: apt-get install openjdk-17-jdk-headless"
  # Apicurio Registry 3.3 is compiled for Java 21.
  JAVA21=$(find_java 21) || die "the schema registry needs Java 21 or newer; none found in JAVA_HOME, PATH or /usr/lib/jvm"
  require_command curl "Debian: apt-get install curl"
  require_command ss "Debian: apt-get install iproute2"
  bash "$here/fetch.sh"
  prepare_state
  pg_start
  kafka_start
  registry_start
  connect_start
  info "stack is up (logs in $STACK_LOGS)"
}

cmd_down() {
  connect_stop
  registry_stop
  kafka_stop
  pg_stop
}

cmd_status() {
  pg_status
  kafka_status
  registry_status
  connect_status
}

cmd_logs() {
  ls -1 "$STACK_LOGS"/*.log 2>/dev/null || true
  tail -n 20 "$STACK_LOGS"/*.log 2>/dev/null || echo "no logs yet in $STACK_LOGS"
}

cmd_clean() {
  cmd_down
  info "removing $STACK_STATE (Postgres data with its replication slots, Kafka data, logs)"
  rm -rf "$STACK_STATE"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) cmd_logs ;;
  clean) cmd_clean ;;
  *) die "usage: stack.sh up|down|status|logs|clean" ;;
esac
