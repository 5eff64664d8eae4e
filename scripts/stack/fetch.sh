#!/usr/bin/env bash
# Fetches Kafka, Connect, the Debezium plugin and Apicurio Registry from Maven
# Central into $STACK_CACHE, one folder per version. A folder is complete only
# when its `.complete` marker exists, so an interrupted fetch is redone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"
. "$here/lib.sh"

require_command java "Install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)."
require_command mvn "Install Maven (Debian: apt-get install maven)."
mkdir -p "$STACK_CACHE"

mvn_quiet() {
  local log=$STACK_CACHE/mvn.log
  if ! mvn -B -q "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "Maven could not fetch an artifact (full log: $log). Check that Maven Central is reachable."
  fi
}

fetch_kafka() {
  [ -f "$KAFKA_HOME/.complete" ] && return 0
  info "fetching Kafka $KAFKA_VERSION (broker, Connect, tools) into $KAFKA_HOME"
  rm -rf "$KAFKA_HOME" && mkdir -p "$KAFKA_HOME/libs"
  sed -e "s/@KAFKA_VERSION@/$KAFKA_VERSION/g" -e "s/@LOG4J_VERSION@/$LOG4J_VERSION/g" \
    "$here/kafka-pom.xml" >"$KAFKA_HOME/pom.xml"
  mvn_quiet -f "$KAFKA_HOME/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_HOME/libs" -DincludeScope=runtime
  touch "$KAFKA_HOME/.complete"
}

fetch_archive() {
  # $1 = destination folder, $2 = group:artifact:version:type:classifier
  local dest=$1 coords=$2
  [ -f "$dest/.complete" ] && return 0
  info "fetching $coords into $dest"
  rm -rf "$dest" && mkdir -p "$dest/download"
  mvn_quiet dependency:copy -Dartifact="$coords" -DoutputDirectory="$dest/download"
  tar -xzf "$dest"/download/*.tar.gz -C "$dest"
  rm -rf "$dest/download"
  touch "$dest/.complete"
}

fetch_kafka
fetch_archive "$DEBEZIUM_HOME" \
  "io.debezium:debezium-connector-postgres:$DEBEZIUM_VERSION:tar.gz:plugin"
fetch_archive "$APICURIO_HOME" "io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all"
info "all stack artifacts are in $STACK_CACHE"
