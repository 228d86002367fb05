using System.Diagnostics;
using OpsBot.FakeSlack;
using OpsBot.PlatformMetrics;
using OpsBot.Testing;

namespace OpsBot.LoadTest;

/// <summary>
/// One scenario end to end: a fresh virtual host, the three services as processes (Release build),
/// a fake Slack, the observer on the bus, the publisher on Redis; then the numbers.
/// </summary>
public sealed class LoadRun(InfraFixture infra, TextWriter progress, string? samplesPath = null)
{
    /// <summary>The warm-up ends when no service spent more than this on JIT compilation per second of load.</summary>
    public const double SettledJitPerSecond = 0.01;
    private static readonly TimeSpan JitCheckInterval = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan MaxWarmup = TimeSpan.FromSeconds(120);

    /// <summary>The environment of notifier, risk-evaluator and pnl-ingest in a load run (also the restart profile's).</summary>
    public static Dictionary<string, string> ServiceEnvironment(string rabbit, string redisUrl, string channel, LoadScenario scenario, Uri slackApiUrl) =>
        new()
        {
            ["RABBITMQ_URL"] = rabbit,
            ["REDIS_URL"] = redisUrl,
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:", // risk state of this run only (the Redis is shared)
            ["PNL_CHANNEL"] = channel,
            ["PNL_CONFLATION"] = scenario.Conflation ? "true" : "false",
            ["PNL_BUFFER_CAPACITY"] = scenario.Conflation ? "10000" : "1000000",
            ["ALERT_PNL_THRESHOLD"] = PnlLoadPublisher.Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ALERT_DRAWDOWN_THRESHOLD"] = "0",
            ["SLACK_API_URL"] = slackApiUrl.ToString(),
            ["SLACK_BOT_TOKEN"] = "xoxb-load",
            ["SLACK_ALERT_CHANNEL"] = "C0LOAD",
            ["NOTIFIER_REDIS_PREFIX"] = $"load:{Guid.NewGuid():N}:",
            ["Logging__LogLevel__Default"] = "Warning",
        };

