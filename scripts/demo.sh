#!/usr/bin/env bash
# The main job, on a fresh Debian machine with the .NET SDK: Redis and RabbitMQ (installed from Debian packages
# when missing), all six services, and local stand-ins for the outside world:
#   - a Slack sink that prints every message the notifier posts, as Slack would show it (tools/OpsBot.FakeSlack);
#   - a fake exchange (Coinbase Advanced Trade WebSocket, tools/OpsBot.FakeExchange) read by two market-feed
#     processes, one per client (USE_OFFICIAL_SDK=false and true), compared by parity-checker: the operations
#     guide's parity setup;
#   - a demo PnL feed on Redis, playing the trading platform (tools/OpsBot.DemoFeed).
# ops-bot answers Slack slash commands over HTTP (signed requests): in another terminal,
# `scripts/slack '/ops pnl momentum'`. Once everything is up, the script prints what to watch and what to try.
# Ctrl-C (or DEMO_SECONDS) stops everything this script started.
#
# Options (environment):
#   DEMO_SECONDS        stop by itself this many seconds after everything is up (default: run until Ctrl-C)
#   DEMO_PORT           first of the seven service ports (default 8081): notifier, risk-evaluator, pnl-ingest,
#                       ops-bot, market-feed (raw), parity-checker, market-feed (sdk) on DEMO_PORT … DEMO_PORT+6
#   SLACK_SINK_PORT     the Slack sink (default 8090)        FAKE_EXCHANGE_PORT  the fake exchange (default 8765)
#   DEMO_ENV_FILE       where the running demo leaves ops-bot's URL and its signing secret for scripts/slack
#                       (default artifacts/demo/slack.env; readable by you only; removed when the demo stops)
#   DEMO_LOG_DIR        the services' logs (default artifacts/demo/logs; emptied at start, kept after the demo)
#   DEMO_INFRA_DIR      where Redis and RabbitMQ run (default: a new temporary directory; removed at the end)
#   DEMO_BUILD_OUTPUT=1 run the services and tools from an existing `dotnet build -c Release` (the test suite's)
#                       instead of publishing them ReadyToRun
#   ALERT_PNL_THRESHOLD (default 1000), DEMO_INTERVAL_MS (the PnL feed's period, default 1000)
#
# The services run on their defaults. Demo-only settings, and why:
#   - market-feed: FEED_HEARTBEAT_TIMEOUT_SECONDS=60 (default 10). The fake exchange holds its script, silent,
#     until both clients have subscribed (FAKE_EXCHANGE_HOLD_FOR=raw,sdk), so that both read the same session
#     with the same sequence numbers and times and parity is checked strictly; on a busy machine the second
#     client can take longer than 10 s to subscribe, and the first one's watchdog would then reconnect it.
#   - the fake exchange plays its demo session (FAKE_EXCHANGE_SCRIPT=demo, one step every 150 ms,
#     FAKE_EXCHANGE_STEP_MS): calm prices that warm risk-evaluator's volatility model up (ten returns per
#     symbol), a forced disconnect and reconnect, then BTC-USD jumps 2 % (a price-band alert).
#   - ops-bot: a signing secret made for this run, OPS_ADMINS=U0DEMO (scripts/slack's default user), so that
#     `/ops silence` can be tried; no METRICS_URL (there is no platform metrics endpoint here: `/ops status`
#     says `no-data` for it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

demo_port=${DEMO_PORT:-8081}
sink_port=${SLACK_SINK_PORT:-8090}
exchange_port=${FAKE_EXCHANGE_PORT:-8765}
env_file=${DEMO_ENV_FILE:-$root/artifacts/demo/slack.env}
logs=${DEMO_LOG_DIR:-$root/artifacts/demo/logs}
names=(notifier risk-evaluator pnl-ingest ops-bot market-feed-raw parity-checker market-feed-sdk)
declare -A port_of
for i in "${!names[@]}"; do port_of[${names[$i]}]=$((demo_port + i)); done

pids=()
infra_dir=""
cleanup() {
  local status=${1:-$?}
  trap - INT TERM EXIT
  echo; echo "demo: stopping"
  rm -f "$env_file"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  pkill -TERM -P $$ 2>/dev/null || true
  local deadline=$((SECONDS + 20)) pid
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ -n "$infra_dir" ]; then scripts/infra.sh stop "$infra_dir"; rmdir "$infra_dir" 2>/dev/null || true; fi
  echo "demo: stopped"
  exit "$status"
}
trap 'cleanup 130' INT
trap 'cleanup 143' TERM
trap 'cleanup' EXIT

