#!/usr/bin/env bash
# Real Redis and RabbitMQ for tests and the demo, as plain processes on loopback.
#
#   scripts/infra.sh install          install redis-server and rabbitmq-server from Debian when missing
#   scripts/infra.sh start [DIR]      start both in DIR (default: a new temporary directory) and print
#                                     `export NAME=value` lines: REDIS_URL, RABBITMQ_URL, OPSBOT_INFRA_DIR, ...
#   scripts/infra.sh start-cluster [DIR]  Redis and a 3-node RabbitMQ cluster on loopback (same Erlang cookie, joined,
#                                     same plugins); prints the same `export` lines, RABBITMQ_URL naming all 3 nodes
#                                     (amqp://guest:guest@127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3/), plus
#                                     RABBITMQ_NODE_<n> and RABBITMQ_PORT_<n> per node
#   scripts/infra.sh start-redis-only [DIR]  Redis alone (for a test that stops Redis beside the shared RabbitMQ)
#   scripts/infra.sh stop DIR         stop everything `start` or `start-cluster` started in DIR and remove DIR
#   scripts/infra.sh stop-node DIR N / start-node DIR N   stop or restart cluster node N (1-3) on its port and data
#   scripts/infra.sh add-vhost DIR NAME  an isolated virtual host (one per test)
#   scripts/infra.sh add-vhosts DIR NAME...  several at once (the tests' pool: one rabbitmqctl start for all)
#   scripts/infra.sh rabbitmqctl DIR ARGS...  rabbitmqctl against the node (e.g. a shovel that re-drives an _error queue);
#                                     in a cluster against the first node that runs
#   scripts/infra.sh rabbitmq-queues DIR ARGS...  the same for rabbitmq-queues (quorum queue leaders, members)
#   scripts/infra.sh stop-rabbit DIR / start-rabbit DIR / stop-redis DIR / start-redis DIR
#                                     restart one server on the same port and data (fault tests)
#
# Plugins on every node: rabbitmq_consistent_hash_exchange (risk-evaluator's partitions) and rabbitmq_shovel
# (re-driving _error queues), both shipped with Debian's rabbitmq-server.
# Options (environment): OPSBOT_RABBIT_MANAGEMENT=1 enables the management UI (demo; single node).
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

# The node a command works on: use_node DIR [N]. Without N the single node of `start` (data in DIR/rabbit), with N
# node N of `start-cluster` (data in DIR/rabbitN). Sets RABBIT_NODE, RABBIT_PORT and RDIR.
use_node() {
  local dir=$1 n=${2:-}; source "$dir/ports"
  if [ -z "$n" ]; then
    RDIR=$dir/rabbit
  else
    eval "RABBIT_NODE=\$RABBIT_NODE_$n; RABBIT_PORT=\$RABBIT_PORT_$n"
    [ -n "$RABBIT_NODE" ] || { log "no node $n in $dir"; return 1; }
    RDIR=$dir/rabbit$n
  fi
}

cluster_size() { local dir=$1; ( source "$dir/ports"; echo "${CLUSTER_NODES:-0}" ); }

as_rabbit() { # run a command as the rabbitmq user (the Debian wrapper does the same) with the node's environment (use_node first)
  local dir=$1; shift
  # Every node runs as the rabbitmq user with HOME=/var/lib/rabbitmq, so all nodes and the CLI share one Erlang cookie.
  local envs="HOME=/var/lib/rabbitmq RABBITMQ_NODENAME=$RABBIT_NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
RABBITMQ_NODE_PORT=$RABBIT_PORT RABBITMQ_DIST_PORT=$((RABBIT_PORT + 10000)) \
RABBITMQ_MNESIA_BASE=$RDIR/mnesia RABBITMQ_LOG_BASE=$RDIR/log \
RABBITMQ_PID_FILE=$RDIR/rabbit.pid RABBITMQ_ENABLED_PLUGINS_FILE=$RDIR/enabled_plugins \
RABBITMQ_CONFIG_FILE=$RDIR/rabbitmq RABBITMQ_ADVANCED_CONFIG_FILE=$RDIR/advanced.config"
  if [ "$(id -u)" -eq 0 ]; then
    su rabbitmq -s /bin/sh -c "cd /var/lib/rabbitmq && env $envs $*"
  else
    sh -c "env $envs $*"
  fi
}

# rabbitmq_consistent_hash_exchange: risk-evaluator's partition exchanges; rabbitmq_shovel: re-drives _error queues
# (docs/operations.md). Both ship with Debian's broker.
PLUGINS="rabbitmq_consistent_hash_exchange,rabbitmq_shovel"

