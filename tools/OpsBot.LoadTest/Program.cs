using OpsBot.LoadTest;
using OpsBot.Testing;

// scripts/loadtest: see --help.
if (args.Contains("--help"))
{
    Console.WriteLine("""
        usage: scripts/loadtest [--suite [--scale S]] | [--rate N] [--duration SECONDS] [--strategies N] [--loss-share F]
                                [--no-conflation] [--burst-factor F --burst-seconds S] [--warmup S] [--no-pnl-observer] [--json PATH] [--samples PATH] [--ceiling-seconds S]
                                [--risk-replicas N]
          --suite   the four goal scenarios of docs/performance.md (10k/s ingest, conflation off, latency at 1k/s, 10x burst)
          --scale   multiplies the suite's rates (and shortens the 10k/s run), e.g. 0.2 for a quick look
          --risk-replicas  risk-evaluator processes sharing the partition queues (default 1; consumed = their sum)
          --samples CSV of every update's send time and Redis → PnlUpdated latency ({scenario} in PATH: one file each)
          --no-pnl-observer  no harness queue on the PnlUpdated exchange (throughput as in production; no PnL latencies)
          --warmup  at least this many seconds of load at the base rate before measuring, and on until the services'
                    JIT settles (under 10 ms/s each, at most 120 s); left out of every number (default 20; 0: none)
        usage: scripts/loadtest --restart-profile [--jit] [--rate N] [--duration SECONDS (default 90)] [--goal-ms MS (default 50)] [--json PATH]
          each service started alone: seconds to /readyz; then notifier, risk-evaluator and pnl-ingest started together and
          loaded at once (no warm-up): per second the p99 Redis → AlertRaised and the seconds from process start to the
          first one-second window under the goal (docs/performance.md, "Restart to steady state"); JSON to artifacts/restart-profile.json
          --jit     (scripts/loadtest) run the services from their build output (JIT) instead of the ReadyToRun publish
        Starts Redis and RabbitMQ (scripts/infra.sh) unless REDIS_URL, RABBITMQ_URL and OPSBOT_INFRA_DIR are set,
        runs pnl-ingest, risk-evaluator and notifier as processes, and prints a table; JSON goes to --json (default artifacts/loadtest.json).
        The services run from OPSBOT_SERVICES_DIR (scripts/loadtest publishes them ReadyToRun and sets it) or, unset, their build output.
        """);
    return 0;
}

if (args.Contains("--restart-profile")) return await RestartProfileCommand.RunAsync(args);

List<LoadScenario> scenarios;
try
{
    var scale = args.Contains("--scale") ? double.Parse(args[Array.IndexOf(args, "--scale") + 1], System.Globalization.CultureInfo.InvariantCulture) : 1;
    var replicas = LoadScenario.ReplicasOf(args);
    scenarios = args.Contains("--suite")
        ? [.. LoadScenario.Suite(scale).Select(s => replicas == 1 ? s : s with { Name = $"{s.Name}, {replicas} risk-evaluators", RiskReplicas = replicas })]
        : [LoadScenario.Parse(args)];
}
catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
{
    Console.Error.WriteLine($"loadtest: {e.Message}");
    return 2;
}
var jsonPath = args.Contains("--json") ? args[Array.IndexOf(args, "--json") + 1] : Path.Combine(RepoPaths.Root, "artifacts", "loadtest.json");
var samplesPath = args.Contains("--samples") ? args[Array.IndexOf(args, "--samples") + 1] : null;
var ceilingSeconds = args.Contains("--ceiling-seconds") ? int.Parse(args[Array.IndexOf(args, "--ceiling-seconds") + 1], System.Globalization.CultureInfo.InvariantCulture) : 10;

var infra = new InfraFixture();
await infra.InitializeAsync();
try
{
    Console.WriteLine($"loadtest: services from {(RepoPaths.PublishedServicesDir is { } published ? $"{published} (ReadyToRun)" : "their build output (JIT)")}");
    Console.WriteLine("loadtest: measuring the raw RabbitMQ.Client ceiling");
    var ceiling = await RawRabbitCeiling.MeasureAsync(await infra.CreateVirtualHostAsync(), 600, TimeSpan.FromSeconds(ceilingSeconds));
    var results = new List<LoadResult>();
    foreach (var scenario in scenarios) results.Add(await new LoadRun(infra, Console.Out, samplesPath).RunAsync(scenario));
    LoadReport.PrintTable(Console.Out, results, ceiling);
    LoadReport.WriteJson(jsonPath, results, ceiling);
    Console.WriteLine($"\nloadtest: JSON written to {jsonPath}");
    return results.All(r => r.FinalPnlMissing is null or 0 && r.Lost == 0) ? 0 : 1;
}
finally
{
    await infra.DisposeAsync();
}
