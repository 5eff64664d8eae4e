# Apache Kafka in KRaft combined mode, single node (sourced by stack.sh).

KAFKA_DATA=$STACK_STATE/kafka
KAFKA_LOG=$STACK_LOGS/kafka.log
KAFKA_PID=$STACK_STATE/kafka.pid
KAFKA_CONF=$STACK_STATE/conf/kafka.properties

kafka_healthy() {
  # The broker logs this line once it has joined its own quorum and opened
  # its listener; the log is rotated at each start.
  port_in_use "$KAFKA_PORT" && grep -q 'Kafka Server started' "$KAFKA_LOG"
}

java_cli() {
  "$JAVA17" -Xmx256m -Dlog4j2.configurationFile="$STACK_STATE/conf/log4j2-cli.properties" \
    -cp "$KAFKA_HOME/libs/*" "$@"
}

kafka_start() {
  if pid_alive "$KAFKA_PID"; then
    wait_until 90 Kafka "$KAFKA_LOG" "$KAFKA_PID" kafka_healthy
    return 0
  fi
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_in_use "$port" && die "port $port (Kafka) is taken by: $(port_owner "$port")"
  done
  render "$STACK_ROOT/scripts/stack/conf/kafka.properties" "$KAFKA_CONF"
  mkdir -p "$KAFKA_DATA"
  if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
    info "formatting Kafka storage in $KAFKA_DATA"
    java_cli kafka.tools.StorageTool format --config "$KAFKA_CONF" \
      --cluster-id "$(java_cli kafka.tools.StorageTool random-uuid)" --standalone \
      --ignore-formatted >"$STACK_LOGS/kafka-format.log" 2>&1 ||
      {
        tail -n 20 "$STACK_LOGS/kafka-format.log" >&2
        die "formatting Kafka storage failed (full log: $STACK_LOGS/kafka-format.log)"
      }
  fi
  info "starting Kafka on 127.0.0.1:$KAFKA_PORT"
  start_java "$JAVA17" "$KAFKA_PID" "$KAFKA_LOG" -Xms256m -Xmx768m \
    -Dlog4j2.configurationFile="$STACK_STATE/conf/log4j2.properties" \
    -Dkafka.logs.dir="$STACK_LOGS" -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$KAFKA_CONF"
  wait_until 90 Kafka "$KAFKA_LOG" "$KAFKA_PID" kafka_healthy
}

kafka_stop() {
  stop_pid "$KAFKA_PID" Kafka 60
}

kafka_status() {
  if pid_alive "$KAFKA_PID"; then
    echo "kafka      up    127.0.0.1:$KAFKA_PORT  $(rss_of "$(cat "$KAFKA_PID")")"
  else
    echo "kafka      down"
  fi
}