    public async Task<LoadResult> RunAsync(LoadScenario scenario)
    {
        var rabbit = await infra.CreateVirtualHostAsync();
        var channel = $"pnl-load-{Guid.NewGuid():N}";
        await using var slack = await FakeSlackServer.StartAsync(new FakeSlackOptions());
        var slackArrivals = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        slack.Received += r =>
        {
            var text = r.Text ?? "";
            var marker = text.LastIndexOf("correlation id: ", StringComparison.Ordinal);
            if (marker >= 0) slackArrivals.TryAdd(text[(marker + 16)..].Trim(), Stopwatch.GetTimestamp());
        };

        var env = ServiceEnvironment(rabbit, infra.RedisUrl, channel, scenario, slack.ApiUrl);
        var services = new List<ServiceProcess> { ServiceProcess.Start("notifier", "services/notifier", "OpsBot.Notifier", env) };
        for (var i = 1; i <= scenario.RiskReplicas; i++)
            services.Add(ServiceProcess.Start(i == 1 ? "risk-evaluator" : $"risk-evaluator-{i}", "services/risk-evaluator", "OpsBot.RiskEvaluator", env));
        services.Add(ServiceProcess.Start("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", env));
        try
        {
            await Task.WhenAll(services.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));
            await using var observer = new BusObserver { RecordEveryPnlArrival = true, ObservePnl = scenario.ObservePnl };
            await observer.StartAsync(rabbit);
            await Task.Delay(500);

            var ingest = services.Single(s => s.Name == "pnl-ingest");
            var consumed = new ConsumedCounter([.. services.Where(s => s.Name.StartsWith("risk-evaluator", StringComparison.Ordinal))]);
            var warmedUp = TimeSpan.Zero;
            if (scenario.WarmupLength > TimeSpan.Zero)
            {
                progress.WriteLine($"loadtest: {scenario.Name}: warming up at {scenario.Rate}/s for at least {scenario.WarmupLength.TotalSeconds:F0} s, until the services' JIT settles (not counted)");
                var clock = Stopwatch.StartNew();
                var warmup = new PnlLoadPublisher(infra.Redis, channel, scenario with { Duration = TimeSpan.FromHours(1), BurstFactor = 1 }, seed: 54321);
                var warmupBefore = await IngestCountersAsync(ingest);
                var warmupConsumed = await consumed.ReadAsync();
                var jit = await JitSecondsAsync(services);
                var chunk = scenario.WarmupLength;
                while (true)
                {
                    await warmup.RunAsync(CancellationToken.None, chunk);
                    var now = await JitSecondsAsync(services);
                    var busiest = services.Select(s => (s.Name, PerSecond: (now[s.Name] - jit[s.Name]) / chunk.TotalSeconds)).MaxBy(x => x.PerSecond);
                    if (busiest.PerSecond <= SettledJitPerSecond) break;
                    if (clock.Elapsed >= MaxWarmup)
                    {
                        progress.WriteLine($"loadtest: {scenario.Name}: JIT has not settled after {clock.Elapsed.TotalSeconds:F0} s ({busiest.Name} {busiest.PerSecond * 1000:F0} ms/s); measuring anyway");
                        break;
                    }
                    jit = now;
                    chunk = JitCheckInterval;
                }
                await DrainAsync(warmup, observer, scenario, ingest, consumed, warmupBefore, warmupConsumed);
                await Task.Delay(1000); // stragglers: alerts of the warm-up's last losses
                observer.Reset();
                warmedUp = clock.Elapsed;
                progress.WriteLine($"loadtest: {scenario.Name}: warm-up took {warmedUp.TotalSeconds:F0} s");
            }
            var before = await IngestCountersAsync(ingest);
            var consumedBefore = await consumed.ReadAsync();

            progress.WriteLine($"loadtest: {scenario.Name}: {scenario.Rate}/s for {scenario.Duration.TotalSeconds:F0} s over {scenario.Strategies} strategies, {scenario.LossShare:P0} losses, conflation {(scenario.Conflation ? "on" : "off")}{(scenario.BurstFactor > 1 ? $", {scenario.BurstFactor}x burst for {scenario.BurstLength.TotalSeconds:F0} s" : "")}{(scenario.ObservePnl ? "" : ", PnL counted at risk-evaluator only")}");
            var publisher = new PnlLoadPublisher(infra.Redis, channel, scenario);
            var peaks = services.ToDictionary(s => s.Name, _ => 0L);
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    foreach (var s in services) peaks[s.Name] = Math.Max(peaks[s.Name], s.Memory().Resident);
                    await consumed.ReadAsync();
                    try { await Task.Delay(500, sampling.Token); } catch (OperationCanceledException) { }
                }
            });
            await publisher.RunAsync(CancellationToken.None);

            var drained = await DrainAsync(publisher, observer, scenario, ingest, consumed, before, consumedBefore);
            await Task.Delay(2000); // alerts and Slack after the last PnL
            sampling.Cancel();
            await sampler;

            var after = await IngestCountersAsync(ingest);
            var conflated = after.Conflated - before.Conflated;
            var dropped = after.Dropped - before.Dropped;
            var delivered = await consumed.ReadAsync() - consumedBefore;
            int? missing = scenario.ObservePnl
                ? publisher.LastPerStrategy.Count(kv => !observer.LastPnlPerStrategy.TryGetValue(kv.Key, out var got) || got.CorrelationId != kv.Value.CorrelationId)
                : null;

            double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
            if (samplesPath is not null)
                WriteSamples(samplesPath, scenario, publisher.SentTicks(observer.PnlArrivalTicks).Select(p => ("pnl", p.Sent, p.Arrived))
                    .Concat(observer.AlertArrivalTicks.Where(a => publisher.LossSentTicks.ContainsKey(a.Key)).Select(a => ("alert", publisher.LossSentTicks[a.Key], a.Value))), Ms);
            return new LoadResult
            {
                Scenario = scenario.Name,
                WarmupSeconds = Math.Round(warmedUp.TotalSeconds, 1),
                Rate = scenario.Rate,
                DurationSeconds = publisher.Elapsed.TotalSeconds,
                Strategies = scenario.Strategies,
                Conflation = scenario.Conflation,
                ObservedEveryPnl = scenario.ObservePnl,
                Sent = publisher.Sent,
                SentPerSecond = publisher.Sent / publisher.Elapsed.TotalSeconds,
                PnlDelivered = delivered,
                DeliveredPerSecond = consumed.SustainedRate(consumedBefore, drained),
                Conflated = conflated,
                Dropped = dropped,
                FinalPnlMissing = missing,
                Lost = Math.Max(0, publisher.Sent - delivered - conflated - dropped),
                PnlLatencyMs = Percentiles.Of(publisher.SentTicks(observer.PnlArrivalTicks).Select(p => Ms(p.Sent, p.Arrived))),
                LossesSent = publisher.LossesSent,
                AlertsReceived = observer.AlertsReceived,
                AlertLatencyMs = Percentiles.Of(observer.AlertArrivalTicks.Where(a => publisher.LossSentTicks.ContainsKey(a.Key)).Select(a => Ms(publisher.LossSentTicks[a.Key], a.Value))),
                SlackLatencyMs = Percentiles.Of(slackArrivals.Where(a => publisher.LossSentTicks.ContainsKey(a.Key)).Select(a => Ms(publisher.LossSentTicks[a.Key], a.Value))),
                PeakResidentMb = peaks.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value / 1048576.0, 1)),
            };
        }
        finally
        {
            foreach (var s in services) await s.DisposeAsync();
        }
    }

    /// <summary>
    /// Waits until risk-evaluator has consumed everything that was neither conflated nor dropped (a
    /// backlog is slow, not lost) and, when the observer watches PnL, every strategy's last update has
    /// arrived; at most two minutes. Returns when the last update was consumed (Stopwatch ticks).
    /// </summary>
    private static async Task<long> DrainAsync(PnlLoadPublisher publisher, BusObserver observer, LoadScenario scenario,
        ServiceProcess ingest, ConsumedCounter consumed, (long Conflated, long Dropped) before, long consumedBefore)
    {
        var drain = Stopwatch.StartNew();
        while (drain.Elapsed < TimeSpan.FromMinutes(2))
        {
            var counters = await IngestCountersAsync(ingest);
            var expected = publisher.Sent - (counters.Conflated - before.Conflated) - (counters.Dropped - before.Dropped);
            var allConsumed = await consumed.ReadAsync() - consumedBefore >= expected;
            var lastArrived = !scenario.ObservePnl || publisher.LastPerStrategy.All(kv =>
                observer.LastPnlPerStrategy.TryGetValue(kv.Key, out var got) && got.CorrelationId == kv.Value.CorrelationId);
            if (allConsumed && lastArrived) break;
            await Task.Delay(100);
        }
        return consumed.LastChangeTicks;
    }

    /// <summary>
    /// One CSV line per delivered update (kind <c>pnl</c>: Redis → PnlUpdated) and per loss alert (kind <c>alert</c>:
    /// Redis → AlertRaised): when it was sent (ms after the first) and its latency, to see when the slow ones happen.
    /// </summary>
    private void WriteSamples(string path, LoadScenario scenario, IEnumerable<(string Kind, long Sent, long Arrived)> samples, Func<long, long, double> ms)
    {
        var ordered = samples.OrderBy(s => s.Sent).ToList();
        if (ordered.Count == 0) return;
        var file = Path.GetFullPath(path.Replace("{scenario}", string.Concat(scenario.Name.Where(char.IsLetterOrDigit)), StringComparison.Ordinal));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        using var writer = new StreamWriter(file);
        writer.WriteLine("kind,sent_ms,latency_ms");
        var origin = ordered[0].Sent;
        foreach (var (kind, sent, arrived) in ordered)
            writer.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{kind},{ms(origin, sent):F1},{ms(sent, arrived):F1}"));
        progress.WriteLine($"loadtest: {ordered.Count} latency samples written to {file}");
    }

    /// <summary>Seconds each service has spent compiling (the runtime's <c>dotnet_jit_compilation_time_seconds_total</c>).</summary>
    private static async Task<Dictionary<string, double>> JitSecondsAsync(IReadOnlyList<ServiceProcess> services)
    {
        var seconds = new Dictionary<string, double>();
        foreach (var s in services) seconds[s.Name] = PrometheusValue(await s.GetStringAsync("metrics"), "dotnet_jit_compilation_time_seconds_total");
        return seconds;
    }

    private static async Task<(long Conflated, long Dropped)> IngestCountersAsync(ServiceProcess ingest)
    {
        var metrics = await ingest.GetStringAsync("metrics");
        return ((long)PrometheusValue(metrics, "opsbot_pnl_conflated_total"), (long)PrometheusValue(metrics, "opsbot_pnl_dropped_total"));
    }

    /// <summary>The sum of the samples named <paramref name="name"/> in a /metrics body (the parser keeps only those), optionally only those with one label value.</summary>
    internal static double PrometheusValue(string text, string name, (string Label, string Value)? only = null) =>
        new PrometheusTextParser([name]).Parse(text).SamplesNamed(name)
            .Where(s => only is not { } o || s.Label(o.Label) == o.Value)
            .Sum(s => s.Value);

    /// <summary>
    /// risk-evaluator's own count of consumed PnL updates (MassTransit's <c>messaging_masstransit_consume</c>
    /// counter for <c>PnlUpdated</c> on its /metrics, summed over its replicas): the throughput into risk-evaluator,
    /// counted where it happens.
    /// </summary>
    private sealed class ConsumedCounter(IReadOnlyList<ServiceProcess> risk)
    {
        private readonly object _gate = new();
        private readonly List<(long Ticks, long Count)> _reads = [];
        private long _lastChangeTicks;

        /// <summary>When the count last changed (Stopwatch ticks).</summary>
        public long LastChangeTicks { get { lock (_gate) return _lastChangeTicks; } }

        public async Task<long> ReadAsync()
        {
            long count = 0;
            foreach (var replica in risk)
                count += (long)PrometheusValue(await replica.GetStringAsync("metrics"), "messaging_masstransit_consume_ea_total",
                    ("messaging_masstransit_message_type", "PnlUpdated"));
            var now = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                if (_reads.Count == 0 || _reads[^1].Count != count) _lastChangeTicks = now;
                _reads.Add((now, count));
            }
            return count;
        }

        /// <summary>Updates consumed per second, from the last read still at <paramref name="baseline"/> to the last read at or before <paramref name="endTicks"/>.</summary>
        public double SustainedRate(long baseline, long endTicks)
        {
            (long Ticks, long Count) start, end;
            lock (_gate)
            {
                start = _reads.LastOrDefault(r => r.Count == baseline);
                end = _reads.LastOrDefault(r => r.Ticks <= endTicks);
            }
            if (start.Ticks == 0 || end.Ticks <= start.Ticks) return 0;
            return (end.Count - baseline) / ((end.Ticks - start.Ticks) / (double)Stopwatch.Frequency);
        }
    }
}