start_rabbit() { # DIR [N]
  local dir=$1; use_node "$@"
  mkdir -p "$RDIR/mnesia" "$RDIR/log"
  if [ ! -f "$RDIR/enabled_plugins" ]; then
    if [ "${OPSBOT_RABBIT_MANAGEMENT:-0}" = 1 ] && [ -z "${2:-}" ]; then
      echo "[rabbitmq_management,$PLUGINS,rabbitmq_shovel_management]." > "$RDIR/enabled_plugins"
      echo "management.tcp.ip = 127.0.0.1" > "$RDIR/rabbitmq.conf"
      echo "management.tcp.port = ${RABBIT_MGMT_PORT}" >> "$RDIR/rabbitmq.conf"
    else
      echo "[$PLUGINS]." > "$RDIR/enabled_plugins"
      : > "$RDIR/rabbitmq.conf"
    fi
    if [ -n "${2:-}" ]; then
      # Cluster: on its first boot every node joins node 1 (classic peer discovery); later boots keep the membership.
      { echo "cluster_formation.peer_discovery_backend = classic_config"
        echo "cluster_formation.classic_config.nodes.1 = $RABBIT_NODE_1"
        echo "cluster_partition_handling = pause_minority"; } >> "$RDIR/rabbitmq.conf"
    fi
  fi
  [ "$(id -u)" -eq 0 ] && chown -R rabbitmq:rabbitmq "$RDIR"
  as_rabbit "$dir" "nohup /usr/lib/rabbitmq/bin/rabbitmq-server > $RDIR/log/stdout.log 2>&1 &"
  wait_port "$RABBIT_PORT" 90 rabbitmq-server || { tail -n 30 "$RDIR/log/stdout.log" >&2; return 1; }
  as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -n $RABBIT_NODE await_startup --timeout 90" >/dev/null
}

stop_rabbit() { # DIR [N]
  local dir=$1; use_node "$@"
  [ -d "$RDIR" ] || return 0
  as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -n $RABBIT_NODE stop --timeout 30" >/dev/null 2>&1 || true
  pkill -9 -f -- "-sname $RABBIT_NODE" 2>/dev/null || true
  pkill -9 -f -- "$RDIR/mnesia" 2>/dev/null || true
  for _ in $(seq 1 50); do port_free "$RABBIT_PORT" && break; sleep 0.1; done
}

# The first node that runs (a cluster may have one stopped): use_node for it.
use_running_node() {
  local dir=$1 n size; size=$(cluster_size "$dir")
  if [ "$size" -eq 0 ]; then use_node "$dir"; return 0; fi
  for n in $(seq 1 "$size"); do
    use_node "$dir" "$n"
    port_free "$RABBIT_PORT" || return 0
  done
  log "no cluster node runs in $dir"; return 1
}

start_cluster() {
  local dir=$1 n size=3
  start_rabbit "$dir" 1
  for n in $(seq 2 "$size"); do start_rabbit "$dir" "$n" & done
  local failed=0
  for job in $(jobs -p); do wait "$job" || failed=1; done
  [ "$failed" -eq 0 ] || return 1
  use_node "$dir" 1
  local deadline=$(( $(date +%s) + 60 ))
  until [ "$(as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -q -n $RABBIT_NODE eval 'length(rabbit_nodes:all_running()).'" 2>/dev/null)" = "$size" ]; do
    if [ "$(date +%s)" -ge "$deadline" ]; then log "the $size nodes did not form one cluster within 60 s"; return 1; fi
    sleep 0.5
  done
}

print_env() {
  local dir=$1; source "$dir/ports"
  echo "export OPSBOT_INFRA_DIR=$dir"
  echo "export REDIS_URL=127.0.0.1:$REDIS_PORT"
  if [ "${CLUSTER_NODES:-0}" -gt 0 ]; then
    local hosts="" n
    for n in $(seq 1 "$CLUSTER_NODES"); do
      eval "echo \"export RABBITMQ_NODE_$n=\$RABBIT_NODE_$n\"; echo \"export RABBITMQ_PORT_$n=\$RABBIT_PORT_$n\"; hosts=\$hosts,127.0.0.1:\$RABBIT_PORT_$n"
    done
    echo "export RABBITMQ_URL=amqp://guest:guest@${hosts#,}/"
    echo "export RABBITMQ_NODE=$RABBIT_NODE_1"
  else
    echo "export RABBITMQ_URL=amqp://guest:guest@127.0.0.1:$RABBIT_PORT/"
    echo "export RABBITMQ_NODE=$RABBIT_NODE"
  fi
  [ "${OPSBOT_RABBIT_MANAGEMENT:-0}" = 1 ] && echo "export RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:$RABBIT_MGMT_PORT/"
  return 0
}

new_dir() { # DIR: the directory and its ports file (kept when it exists: a restart reuses ports and data)
  local dir=${1:-$(mktemp -d /tmp/opsbot-infra.XXXXXX)}
  mkdir -p "$dir"; chmod 755 "$dir"
  echo "$dir"
}