# Every port the demo listens on must be free: a clear error beats a service that silently did not start.
for port in "$sink_port" "$exchange_port" "${port_of[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port is already in use (another demo still running?). Stop it, or choose other ports:" \
      "DEMO_PORT (services, $demo_port…$((demo_port + 6))), SLACK_SINK_PORT ($sink_port), FAKE_EXCHANGE_PORT ($exchange_port)." >&2
    exit 1
  fi
done

if [ "${DEMO_BUILD_OUTPUT:-}" = 1 ]; then
  # The test suite has just built the solution (Release): run that, instead of publishing for minutes.
  echo "demo: running the services and tools from their Release build output (DEMO_BUILD_OUTPUT=1)"
  service_dll() { echo "$root/services/$1/bin/Release/net10.0/$2.dll"; }
else
  echo "demo: publishing the services ReadyToRun (when changed) and building the demo tools (Release)…"
  # No build node or compiler server outlives the build: the demo leaves nothing running when it stops.
  export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0 UseSharedCompilation=false
  services_dir=$(scripts/publish-services)
  service_dll() { echo "$services_dir/$1/$2.dll"; }
  for tool in OpsBot.FakeSlack OpsBot.FakeExchange OpsBot.DemoFeed; do
    build_log=$(dotnet build "tools/$tool/$tool.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly 2>&1) \
      || { echo "$build_log" >&2; echo "demo: building $tool failed" >&2; exit 1; }
  done
fi

echo "demo: starting Redis and RabbitMQ on loopback…"
infra_dir=${DEMO_INFRA_DIR:-$(mktemp -d /tmp/opsbot-infra.XXXXXX)}
infra_env=$(OPSBOT_RABBIT_MANAGEMENT=1 scripts/infra.sh start "$infra_dir")
eval "$infra_env"
mkdir -p "$logs"; rm -f "$logs"/*.log

export REDIS_URL RABBITMQ_URL
export PNL_CHANNEL=${PNL_CHANNEL:-pnl}
export ALERT_PNL_THRESHOLD=${ALERT_PNL_THRESHOLD:-1000}
export SLACK_API_URL="http://127.0.0.1:$sink_port/api/"
export SLACK_BOT_TOKEN=xoxb-demo-not-a-real-token
export SLACK_ALERT_CHANNEL=C0DEMO
export LOG_FORMAT=text
signing_secret=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')

tool() { echo "$root/tools/$1/bin/Release/net10.0/$1.dll"; }   # a demo tool's build output
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ready() { # port: /readyz answers 200 (plain bash, no curl needed)
  ( exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /readyz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && head -n 1 <&3 | grep -q ' 200' ) 2>/dev/null
}
declare -A pid_of
start_service() { # name folder assembly [NAME=value ...]: runs the published service with its port and log
  local name=$1 folder=$2 assembly=$3; shift 3
  env HEALTH_PORT="${port_of[$name]}" "$@" dotnet "$(service_dll "$folder" "$assembly")" > "$logs/$name.log" 2>&1 &
  pids+=($!); pid_of[$name]=$!
}
wait_ready() { # name...: each /readyz answers 200; a service that exits or is not ready in 180 s ends the demo
  local name deadline=$((SECONDS + 180))
  for name in "$@"; do
    until ready "${port_of[$name]}"; do
      if ! kill -0 "${pid_of[$name]}" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
        echo "demo: $name did not become ready; the end of $logs/$name.log:" >&2
        tail -n 20 "$logs/$name.log" >&2
        exit 1
      fi
      sleep 0.3
    done
    echo "demo: $name ready: http://127.0.0.1:${port_of[$name]}/healthz /readyz /metrics"
  done
}
wait_listening() { # port what
  local deadline=$((SECONDS + 60))
  until listening "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "demo: $2 did not open port $1" >&2; exit 1; }
    sleep 0.2
  done
}

SLACK_SINK_PORT=$sink_port dotnet "$(tool OpsBot.FakeSlack)" &
pids+=($!)
FAKE_EXCHANGE_PORT=$exchange_port FAKE_EXCHANGE_SCRIPT=demo FAKE_EXCHANGE_STEP_MS=150 FAKE_EXCHANGE_HOLD_FOR=raw,sdk \
  dotnet "$(tool OpsBot.FakeExchange)" &
pids+=($!)
wait_listening "$sink_port" "the Slack sink"
wait_listening "$exchange_port" "the fake exchange"

# The consumers first, so that their queues are bound before the feeds publish anything.
start_service notifier notifier OpsBot.Notifier
start_service risk-evaluator risk-evaluator OpsBot.RiskEvaluator
start_service pnl-ingest pnl-ingest OpsBot.PnlIngest
start_service ops-bot ops-bot OpsBot.Bot SLACK_SIGNING_SECRET="$signing_secret" OPS_ADMINS=U0DEMO
start_service parity-checker parity-checker OpsBot.ParityChecker
wait_ready notifier risk-evaluator pnl-ingest ops-bot parity-checker

# The operations guide's parity setup: one market-feed per client, each on its own exchange session.
exchange="ws://127.0.0.1:$exchange_port/ws"
start_service market-feed-raw market-feed OpsBot.MarketFeed USE_OFFICIAL_SDK=false EXCHANGE_WS_URL="$exchange?session=raw" FEED_HEARTBEAT_TIMEOUT_SECONDS=60
start_service market-feed-sdk market-feed OpsBot.MarketFeed USE_OFFICIAL_SDK=true EXCHANGE_WS_URL="$exchange?session=sdk" FEED_HEARTBEAT_TIMEOUT_SECONDS=60
wait_ready market-feed-raw market-feed-sdk

# What scripts/slack needs to reach this demo's ops-bot; only you can read it, and it goes when the demo stops.
mkdir -p "$(dirname "$env_file")"
( umask 077; printf 'OPS_BOT_URL=http://127.0.0.1:%s/\nSLACK_SIGNING_SECRET=%s\n' "${port_of[ops-bot]}" "$signing_secret" > "$env_file" )

# What the services log that a user should see: pnl-ingest's rejections, parity-checker's reports.
tail -n +1 -F "$logs/pnl-ingest.log" 2>/dev/null | grep --line-buffered "Rejected PnL" | sed -u 's/^/pnl-ingest: /' &
pids+=($!)
tail -n +1 -F "$logs/parity-checker.log" 2>/dev/null | grep --line-buffered -E "Parity (PASS|FAIL)" \
  | sed -u -E 's/^.*(Parity (PASS|FAIL))/parity-checker: \1/' &
pids+=($!)

slack=scripts/slack
[ -z "${DEMO_ENV_FILE:-}" ] || slack="DEMO_ENV_FILE=$env_file scripts/slack"
cat <<EOF

════════════════════════════════════════════════════════════════════════════════════════════════════
 OpsBot demo: everything is up ($SECONDS s after the start). Six services on RabbitMQ and Redis, with a local Slack, exchange and PnL feed.

 Watch this terminal (the "──── Slack" blocks are what the notifier posts to the channel):
   after ~9 s   PnL loss: momentum (warning): one Slack message, the incident
   after ~15 s  it goes critical: the same message edited, a reply in its thread (a drawdown warning of momentum
                after that is held back while the critical is open: inhibition, docs/notifier.md)
   after ~21 s  momentum recovers: the message edited to ✅ resolved, a reply in its thread; every 40 s again
   after ~20 s  BTC-USD moves above its price band (the fake exchange jumps it 2 %)
   within ~75 s parity-checker: Parity PASS (market-feed raw vs sdk; one report per minute of exchange time)

 Try, in another terminal (ops-bot answers signed Slack commands; you are U0DEMO, an admin):
   $slack '/ops pnl momentum'
   $slack '/ops risk BTC-USD'
   $slack '/ops parity'
   $slack '/ops alerts'
   $slack '/ops ack pnl-loss:demo-acct:momentum'
   $slack '/ops status'
   $slack '/ops silence pnl-loss:* 10m'
   $slack '/ops help'

 RabbitMQ management: ${RABBITMQ_MANAGEMENT_URL:-} (guest/guest)
 Health: http://127.0.0.1:$demo_port … $((demo_port + 6)) /healthz /readyz /metrics (notifier, risk-evaluator, pnl-ingest, ops-bot,
         market-feed raw, parity-checker, market-feed sdk); logs in $logs
 Stop: Ctrl-C$([ -n "${DEMO_SECONDS:-}" ] && echo " (or wait: the demo stops by itself in $DEMO_SECONDS s)")
════════════════════════════════════════════════════════════════════════════════════════════════════

EOF

dotnet "$(tool OpsBot.DemoFeed)" &
pids+=($!)

if [ -n "${DEMO_SECONDS:-}" ]; then
  sleep "$DEMO_SECONDS" &
  pids+=($!)
  wait $!
else
  wait
fi
