#!/usr/bin/env bash
# The main job, on a fresh Debian machine with the .NET SDK: Redis and RabbitMQ (installed from
# Debian packages when missing), the three services, a local Slack-compatible sink that prints
# every alert it receives, and a demo PnL feed that drives one strategy past the loss threshold.
# Ctrl-C stops everything this script started.
#
# Options (environment): ALERT_PNL_THRESHOLD (default 1000), SLACK_SINK_PORT (default 8090),
# DEMO_INTERVAL_MS (default 1000), DEMO_SECONDS (stop by itself after this many seconds; default: run until Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

pids=()
infra_dir=""
cleanup() {
  trap - INT TERM EXIT
  echo; echo "demo: stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  pkill -TERM -P $$ 2>/dev/null || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "$infra_dir" ] && scripts/infra.sh stop "$infra_dir"
  echo "demo: stopped"
}
trap cleanup INT TERM EXIT

# The ports the demo listens on must be free: a clear error beats a sink that silently did not start.
for port in "${SLACK_SINK_PORT:-8090}" 8081 8082 8083; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port is already in use (another demo still running?). Stop it, or set SLACK_SINK_PORT for the sink's port." >&2
    exit 1
  fi
done

echo "demo: publishing the services ReadyToRun (when changed) and building the demo tools (Release)…"
services_dir=$(scripts/publish-services)
for tool in OpsBot.FakeSlack OpsBot.DemoFeed; do
  dotnet build "tools/$tool/$tool.csproj" -c Release -nologo -clp:ErrorsOnly -v quiet
done

echo "demo: starting Redis and RabbitMQ on loopback…"
eval "$(OPSBOT_RABBIT_MANAGEMENT=1 scripts/infra.sh start)"
infra_dir=$OPSBOT_INFRA_DIR
logs=$infra_dir/logs; mkdir -p "$logs"

export REDIS_URL RABBITMQ_URL
export PNL_CHANNEL=${PNL_CHANNEL:-pnl}
export ALERT_PNL_THRESHOLD=${ALERT_PNL_THRESHOLD:-1000}
export SLACK_SINK_PORT=${SLACK_SINK_PORT:-8090}
export SLACK_API_URL="http://127.0.0.1:$SLACK_SINK_PORT/api/"
export SLACK_BOT_TOKEN=xoxb-demo-not-a-real-token
export SLACK_ALERT_CHANNEL=C0DEMO
export LOG_FORMAT=text

bin() { echo "$root/$1/bin/Release/net10.0/$2.dll"; }          # a demo tool's build output
service_dll() { echo "$services_dir/$1/$2.dll"; }                 # a service, published ReadyToRun
ready() { # port: /readyz answers 200 (plain bash, no curl needed)
  { exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && head -n 1 <&3 | grep -q ' 200'; } 2>/dev/null
}

dotnet "$(bin tools/OpsBot.FakeSlack OpsBot.FakeSlack)" &
pids+=($!)

port=8081
for service in notifier:OpsBot.Notifier risk-evaluator:OpsBot.RiskEvaluator pnl-ingest:OpsBot.PnlIngest; do
  name=${service%%:*}; assembly=${service#*:}
  HEALTH_PORT=$port dotnet "$(service_dll "$name" "$assembly")" > "$logs/$name.log" 2>&1 &
  pids+=($!)
  echo "demo: $name started: http://127.0.0.1:$port/healthz /readyz /metrics, log $logs/$name.log"
  port=$((port + 1))
done

for p in 8081 8082 8083; do
  for _ in $(seq 1 150); do
    ready "$p" && break
    sleep 0.2
  done
done
echo "demo: services ready; RabbitMQ management UI at ${RABBITMQ_MANAGEMENT_URL:-} (guest/guest)"
echo "demo: feeding PnL; the first alert arrives after about 9 s. Ctrl-C stops everything."

dotnet "$(bin tools/OpsBot.DemoFeed OpsBot.DemoFeed)" &
pids+=($!)
# Show pnl-ingest's rejections of malformed PnL as they happen.
tail -n 0 -F "$logs/pnl-ingest.log" 2>/dev/null | grep --line-buffered "Rejected PnL" | sed -u 's/^/pnl-ingest: /' &
pids+=($!)

if [ -n "${DEMO_SECONDS:-}" ]; then sleep "$DEMO_SECONDS"; else wait; fi
