#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with the .NET SDK:
#   - installs redis-server, rabbitmq-server, docker-compose, python3-pika and python3-jsonschema from
#     Debian packages when missing,
#   - starts Redis and RabbitMQ on loopback in a temporary directory,
#   - builds the solution (warnings are errors) and runs every test project against them with
#     USE_OFFICIAL_SDK=false (raw WebSocket client), then again with =true (library client) only the
#     tests that read that switch from the environment (trait Matrix=USE_OFFICIAL_SDK in the market-feed
#     project: the operations guide's CI matrix of the two clients; the tests that run both clients side
#     by side, parity included, run once),
#   - runs scripts/run_parity (artifacts/parity_summary.txt must end in PASS),
#   - stops the servers and prints one summary line "N passed, N failed".
# Options (environment): CONFIGURATION=Release|Debug (default Release), TEST_FILTER=<dotnet test --filter>,
#   TEST_MATRIX="false true" (the USE_OFFICIAL_SDK values; the first runs every project, the others only
#   the tests with trait Matrix=USE_OFFICIAL_SDK in MATRIX_PROJECTS), MATRIX_PROJECTS (default:
#   tests/OpsBot.MarketFeed.Tests).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
configuration=${CONFIGURATION:-Release}
started=$SECONDS

# docker-compose validates docker-compose.yml; Debian's python3 with pika and jsonschema is the
# consumer outside .NET in the contract tests.
missing=()
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
/usr/bin/python3 -c "import pika, jsonschema" >/dev/null 2>&1 || missing+=(python3 python3-pika python3-jsonschema)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: installing ${missing[*]} from Debian packages" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi

eval "$(scripts/infra.sh start)"
cleanup() { scripts/infra.sh stop "$OPSBOT_INFRA_DIR" || true; }
trap cleanup EXIT

echo "test: building ($configuration)" >&2
dotnet build OpsBot.sln -c "$configuration" -nologo -clp:ErrorsOnly

results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
status=0
first=1
for sdk in ${TEST_MATRIX:-false true}; do
  filter=()
  if [ "$first" = 1 ]; then
    targets=(OpsBot.sln); first=0
    [ -n "${TEST_FILTER:-}" ] && filter=(--filter "$TEST_FILTER")
    echo "test: every test project with USE_OFFICIAL_SDK=$sdk" >&2
  else
    read -r -a targets <<<"${MATRIX_PROJECTS:-tests/OpsBot.MarketFeed.Tests}"
    matrix="Matrix=USE_OFFICIAL_SDK"
    [ -n "${TEST_FILTER:-}" ] && matrix="($TEST_FILTER)&$matrix"
    filter=(--filter "$matrix")
    echo "test: the tests of ${targets[*]} that read USE_OFFICIAL_SDK, again with USE_OFFICIAL_SDK=$sdk" >&2
  fi
  for target in "${targets[@]}"; do
    # -m:1: one test assembly at a time. Many tests start service processes; two assemblies at once on a
    # 2-core machine starved them and made timing-based waits flaky in CI.
    USE_OFFICIAL_SDK=$sdk dotnet test "$target" -c "$configuration" --no-build -nologo -m:1 "${filter[@]}" \
      --logger "console;verbosity=minimal" --logger "trx" --results-directory "$results/sdk-$sdk" || status=$?
  done
done

echo "test: market-feed parity (scripts/run_parity)" >&2
if CONFIGURATION="$configuration" PARITY_NO_BUILD=1 scripts/run_parity; then
  echo "test: parity $(tail -n 1 artifacts/parity_summary.txt)" >&2
else
  echo "test: parity FAILED; see artifacts/parity_summary.txt" >&2
  status=1
fi

passed=0; failed=0; skipped=0
for trx in "$results"/*/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$((passed + ${p:-0}))
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${f:-0}))
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters"); skipped=$((skipped + ${n:-0}))
done
# Distinct tests: a test run under both USE_OFFICIAL_SDK values counts once here, twice in the line below.
distinct=$(cat "$results"/*/*.trx 2>/dev/null | grep -o '<UnitTestResult [^>]*testName="[^"]*"' | sed 's/.*testName="//' | sort -u | wc -l)
echo "test: $distinct distinct tests; finished in $((SECONDS - started)) s" >&2
echo "$passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then echo "test: no test ran" >&2; exit 1; fi
exit "$status"