cmd=${1:-}
case "$cmd" in
  install) install ;;
  start)
    install
    dir=$(new_dir "${2:-}")
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
  start-redis-only) # [DIR]: Redis alone (a test that stops Redis and uses the shared RabbitMQ); prints the same export lines without RabbitMQ
    install
    dir=$(new_dir "${2:-}")
    if [ ! -f "$dir/ports" ]; then
      { echo "REDIS_PORT=$(pick_port)"; echo "RABBIT_PORT=0"; echo "RABBIT_MGMT_PORT=0"; echo "RABBIT_NODE=none@localhost"; } > "$dir/ports"
    fi
    start_redis "$dir"
    source "$dir/ports"
    echo "export OPSBOT_INFRA_DIR=$dir"
    echo "export REDIS_URL=127.0.0.1:$REDIS_PORT"
    ;;
  start-cluster)
    install
    dir=$(new_dir "${2:-}")
    if [ ! -f "$dir/ports" ]; then
      base=opsbot$RANDOM
      {
        echo "REDIS_PORT=$(pick_port)"
        echo "CLUSTER_NODES=3"
        for n in 1 2 3; do echo "RABBIT_PORT_$n=$(pick_port)"; echo "RABBIT_NODE_$n=$base-$n@localhost"; done
      } > "$dir/ports"
      # The single-node names point at node 1, so commands written for `start` work on the cluster too.
      ( source "$dir/ports"; echo "RABBIT_PORT=$RABBIT_PORT_1"; echo "RABBIT_NODE=$RABBIT_NODE_1"; echo "RABBIT_MGMT_PORT=0" ) >> "$dir/ports"
    fi
    started=$SECONDS
    start_redis "$dir"
    start_cluster "$dir"
    log "redis and a 3-node rabbitmq cluster up in $((SECONDS - started)) s ($dir)"
    print_env "$dir"
    ;;
  stop)
    dir=${2:?usage: infra.sh stop DIR}
    [ -f "$dir/ports" ] || { log "nothing started in $dir"; exit 0; }
    stop_redis "$dir"
    size=$(cluster_size "$dir")
    if [ "$size" -gt 0 ]; then
      for n in $(seq "$size" -1 1); do stop_rabbit "$dir" "$n"; done
    else
      stop_rabbit "$dir"
    fi
    rm -rf "$dir"
    ;;
  stop-node) stop_rabbit "${2:?DIR}" "${3:?N}" ;;
  start-node) start_rabbit "${2:?DIR}" "${3:?N}" ;;
  stop-rabbit) stop_rabbit "${2:?DIR}" ;;
  start-rabbit) start_rabbit "${2:?DIR}" ;;
  stop-redis) stop_redis "${2:?DIR}" ;;
  start-redis) start_redis "${2:?DIR}" ;;
  env) print_env "${2:?DIR}" ;;
  rabbitmqctl|rabbitmq-queues) # DIR ARGS...: the tool against this node, in a cluster the first that runs (quote JSON arguments once for the shell)
    tool=$1; dir=${2:?DIR}; shift 2
    use_running_node "$dir"
    args=""; for a in "$@"; do args="$args '${a//\'/\'\\\'\'}'"; done
    as_rabbit "$dir" "/usr/lib/rabbitmq/bin/$tool -q -n $RABBIT_NODE $args"
    ;;
  add-vhosts) # DIR NAME...: several isolated virtual hosts at once (one rabbitmqctl start instead of two per host)
    dir=${2:?DIR}; shift 2
    use_running_node "$dir"
    defs="$dir/vhosts-$$.json"
    { printf '{"vhosts":['; sep=""; for v in "$@"; do printf '%s{"name":"%s"}' "$sep" "$v"; sep=","; done
      printf '],"permissions":['; sep=""
      for v in "$@"; do printf '%s{"user":"guest","vhost":"%s","configure":".*","write":".*","read":".*"}' "$sep" "$v"; sep=","; done
      printf ']}\n'; } > "$defs"
    chmod 644 "$defs"
    as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -q -n $RABBIT_NODE import_definitions $defs" >&2
    rm -f "$defs"
    ;;
  add-vhost) # DIR NAME: an isolated virtual host for one test, guest has all rights on it
    dir=${2:?DIR}; vhost=${3:?NAME}
    use_running_node "$dir"
    as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -q -n $RABBIT_NODE add_vhost $vhost" >&2
    as_rabbit "$dir" "/usr/lib/rabbitmq/bin/rabbitmqctl -q -n $RABBIT_NODE set_permissions -p $vhost guest '.*' '.*' '.*'" >&2
    ;;
  *) sed -n '2,/^set -euo/{/^set -euo/d;p}' "$0" >&2; exit 2 ;;
esac
