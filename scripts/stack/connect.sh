# Kafka Connect, distributed mode, single worker, with the Debezium Postgres
# plugin on its plugin path (sourced by stack.sh).

CONNECT_LOG=$STACK_LOGS/connect.log
CONNECT_PID=$STACK_STATE/connect.pid
CONNECT_CONF=$STACK_STATE/conf/connect.properties
CONNECT_URL=http://127.0.0.1:$CONNECT_PORT

connect_healthy() {
  # The worker answers its REST API only after joining its group; the plugin
  # check makes sure Debezium was found on the plugin path.
  curl -fsS --max-time 3 "$CONNECT_URL/connector-plugins" | grep -q PostgresConnector
}

connect_start() {
  if pid_alive "$CONNECT_PID"; then
    # Ours and running, perhaps rejoining its group after the broker came
    # back: wait for it rather than take it for a stranger on the port.
    wait_until 120 "Kafka Connect" "$CONNECT_LOG" "$CONNECT_PID" connect_healthy
    return 0
  fi
  port_in_use "$CONNECT_PORT" && die "port $CONNECT_PORT (Kafka Connect) is taken by: $(port_owner "$CONNECT_PORT")"
  render "$STACK_ROOT/scripts/stack/conf/connect.properties" "$CONNECT_CONF"
  info "starting Kafka Connect on 127.0.0.1:$CONNECT_PORT"
  # Connector configs resolve ${env:...} against the worker's environment.
  OUTBOX_DB_HOST=127.0.0.1 OUTBOX_DB_PORT=$PG_PORT \
    start_java "$JAVA17" "$CONNECT_PID" "$CONNECT_LOG" -Xms256m -Xmx768m \
    -Dlog4j2.configurationFile="$STACK_STATE/conf/log4j2.properties" \
    -cp "$KAFKA_HOME/libs/*" org.apache.kafka.connect.cli.ConnectDistributed "$CONNECT_CONF"
  wait_until 120 "Kafka Connect" "$CONNECT_LOG" "$CONNECT_PID" connect_healthy
}

connect_stop() {
  stop_pid "$CONNECT_PID" "Kafka Connect" 60
}

connect_status() {
  if pid_alive "$CONNECT_PID"; then
    echo "connect    up    $CONNECT_URL  $(rss_of "$(cat "$CONNECT_PID")")"
  else
    echo "connect    down"
  fi
}
