#!/usr/bin/env bash
# The reference order system's services as local processes, whichever way
# the stack runs. Usage: apps.sh up|down|status
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
STACK_ROOT=$(cd "$here/../.." && pwd)
. "$here/versions.sh"
. "$here/lib.sh"

# name:port, in start order (participants before the saga, the API last).
APPS="inventory-service:3002 payment-service:3003 notification-service:3004 order-saga:3001 order-service:3000"
APPS_STATE=$STACK_STATE/apps

app_pid() { echo "$APPS_STATE/$1.pid"; }

app_up() {
  local name=$1 port=$2 pidfile log
  pidfile=$(app_pid "$name")
  log=$STACK_LOGS/$name.log
  if pid_alive "$pidfile" && http_ok "http://127.0.0.1:$port/readyz"; then
    return 0
  fi
  [ -f "$STACK_ROOT/apps/$name/src/main.ts" ] || return 0
  port_in_use "$port" && die "port $port ($name) is taken by: $(port_owner "$port")"
  info "starting $name on 127.0.0.1:$port"
  [ -f "$log" ] && mv -f "$log" "$log.1"
  # Started from this shell, not a subshell, so that $! is node itself and
  # `down` signals the service, not a wrapper.
  PORT=$port setsid nohup node --import tsx "apps/$name/src/main.ts" >"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  wait_until 60 "$name" "$log" "$pidfile" http_ok "http://127.0.0.1:$port/readyz"
}

cmd_up() {
  mkdir -p "$APPS_STATE" "$STACK_LOGS"
  cd "$STACK_ROOT"
  local entry
  for entry in $APPS; do
    app_up "${entry%%:*}" "${entry##*:}"
  done
}

cmd_down() {
  local entry names=()
  for entry in $APPS; do names=("${entry%%:*}" "${names[@]}"); done
  for name in "${names[@]}"; do
    stop_pid "$(app_pid "$name")" "$name" 20
  done
}

cmd_status() {
  local entry name port
  for entry in $APPS; do
    name=${entry%%:*}
    port=${entry##*:}
    if pid_alive "$(app_pid "$name")"; then
      printf '%-21s up    http://127.0.0.1:%s  %s\n' "$name" "$port" "$(rss_of "$(cat "$(app_pid "$name")")")"
    else
      printf '%-21s down\n' "$name"
    fi
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) die "usage: apps.sh up|down|status" ;;
esac
