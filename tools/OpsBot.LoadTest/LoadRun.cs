using System.Diagnostics;
using OpsBot.FakeSlack;
using OpsBot.Testing;

namespace OpsBot.LoadTest;

/// <summary>
/// One scenario end to end: a fresh virtual host, the three services as processes (Release build),
/// a fake Slack, the observer on the bus, the publisher on Redis; then the numbers.
/// </summary>
public sealed class LoadRun(InfraFixture infra, TextWriter progress)
{
    public async Task<LoadResult> RunAsync(LoadScenario scenario)
    {
        var rabbit = await infra.CreateVirtualHostAsync("load");
        var channel = $"pnl-load-{Guid.NewGuid():N}";
        await using var slack = await FakeSlackServer.StartAsync(new FakeSlackOptions());
        var slackArrivals = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        slack.Received += r =>
        {
            var text = r.Text ?? "";
            var marker = text.LastIndexOf("correlation id: ", StringComparison.Ordinal);
            if (marker >= 0) slackArrivals.TryAdd(text[(marker + 16)..].Trim(), Stopwatch.GetTimestamp());
        };

        var env = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbit,
            ["REDIS_URL"] = infra.RedisUrl,
            ["PNL_CHANNEL"] = channel,
            ["PNL_CONFLATION"] = scenario.Conflation ? "true" : "false",
            ["PNL_BUFFER_CAPACITY"] = scenario.Conflation ? "10000" : "1000000",
            ["ALERT_PNL_THRESHOLD"] = PnlLoadPublisher.Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ALERT_DRAWDOWN_THRESHOLD"] = "0",
            ["SLACK_API_URL"] = slack.ApiUrl.ToString(),
            ["SLACK_BOT_TOKEN"] = "xoxb-load",
            ["SLACK_ALERT_CHANNEL"] = "C0LOAD",
            ["NOTIFIER_REDIS_PREFIX"] = $"load:{Guid.NewGuid():N}:",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var services = new List<ServiceProcess>
        {
            ServiceProcess.Start("notifier", "services/notifier", "OpsBot.Notifier", env),
            ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", env),
            ServiceProcess.Start("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", env),
        };
        try
        {
            await Task.WhenAll(services.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));
            await using var observer = new BusObserver { RecordEveryPnlArrival = true };
            await observer.StartAsync(rabbit);
            await Task.Delay(500);

            progress.WriteLine($"loadtest: {scenario.Name}: {scenario.Rate}/s for {scenario.Duration.TotalSeconds:F0} s over {scenario.Strategies} strategies, {scenario.LossShare:P0} losses, conflation {(scenario.Conflation ? "on" : "off")}{(scenario.BurstFactor > 1 ? $", {scenario.BurstFactor}x burst for {scenario.BurstLength.TotalSeconds:F0} s" : "")}");
            var publisher = new PnlLoadPublisher(infra.Redis, channel, scenario);
            var peaks = services.ToDictionary(s => s.Name, _ => 0L);
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    foreach (var s in services) peaks[s.Name] = Math.Max(peaks[s.Name], s.Memory().Resident);
                    try { await Task.Delay(500, sampling.Token); } catch (OperationCanceledException) { }
                }
            });
            await publisher.RunAsync(CancellationToken.None);

            // Drain: wait until every strategy's last update has arrived and, without conflation, every
            // update (a backlog is slow, not lost); at most two minutes.
            var drain = Stopwatch.StartNew();
            while (drain.Elapsed < TimeSpan.FromMinutes(2) && (publisher.LastPerStrategy.Any(kv =>
                       !observer.LastPnlPerStrategy.TryGetValue(kv.Key, out var got) || got.CorrelationId != kv.Value.CorrelationId)
                   || (!scenario.Conflation && Interlocked.Read(ref observer.PnlReceived) < publisher.Sent)))
                await Task.Delay(100);
            await Task.Delay(2000); // alerts and Slack after the last PnL
            sampling.Cancel();
            await sampler;

            var metrics = await services.Single(s => s.Name == "pnl-ingest").GetStringAsync("metrics");
            long Metric(string name) => (long)PrometheusValue(metrics, name);
            var conflated = Metric("opsbot_pnl_conflated_total");
            var dropped = Metric("opsbot_pnl_dropped_total");
            var missing = publisher.LastPerStrategy.Count(kv =>
                !observer.LastPnlPerStrategy.TryGetValue(kv.Key, out var got) || got.CorrelationId != kv.Value.CorrelationId);

            double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;
            var window = Ms(0, observer.LastPnlTicks - observer.FirstPnlTicks);
            return new LoadResult
            {
                Scenario = scenario.Name,
                Rate = scenario.Rate,
                DurationSeconds = publisher.Elapsed.TotalSeconds,
                Strategies = scenario.Strategies,
                Conflation = scenario.Conflation,
                Sent = publisher.Sent,
                SentPerSecond = publisher.Sent / publisher.Elapsed.TotalSeconds,
                PnlDelivered = observer.PnlReceived,
                DeliveredPerSecond = window > 0 ? observer.PnlReceived / (window / 1000) : 0,
                Conflated = conflated,
                Dropped = dropped,
                FinalPnlMissing = missing,
                Lost = Math.Max(0, publisher.Sent - observer.PnlReceived - conflated - dropped),
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

    private static double PrometheusValue(string text, string name) =>
        text.Split('\n')
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || l[name.Length] is ' ' or '{'))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
}
