using System.Diagnostics;
using System.Globalization;
using System.Net;
using OpsBot.FakeExchange;
using OpsBot.FakeSlack;
using OpsBot.Testing;

namespace OpsBot.LoadTest;

/// <summary>
/// <c>--restart-profile</c> end to end, with whatever binaries <see cref="RepoPaths.ServiceDll"/> picks (the build
/// output, or ReadyToRun from OPSBOT_SERVICES_DIR):
/// 1. each of the six services started alone: seconds from process start to <c>/readyz</c> 200, and the JIT it did by then;
/// 2. notifier, risk-evaluator and pnl-ingest started together, and as soon as all are ready PnL at the scenario's
///    rate with no warm-up: per second (by send time, from process start) the p99 Redis → AlertRaised and
///    Redis → PnlUpdated, and the JIT each service did in that second.
/// </summary>
public sealed class RestartRun(InfraFixture infra, TextWriter progress)
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);

    public async Task<RestartProfileResult> RunAsync(LoadScenario scenario, double goalMs)
    {
        var variant = RepoPaths.PublishedServicesDir is { } dir ? $"ReadyToRun ({dir})" : "JIT (build output)";
        var loadBefore = LoadAverage();
        progress.WriteLine($"loadtest: restart profile, services: {variant}; load average {loadBefore}");
        await using var slack = await FakeSlackServer.StartAsync(new FakeSlackOptions());
        var alone = await EachAloneAsync(slack.ApiUrl);
        var pipeline = await PipelineAsync(scenario, goalMs, slack.ApiUrl);
        return new RestartProfileResult
        {
            Variant = variant,
            LoadAverageBefore = loadBefore,
            LoadAverageAfter = LoadAverage(),
            GoalMs = goalMs,
            Alone = alone,
            Pipeline = pipeline,
        };
    }

    private async Task<IReadOnlyList<ServiceStart>> EachAloneAsync(Uri slackApiUrl)
    {
        var rabbit = await infra.CreateVirtualHostAsync();
        await using var exchange = await FakeExchangeServer.StartAsync(new FakeExchangeOptions { HoldPlayback = true });
        var common = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbit,
            ["REDIS_URL"] = infra.RedisUrl,
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:", // risk state of this run only (the Redis is shared)
            ["Logging__LogLevel__Default"] = "Warning",
        };
        Dictionary<string, string> With(params (string Key, string Value)[] extra)
        {
            var env = new Dictionary<string, string>(common);
            foreach (var (k, v) in extra) env[k] = v;
            return env;
        }
        var services = new (string Name, string Folder, string Assembly, Dictionary<string, string> Env)[]
        {
            ("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", With(("PNL_CHANNEL", $"pnl-restart-{Guid.NewGuid():N}"))),
            ("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", With()),
            ("notifier", "services/notifier", "OpsBot.Notifier", With(("SLACK_API_URL", slackApiUrl.ToString()), ("SLACK_BOT_TOKEN", "xoxb-restart"),
                ("SLACK_ALERT_CHANNEL", "C0RESTART"), ("NOTIFIER_REDIS_PREFIX", $"restart:{Guid.NewGuid():N}:"))),
            ("ops-bot", "services/ops-bot", "OpsBot.Bot", With(("SLACK_API_URL", slackApiUrl.ToString()), ("SLACK_BOT_TOKEN", "xoxb-restart"),
                ("SLACK_SIGNING_SECRET", "restart-profile-signing-secret"))),
            ("market-feed", "services/market-feed", "OpsBot.MarketFeed", With(("EXCHANGE_WS_URL", exchange.SessionUrl("restart").ToString()),
                ("FEED_HEARTBEAT_TIMEOUT_SECONDS", "120"))),
            ("parity-checker", "services/parity-checker", "OpsBot.ParityChecker", With()),
        };
        var starts = new List<ServiceStart>();
        foreach (var (name, folder, assembly, env) in services)
        {
            var clock = Stopwatch.StartNew();
            await using var service = ServiceProcess.Start(name, folder, assembly, env);
            var ready = await WaitReadyAsync(service, clock);
            var (jitSeconds, jitMethods) = await JitOrNaNAsync(service);
            starts.Add(new ServiceStart(name, Math.Round(ready, 2), Math.Round(jitSeconds, 2), jitMethods));
            progress.WriteLine($"loadtest: {name} alone: /readyz after {ready:F2} s, {jitSeconds:F2} s of JIT ({jitMethods:N0} methods) by then");
        }
        return starts;
    }

    private async Task<PipelineProfile> PipelineAsync(LoadScenario scenario, double goalMs, Uri slackApiUrl)
    {
        var rabbit = await infra.CreateVirtualHostAsync();
        var channel = $"pnl-restart-{Guid.NewGuid():N}";
        var env = LoadRun.ServiceEnvironment(rabbit, infra.RedisUrl, channel, scenario, slackApiUrl);
        var clock = Stopwatch.StartNew();
        var origin = Stopwatch.GetTimestamp();
        var services = new List<ServiceProcess>
        {
            ServiceProcess.Start("notifier", "services/notifier", "OpsBot.Notifier", env),
            ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", env),
            ServiceProcess.Start("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", env),
        };
        try
        {
            var ready = await Task.WhenAll(services.Select(s => WaitReadyAsync(s, clock)));
            await using var observer = new BusObserver { RecordEveryPnlArrival = true, ObservePnl = true };
            await observer.StartAsync(rabbit);
            var loadFrom = clock.Elapsed.TotalSeconds;
            progress.WriteLine($"loadtest: pipeline ready after {string.Join(", ", services.Zip(ready, (s, r) => $"{s.Name} {r:F2} s"))}; " +
                $"{scenario.Rate}/s from {loadFrom:F2} s for {scenario.Duration.TotalSeconds:F0} s, no warm-up");

            var jit = new List<(double Seconds, double[] Jit)>();
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    var at = clock.Elapsed.TotalSeconds;
                    var values = new double[services.Count];
                    try
                    {
                        for (var i = 0; i < services.Count; i++) values[i] = (await JitAsync(services[i])).Seconds;
                        lock (jit) jit.Add((at, values));
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        // A /metrics that did not answer in time (a busy machine): that second has no JIT figure.
                    }
                    try { await Task.Delay(1000, sampling.Token); } catch (OperationCanceledException) { }
                }
            });

            var publisher = new PnlLoadPublisher(infra.Redis, channel, scenario);
            await publisher.RunAsync(CancellationToken.None);
            await WaitForStragglersAsync(observer);
            sampling.Cancel();
            await sampler;

            double Seconds(long ticks) => (ticks - origin) / (double)Stopwatch.Frequency;
            double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
            var alerts = LatencyWindows.PerSecond(observer.AlertArrivalTicks.Where(a => publisher.LossSentTicks.ContainsKey(a.Key))
                .Select(a => (Seconds(publisher.LossSentTicks[a.Key]), Ms(publisher.LossSentTicks[a.Key], a.Value))));
            var pnl = LatencyWindows.PerSecond(publisher.SentTicks(observer.PnlArrivalTicks).Select(p => (Seconds(p.Sent), Ms(p.Sent, p.Arrived))));
            var jitPerSecond = JitPerSecond(jit, services.Count);
            var first = LatencyWindows.FirstUnder(alerts, goalMs, minSamples: 1);
            var steady = LatencyWindows.FirstUnder(alerts, goalMs, minSamples: 1, consecutive: RestartProfile.SteadyRun);

            progress.WriteLine($"loadtest: per second since the processes started (by send time): p99 Redis → AlertRaised (alerts), p99 Redis → PnlUpdated (updates), JIT ms per s around it ({string.Join(" / ", services.Select(s => s.Name))})");
            var pnlBySecond = pnl.ToDictionary(w => w.Second);
            foreach (var w in alerts)
            {
                var p = pnlBySecond.GetValueOrDefault(w.Second);
                var j = jitPerSecond.GetValueOrDefault(w.Second);
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {w.Second,4}–{w.Second + 1,-4} s  alerts {w.P99Ms,8:F1} ms ({w.Count,3})  PnlUpdated {p?.P99Ms ?? double.NaN,8:F1} ms ({p?.Count ?? 0,5})  JIT {(j is null ? "n/a" : string.Join(" / ", j.Select(v => (v * 1000).ToString("F0", CultureInfo.InvariantCulture))))}{(w.Under(goalMs, 1) ? "" : "  *")}"));
            }
            return new PipelineProfile
            {
                ReadySeconds = services.Zip(ready, (s, r) => (s.Name, Math.Round(r, 2))).ToDictionary(x => x.Name, x => x.Item2),
                LoadFromSeconds = Math.Round(loadFrom, 2),
                Sent = publisher.Sent,
                LossesSent = publisher.LossesSent,
                AlertsReceived = observer.AlertsReceived,
                FirstUnderGoalSeconds = first is null ? null : first.Second + 1,
                SteadyUnderGoalSeconds = steady is null ? null : steady.Second + 1,
                AlertWindows = alerts,
                PnlWindows = pnl,
            };
        }
        finally
        {
            foreach (var s in services) await s.DisposeAsync();
        }
    }

    /// <summary>Until no alert arrived for 3 s (at most 30 s): a slow alert is counted, not left out.</summary>
    private static async Task WaitForStragglersAsync(BusObserver observer)
    {
        var deadline = Stopwatch.StartNew();
        var last = -1L;
        var quietSince = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30) && quietSince.Elapsed < TimeSpan.FromSeconds(3))
        {
            var now = Interlocked.Read(ref observer.AlertsReceived);
            if (now != last) { last = now; quietSince.Restart(); }
            await Task.Delay(200);
        }
    }

    /// <summary>JIT seconds per second of wall time per service between consecutive samples (about 1 s apart),
    /// keyed by the second the earlier sample fell in.</summary>
    private static Dictionary<int, double[]> JitPerSecond(List<(double Seconds, double[] Jit)> samples, int services)
    {
        var result = new Dictionary<int, double[]>();
        for (var i = 1; i < samples.Count; i++)
        {
            var span = samples[i].Seconds - samples[i - 1].Seconds;
            result[(int)Math.Floor(samples[i - 1].Seconds)] = Enumerable.Range(0, services).Select(s => (samples[i].Jit[s] - samples[i - 1].Jit[s]) / span).ToArray();
        }
        return result;
    }

    /// <summary>Polls <c>/readyz</c> every 50 ms; the seconds on <paramref name="clock"/> when it first answered 200.</summary>
    private static async Task<double> WaitReadyAsync(ServiceProcess service, Stopwatch clock)
    {
        while (clock.Elapsed < ReadyTimeout)
        {
            if (service.HasExited) throw new InvalidOperationException($"{service.Name} exited with {service.ExitCode}:\n{string.Join('\n', service.Output.TakeLast(30))}");
            if (await service.StatusAsync("readyz") == HttpStatusCode.OK) return clock.Elapsed.TotalSeconds;
            await Task.Delay(50);
        }
        throw new TimeoutException($"{service.Name} not ready within {ReadyTimeout.TotalSeconds:F0} s:\n{string.Join('\n', service.Output.TakeLast(30))}");
    }

    /// <summary>The runtime's JIT counters on the service's /metrics: seconds spent compiling, methods compiled.</summary>
    private static async Task<(double Seconds, long Methods)> JitAsync(ServiceProcess service)
    {
        var metrics = await service.GetStringAsync("metrics");
        return (LoadRun.PrometheusValue(metrics, "dotnet_jit_compilation_time_seconds_total"), (long)LoadRun.PrometheusValue(metrics, "dotnet_jit_compiled_methods_total"));
    }

    private static async Task<(double Seconds, long Methods)> JitOrNaNAsync(ServiceProcess service)
    {
        try { return await JitAsync(service); }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return (double.NaN, 0); }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}

