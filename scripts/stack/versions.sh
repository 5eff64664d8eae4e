# Versions and paths of the local stack, sourced by every stack script.
# Debezium 3.6.1 is built against Kafka 4.3 and Java 17, so the broker and the
# Connect runtime stay on the 4.3 line.
KAFKA_VERSION=4.3.2
DEBEZIUM_VERSION=3.6.1.Final
APICURIO_VERSION=3.3.3
LOG4J_VERSION=2.25.3

STACK_CACHE=${STACK_CACHE:-$HOME/.cache/eventline}
# Postgres refuses to run as root, so as root the cluster runs as the postgres
# user, and the state folder must be one that user can reach (not /root).
if [ "$(id -u)" -eq 0 ]; then
  STACK_STATE=${STACK_STATE:-/var/lib/eventline}
else
  STACK_STATE=${STACK_STATE:-$HOME/.local/state/eventline}
fi
STACK_LOGS=$STACK_STATE/logs

PG_PORT=${PG_PORT:-5433}
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
CONNECT_PORT=8083
REGISTRY_PORT=8081
REGISTRY_MANAGEMENT_PORT=9001

KAFKA_HOME=$STACK_CACHE/kafka-$KAFKA_VERSION
DEBEZIUM_HOME=$STACK_CACHE/debezium-$DEBEZIUM_VERSION
APICURIO_HOME=$STACK_CACHE/apicurio-$APICURIO_VERSION
