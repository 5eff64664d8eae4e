# Apicurio Registry, serving the Confluent API under /apis/ccompat/v7
# (sourced by stack.sh). Its storage is a database in the private Postgres,
# so schema ids survive a restart: outbox rows and topics hold those ids.

REGISTRY_LOG=$STACK_LOGS/registry.log
REGISTRY_PID=$STACK_STATE/registry.pid
REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7

registry_healthy() {
  http_ok "$REGISTRY_URL/subjects"
}

registry_start() {
  if pid_alive "$REGISTRY_PID"; then
    # Ours and running, perhaps briefly unhealthy (its database just
    # restarted): wait for it rather than take it for a stranger on the port.
    wait_until 60 "schema registry" "$REGISTRY_LOG" "$REGISTRY_PID" registry_healthy
    return 0
  fi
  for port in "$REGISTRY_PORT" "$REGISTRY_MANAGEMENT_PORT"; do
    port_in_use "$port" && die "port $port (schema registry) is taken by: $(port_owner "$port")"
  done
  info "starting Apicurio Registry on 127.0.0.1:$REGISTRY_PORT"
  # A new subject without a rule of its own gets BACKWARD; without a global
  # rule Apicurio answers the config call with NONE, which the Confluent
  # client takes for a conflict.
  start_java "$JAVA21" "$REGISTRY_PID" "$REGISTRY_LOG" -Xms128m -Xmx512m \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
    -Dapicurio.storage.sql.kind=postgresql \
    -Dapicurio.datasource.url="jdbc:postgresql://127.0.0.1:$PG_PORT/registry" \
    -Dapicurio.datasource.username=eventline -Dapicurio.datasource.password=eventline \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=20 \
    -Dapicurio.rules.global.compatibility=BACKWARD \
    -Dapicurio.rules.global.validity=FULL \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dapicurio.rest.deletion.group.enabled=true \
    -jar "$APICURIO_HOME/quarkus-run.jar"
  wait_until 120 "schema registry" "$REGISTRY_LOG" "$REGISTRY_PID" registry_healthy
}

registry_stop() {
  stop_pid "$REGISTRY_PID" "schema registry" 30
}

registry_status() {
  if pid_alive "$REGISTRY_PID"; then
    echo "registry   up    $REGISTRY_URL  $(rss_of "$(cat "$REGISTRY_PID")")"
  else
    echo "registry   down"
  fi
}