/// <summary>One service started alone: seconds to /readyz, and the JIT it had done by then.</summary>
public sealed record ServiceStart(string Service, double ReadySeconds, double JitSeconds, long JitMethods);

/// <summary>The pipeline started together and loaded at once.</summary>
public sealed record PipelineProfile
{
    public required Dictionary<string, double> ReadySeconds { get; init; }
    public required double LoadFromSeconds { get; init; }
    public required long Sent { get; init; }
    public required long LossesSent { get; init; }
    public required long AlertsReceived { get; init; }
    /// <summary>End of the first one-second window (seconds after process start) whose alert p99 met the goal.</summary>
    public required int? FirstUnderGoalSeconds { get; init; }
    /// <summary>End of the first of <see cref="RestartProfile.SteadyRun"/> windows in a row that met it.</summary>
    public required int? SteadyUnderGoalSeconds { get; init; }
    public required IReadOnlyList<LatencyWindow> AlertWindows { get; init; }
    public required IReadOnlyList<LatencyWindow> PnlWindows { get; init; }
}

/// <summary>What one <c>--restart-profile</c> run measured.</summary>
public sealed record RestartProfileResult
{
    public required string Variant { get; init; }
    public required string LoadAverageBefore { get; init; }
    public required string LoadAverageAfter { get; init; }
    public required double GoalMs { get; init; }
    public required IReadOnlyList<ServiceStart> Alone { get; init; }
    public required PipelineProfile Pipeline { get; init; }
}
