using System.Diagnostics;
using OpsBot.RiskEvaluator;
using OpsBot.Testing;
using Xunit.Abstractions;

namespace OpsBot.Faults.Tests.Partitions;

/// <summary>
/// The production shape (docs/operations.md, "Production shape"): a 3-node RabbitMQ cluster on loopback with quorum
/// queues (<c>RABBITMQ_QUORUM_QUEUES=true</c>), <c>RABBITMQ_URL</c> naming all three nodes, risk-evaluator on its
/// partition queues. The node that leads the partition queues is stopped in the middle of a stream of PnL updates, each
/// of which must raise its own alert: none may be lost, and alerts flow again (the measured gap is reported).
/// In the same collection as the other broker tests, so it never runs beside them on a small machine.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Strategies = 90;
    private const int StopAfter = 30;

    [Fact]
    public async Task Stopping_the_node_that_leads_the_partition_queues_mid_stream_loses_no_alert()
    {
        var cluster = new DedicatedInfra(cluster: true);
        var clock = Stopwatch.StartNew();
        await cluster.InitializeAsync();
        try
        {
            output.WriteLine($"cluster up after {clock.Elapsed.TotalSeconds:F0} s: {cluster.RabbitMqUrl.Replace("guest:guest@", "")}");
            var stream = RiskStream.Create(Guid.NewGuid().ToString("N")[..8], DateTimeOffset.UtcNow);
            await using var run = await RiskReplicas.StartAsync(cluster.RabbitMqUrl, cluster.RedisUrl, replicas: 2, output, quorumQueues: true, partitions: 4);

            var leaders = await LeadersAsync(cluster);
            Assert.Equal(2 * run.Partitions, leaders.Count);
            Assert.All(leaders.Values, l => Assert.Contains(l, cluster.Nodes.Values)); // every partition queue is a quorum queue with a leader
            var leader = leaders.Values.GroupBy(l => l).OrderByDescending(g => g.Count()).First().Key;
            var leaderNumber = cluster.Nodes.Single(n => n.Value == leader).Key;
            output.WriteLine($"partition queue leaders: {string.Join(", ", leaders.Select(l => $"{l.Key}@{l.Value}"))}; stopping node {leaderNumber} ({leader})");

            // One loss per strategy, one alert each: a lost alert is a missing key.
            var published = new Dictionary<string, long>();
            Task? stopping = null;
            long stopStarted = 0, stopDone = 0;
            for (var i = 0; i < Strategies; i++)
            {
                if (i == StopAfter)
                {
                    stopStarted = Stopwatch.GetTimestamp();
                    stopping = cluster.StopNodeAsync(leaderNumber).ContinueWith(t => { stopDone = Stopwatch.GetTimestamp(); return t; }).Unwrap();
                }
                var strategy = $"failover-{i:D3}";
                await run.PublishAsync(RiskStream.Pnl(stream.Account, strategy, -1500m, DateTimeOffset.UtcNow)); // retried until confirmed
                published[$"pnl-loss:{stream.Account}:{strategy}"] = Stopwatch.GetTimestamp();
                await Task.Delay(100);
            }
            await stopping!;

            await RiskReplicas.Until(() => published.Keys.All(k => run.Alerts.Any(a => a.Alert.DedupKey == k)), TimeSpan.FromSeconds(240),
                () => $"alerts lost: {string.Join(", ", published.Keys.Where(k => run.Alerts.All(a => a.Alert.DedupKey != k)).Take(20))}\n{run.Tail()}");

            // Recovery: the longest time without a new alert of the stream, and from the stop to the first alert of a
            // strategy published after the stop began.
            var arrivals = run.Alerts.Where(a => published.ContainsKey(a.Alert.DedupKey)).Select(a => a.At).Order().ToList();
            var longestGap = arrivals.Zip(arrivals.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b)).Max();
            var firstAfter = run.Alerts.Where(a => published.TryGetValue(a.Alert.DedupKey, out var at) && at > stopStarted).Min(a => a.At);
            output.WriteLine($"node stop took {Stopwatch.GetElapsedTime(stopStarted, stopDone).TotalSeconds:F1} s; " +
                             $"first alert of a strategy published after the stop began: {Stopwatch.GetElapsedTime(stopStarted, firstAfter).TotalSeconds:F1} s after it; " +
                             $"longest gap between alerts: {longestGap.TotalSeconds:F1} s; all {published.Count} alerts after {clock.Elapsed.TotalSeconds:F0} s");
            Assert.Equal(published.Count, run.Alerts.Select(a => a.Alert.DedupKey).Where(published.ContainsKey).Distinct().Count());
            Assert.All(run.Replicas, r => Assert.False(r.HasExited, $"{r.Name} exited"));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>The leader node of every partition queue (<c>rabbitmqctl list_queues name leader</c>).</summary>
    private static async Task<Dictionary<string, string>> LeadersAsync(DedicatedInfra cluster) =>
        (await cluster.RabbitMqCtlAsync("list_queues", "name", "leader")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .Where(p => p.Length == 2 && (p[0].StartsWith(RiskPartitionTopology.PnlQueuePrefix, StringComparison.Ordinal) || p[0].StartsWith(RiskPartitionTopology.TickerQueuePrefix, StringComparison.Ordinal)))
            .ToDictionary(p => p[0], p => p[1].Trim());
}
