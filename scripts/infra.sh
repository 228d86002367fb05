#!/usr/bin/env bash
# Real Redis and RabbitMQ for tests and the demo, as plain processes on loopback.
#
#   scripts/infra.sh install          install redis-server and rabbitmq-server from Debian when missing
#   scripts/infra.sh start [DIR]      start both in DIR (default: a new temporary directory) and print
#                                     `export NAME=value` lines: REDIS_URL, RABBITMQ_URL, OPSBOT_INFRA_DIR, ...
#   scripts/infra.sh stop DIR         stop what `start` started in DIR and remove DIR
#   scripts/infra.sh add-vhost DIR NAME  an isolated virtual host (one per test)
#   scripts/infra.sh rabbitmqctl DIR ARGS...  rabbitmqctl against the node (e.g. a shovel that re-drives an _error queue)
#   scripts/infra.sh stop-rabbit DIR / start-rabbit DIR / stop-redis DIR / start-redis DIR
#                                     restart one server on the same port and data (fault tests)
#
# Options (environment): OPSBOT_RABBIT_MANAGEMENT=1 enables the management UI (demo).
set -euo pipefail

log() { printf 'infra: %s\n' "$*" >&2; }

install() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} from Debian packages"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  # policy-rc.d on container images stops the packages from starting system-wide services; that is what we want.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( (RANDOM % 20000) + 20000 ))
    if port_free "$p" && port_free $((p + 10000)); then echo "$p"; return 0; fi
  done
  log "no free port found"; return 1
}

wait_port() { # port seconds what
  local deadline=$(( $(date +%s) + $2 ))
  until ! port_free "$1"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then log "$3 did not open port $1 within $2 s"; return 1; fi
    sleep 0.2
  done
}

start_redis() {
  local dir=$1; source "$dir/ports"
  mkdir -p "$dir/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$dir/redis" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis/redis.pid" --logfile "$dir/redis/redis.log" >&2
  wait_port "$REDIS_PORT" 20 redis-server
}

