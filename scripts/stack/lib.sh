# Shared helpers for the stack scripts (sourced, not run).

info() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] warning: %s\n' "$*" >&2; }
die() {
  printf '[stack] error: %s\n' "$*" >&2
  exit 1
}

require_command() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed. $2"
}

# Prints the process that listens on a TCP port, or nothing when it is free.
port_owner() {
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\))).*/\1/p' | head -n 1
}

port_in_use() {
  [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

pid_alive() {
  [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# wait_until SECONDS NAME LOG PIDFILE COMMAND...: polls COMMAND every half
# second until it succeeds. When the process in PIDFILE (if given) dies, or the
# deadline passes, prints the tail of LOG and fails naming the component.
wait_until() {
  local seconds=$1 name=$2 log=$3 pidfile=$4 why
  shift 4
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    why=""
    [ "$SECONDS" -ge "$deadline" ] && why="was not healthy within ${seconds}s"
    [ -n "$pidfile" ] && ! pid_alive "$pidfile" && why="exited while starting"
    if [ -n "$why" ]; then
      printf '[stack] error: %s %s. Last lines of %s:\n' "$name" "$why" "$log" >&2
      tail -n 40 "$log" >&2 || true
      printf '[stack] full log: %s\n' "$log" >&2
      exit 1
    fi
    sleep 0.5
  done
}

http_ok() {
  curl -fs -o /dev/null --max-time 3 "$1"
}

# render TEMPLATE OUTPUT: fills @NAME@ placeholders from the shell's variables.
render() {
  mkdir -p "$(dirname "$2")"
  local sed_args=() name
  for name in STACK_STATE STACK_LOGS KAFKA_PORT KAFKA_CONTROLLER_PORT CONNECT_PORT \
    DEBEZIUM_HOME PG_PORT REGISTRY_PORT; do
    sed_args+=(-e "s|@$name@|${!name}|g")
  done
  sed "${sed_args[@]}" "$1" >"$2"
}

# start_java JAVA PIDFILE LOG JVM-ARGS...: starts a JVM detached from this
# shell, in its own session so that `make` returning does not stop it.
start_java() {
  local java=$1 pidfile=$2 log=$3
  shift 3
  [ -f "$log" ] && mv -f "$log" "$log.1"
  setsid nohup "$java" "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}

# find_java MIN-MAJOR: prints a java binary of at least that major version:
# $JAVA_HOME's, then the one on PATH, then any JDK under /usr/lib/jvm.
find_java() {
  local min=$1 candidate major
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)" \
    /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    major=$(java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$min" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# stop_pid PIDFILE NAME SECONDS: SIGTERM, then SIGKILL after the deadline.
stop_pid() {
  local pidfile=$1 name=$2 seconds=$3 pid
  pid_alive "$pidfile" || {
    rm -f "$pidfile"
    return 0
  }
  pid=$(cat "$pidfile")
  info "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      warn "$name did not stop within ${seconds}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
}

rss_of() {
  local pid=$1 kb
  [ -n "$pid" ] || return 0
  kb=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ')
  [ -n "$kb" ] && echo "pid=$pid rss=$((kb / 1024))MiB"
}