stop_redis() {
  local dir=$1
  [ -f "$dir/redis/redis.pid" ] || return 0
  local pid; pid=$(cat "$dir/redis/redis.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/redis/redis.pid"
}

as_rabbit() { # run a command as the rabbitmq user (the Debian wrapper does the same) with the node's environment
  local dir=$1; shift
  local envs="HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=$RABBIT_NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
RABBITMQ_NODE_PORT=$RABBIT_PORT RABBITMQ_DIST_PORT=$((RABBIT_PORT + 10000)) \
RABBITMQ_MNESIA_BASE=$dir/rabbit/mnesia RABBITMQ_LOG_BASE=$dir/rabbit/log \
RABBITMQ_PID_FILE=$dir/rabbit/rabbit.pid RABBITMQ_ENABLED_PLUGINS_FILE=$dir/rabbit/enabled_plugins \
RABBITMQ_CONFIG_FILE=$dir/rabbit/rabbitmq RABBITMQ_ADVANCED_CONFIG_FILE=$dir/rabbit/advanced.config"
  if [ "$(id -u)" -eq 0 ]; then
    su rabbitmq -s /bin/sh -c "cd /var/lib/rabbitmq && env $envs $*"
  else
    sh -c "env $envs $*"
  fi
}

start_rabbit() {
  local dir=$1; source "$dir/ports"
  mkdir -p "$dir/rabbit/mnesia" "$dir/rabbit/log"
  if [ ! -f "$dir/rabbit/enabled_plugins" ]; then
    # rabbitmq_shovel re-drives _error queues (docs/operations.md); it ships with Debian's broker.
    if [ "${OPSBOT_RABBIT_MANAGEMENT:-0}" = 1 ]; then
      echo '[rabbitmq_management,rabbitmq_shovel,rabbitmq_shovel_management].' > "$dir/rabbit/enabled_plugins"
      echo "management.tcp.ip = 127.0.0.1" > "$dir/rabbit/rabbitmq.conf"
      echo "management.tcp.port = ${RABBIT_MGMT_PORT}" >> "$dir/rabbit/rabbitmq.conf"
    else
      echo '[rabbitmq_shovel].' > "$dir/rabbit/enabled_plugins"
      : > "$dir/rabbit/rabbitmq.conf"
    fi
  fi
  [ "$(id -u)" -eq 0 ] && chown -R rabbitmq:rabbitmq "$dir/rabbit"
  as_rabbit "$dir" "nohup /usr/lib/rabbitmq/bin/rabbitmq-server > $dir/rabbit/log/stdout.log 2>&1 &"
  wait_port "$RABBIT_PORT" 60 rabbitmq-server || { tail -n 30 "$dir/rabbit/log/stdout.log" >&2; return 1; }
  as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -n $RABBIT_NODE await_startup --timeout 60" >/dev/null
}

stop_rabbit() {
  local dir=$1; source "$dir/ports"
  [ -d "$dir/rabbit" ] || return 0
  as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -n $RABBIT_NODE stop --timeout 30" >/dev/null 2>&1 || true
  pkill -9 -f -- "-sname $RABBIT_NODE" 2>/dev/null || true
  pkill -9 -f -- "$dir/rabbit/mnesia" 2>/dev/null || true
  for _ in $(seq 1 50); do port_free "$RABBIT_PORT" && break; sleep 0.1; done
}

print_env() {
  local dir=$1; source "$dir/ports"
  echo "export OPSBOT_INFRA_DIR=$dir"
  echo "export REDIS_URL=127.0.0.1:$REDIS_PORT"
  echo "export RABBITMQ_URL=amqp://guest:guest@127.0.0.1:$RABBIT_PORT/"
  echo "export RABBITMQ_NODE=$RABBIT_NODE"
  [ "${OPSBOT_RABBIT_MANAGEMENT:-0}" = 1 ] && echo "export RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:$RABBIT_MGMT_PORT/"
  return 0
}

cmd=${1:-}
case "$cmd" in
  install) install ;;
  start)
    install
    dir=${2:-$(mktemp -d /tmp/opsbot-infra.XXXXXX)}
    mkdir -p "$dir"; chmod 755 "$dir"
    if [ ! -f "$dir/ports" ]; then
      {
        echo "REDIS_PORT=$(pick_port)"
        echo "RABBIT_PORT=$(pick_port)"
        echo "RABBIT_MGMT_PORT=$(pick_port)"
        echo "RABBIT_NODE=opsbot$RANDOM@localhost"
      } > "$dir/ports"
    fi
    started=$SECONDS
    start_redis "$dir"
    start_rabbit "$dir"
    log "redis and rabbitmq up in $((SECONDS - started)) s ($dir)"
    print_env "$dir"
    ;;
  stop)
    dir=${2:?usage: infra.sh stop DIR}
    [ -f "$dir/ports" ] || { log "nothing started in $dir"; exit 0; }
    stop_redis "$dir"; stop_rabbit "$dir"
    rm -rf "$dir"
    ;;
  stop-rabbit) stop_rabbit "${2:?DIR}" ;;
  start-rabbit) start_rabbit "${2:?DIR}" ;;
  stop-redis) stop_redis "${2:?DIR}" ;;
  start-redis) start_redis "${2:?DIR}" ;;
  env) print_env "${2:?DIR}" ;;
  rabbitmqctl) # DIR ARGS...: rabbitmqctl against this node (quote JSON arguments once for the shell)
    dir=${2:?DIR}; source "$dir/ports"; shift 2
    args=""; for a in "$@"; do args="$args '${a//\'/\'\\\'\'}'"; done
    as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -q -n $RABBIT_NODE $args"
    ;;
  add-vhost) # DIR NAME: an isolated virtual host for one test, guest has all rights on it
    dir=${2:?DIR}; source "$dir/ports"; vhost=${3:?NAME}
    as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -q -n $RABBIT_NODE add_vhost $vhost" >&2
    as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -q -n $RABBIT_NODE set_permissions -p $vhost guest '.*' '.*' '.*'" >&2
    ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
