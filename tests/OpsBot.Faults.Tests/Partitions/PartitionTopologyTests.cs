using System.Diagnostics;
using OpsBot.Contracts;
using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;
using RabbitMQ.Client;
using Xunit.Abstractions;

namespace OpsBot.Faults.Tests.Partitions;

/// <summary>
/// Same stream, different topologies (issue 12): one recorded stream (<see cref="RiskStream"/>: 200 strategies, 20
/// symbols, every rule breached, PnL as v1 and as v2, a few updates from a publisher that sets no partition key) gives
/// the identical set of alerts, by dedup key and severity, with 1 replica, with 3 replicas, and with 3 replicas of which
/// the busiest is killed (SIGKILL) in the middle of the stream. Real risk-evaluator processes on the real broker.
/// <para>
/// On the unpartitioned version the 3-replica runs differ from the 1-replica run: the replicas competed on one queue,
/// each saw part of each strategy's PnL and part of each symbol's ticks, and drawdowns and band breaches went unseen.
/// The killed-replica run also needs the durable risk state (issue 12, item 1): the replica that takes the partitions
/// over must know the peaks and volatility models the killed one had built.
/// </para>
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class PartitionTopologyTests(InfraFixture infra, ITestOutputHelper output)
{
    private static readonly SemaphoreSlim BaselineGate = new(1, 1);
    private static SortedSet<string>? _baseline;

    [Fact]
    public async Task One_replica_and_three_replicas_raise_the_same_alerts_from_the_same_stream()
    {
        var one = await BaselineAsync();
        var three = await RunAsync(replicas: 3, killBusiestMidStream: false);
        AssertSameAlerts(one, three, "3 replicas");
    }

    [Fact]
    public async Task Three_replicas_of_which_the_busiest_is_killed_mid_stream_raise_the_same_alerts_as_one()
    {
        var one = await BaselineAsync();
        var killed = await RunAsync(replicas: 3, killBusiestMidStream: true);
        AssertSameAlerts(one, killed, "3 replicas, the busiest killed mid-stream");
    }

    /// <summary>
    /// After an upgrade from the unpartitioned version, its queues no longer fill: the new service unbinds
    /// <c>risk-evaluator-pnl</c> from the PnL exchange (it keeps its old message for an old replica to drain) and deletes
    /// the empty, unused <c>risk-evaluator-ticker</c>. On the old topology both kept receiving every message.
    /// </summary>
    [Fact]
    public async Task Queues_of_the_unpartitioned_version_stop_filling_after_the_upgrade()
    {
        var url = await infra.CreateVirtualHostAsync();
        var broker = RabbitMqAddress.Parse(url);
        await using (var connection = await broker.ConnectAsync("legacy-topology"))
        await using (var channel = await connection.CreateChannelAsync())
        {
            foreach (var (queue, source) in new[] { (RiskPartitionTopology.LegacyPnlQueue, RiskPartitionTopology.PnlSourceExchange), (RiskPartitionTopology.LegacyTickerQueue, RiskPartitionTopology.TickerSourceExchange) })
            {
                // What MassTransit declared for the unpartitioned consumers.
                await channel.ExchangeDeclareAsync(source, ExchangeType.Fanout, durable: true);
                await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true);
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
                await channel.QueueBindAsync(queue, queue, "");
                await channel.ExchangeBindAsync(queue, source, "");
            }
            await channel.BasicPublishAsync(RiskPartitionTopology.LegacyPnlQueue, "", System.Text.Encoding.UTF8.GetBytes("{}"));
        }

        var stream = RiskStream.Create(Guid.NewGuid().ToString("N")[..8], DateTimeOffset.UtcNow);
        await using var run = await RiskReplicas.StartAsync(url, infra.RedisUrl, replicas: 1, output, partitions: 2);
        // The clean-up runs when the first partition endpoint is ready: wait for its outcome, the deleted ticker queue.
        await RiskReplicas.Until(async () => !(await QueuesAsync(broker.VirtualHost)).ContainsKey(RiskPartitionTopology.LegacyTickerQueue),
            TimeSpan.FromSeconds(60), () => $"{RiskPartitionTopology.LegacyTickerQueue} was not deleted:\n{run.Tail()}");

        await run.PublishAsync(RiskStream.Pnl(stream.Account, "after-upgrade", -1500m, stream.Start));
        await run.PublishAsync(RiskStream.Tick($"{stream.Run}-S00", 100m, 1, DateTimeOffset.UtcNow));
        await run.CompleteAsync(stream, QueueListAsync, broker.VirtualHost); // positive: both reached their partitions and were handled

        Assert.Contains(run.Alerts, a => a.Alert.DedupKey == $"pnl-loss:{stream.Account}:after-upgrade" && a.Alert.Severity == AlertSeverity.Warning);
        var queues = await QueuesAsync(broker.VirtualHost);
        Assert.Equal("1", queues[RiskPartitionTopology.LegacyPnlQueue]); // its old message, nothing new
        Assert.False(queues.ContainsKey(RiskPartitionTopology.LegacyTickerQueue));
        Assert.Contains(run.Replicas[0].Output, l => l.Contains($"Queue {RiskPartitionTopology.LegacyPnlQueue} (left by an unpartitioned risk-evaluator) is unbound", StringComparison.Ordinal));
    }

    private async Task<SortedSet<string>> BaselineAsync()
    {
        await BaselineGate.WaitAsync();
        try
        {
            return _baseline ??= await RunAsync(replicas: 1, killBusiestMidStream: false);
        }
        finally
        {
            BaselineGate.Release();
        }
    }

    private async Task<SortedSet<string>> RunAsync(int replicas, bool killBusiestMidStream)
    {
        var started = Stopwatch.StartNew();
        var url = await infra.CreateVirtualHostAsync();
        var vhost = RabbitMqAddress.Parse(url).VirtualHost;
        var stream = RiskStream.Create(Guid.NewGuid().ToString("N")[..8], DateTimeOffset.UtcNow);
        await using var run = await RiskReplicas.StartAsync(url, infra.RedisUrl, replicas, output);
        var ready = started.Elapsed;

        await run.PublishRoundsAsync(stream, 0, 10);
        foreach (var update in stream.Unkeyed) await run.PublishUnkeyedAsync(update); // in order, one at a time
        await run.PublishRoundsAsync(stream, 10, RiskStream.TicksPerSymbol / 2);
        if (killBusiestMidStream)
        {
            await RiskReplicas.Until(async () => (await Task.WhenAll(run.Replicas.Select(RiskReplicas.ConsumedAsync))).Sum() > 0,
                TimeSpan.FromSeconds(60), () => "no replica consumed anything");
            var consumed = await Task.WhenAll(run.Replicas.Select(RiskReplicas.ConsumedAsync));
            var busiest = run.Replicas[Array.IndexOf(consumed, consumed.Max())];
            run.Log($"consumed per replica before the kill: {string.Join(", ", run.Replicas.Zip(consumed, (r, c) => $"{r.Name}={c}"))}; killing {busiest.Name}");
            await busiest.KillAsync();
        }
        await run.PublishRoundsAsync(stream, RiskStream.TicksPerSymbol / 2, RiskStream.TicksPerSymbol);
        await run.CompleteAsync(stream, QueueListAsync, vhost);

        var consumedTotal = 0.0;
        foreach (var replica in run.Replicas.Where(r => !r.HasExited)) consumedTotal += await RiskReplicas.ConsumedAsync(replica);
        if (!killBusiestMidStream)
        {
            // Each update reached exactly one partition once: v2 updates through v2 → v1, never through both exchanges.
            Assert.Equal(stream.ConsumedPerRun(run.Partitions), consumedTotal);
        }
        var alerts = run.StreamAlerts(stream);
        run.Log($"{replicas} replica(s){(killBusiestMidStream ? ", busiest killed" : "")}: {stream.MessageCount} messages, {alerts.Count} distinct alerts, " +
                $"ready after {ready.TotalSeconds:F1} s, complete after {started.Elapsed.TotalSeconds:F1} s");
        var warnings = run.Warnings();
        if (warnings.Length > 0) run.Log($"warnings and errors of the replicas:\n{warnings}");
        return alerts;
    }

    private Task<string> QueueListAsync(string vhost) => infra.Script("rabbitmqctl", infra.InfraDir, "list_queues", "-p", vhost, "name", "messages");

    private async Task<Dictionary<string, string>> QueuesAsync(string vhost) =>
        (await QueueListAsync(vhost)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());

    private static void AssertSameAlerts(SortedSet<string> expected, SortedSet<string> actual, string topology)
    {
        // The stream breaches every rule; the baseline must show it, or the comparison proves nothing.
        Assert.Contains(expected, a => a.StartsWith("pnl-loss:", StringComparison.Ordinal) && a.EndsWith(" Warning", StringComparison.Ordinal));
        Assert.Contains(expected, a => a.StartsWith("pnl-loss:", StringComparison.Ordinal) && a.EndsWith(" Critical", StringComparison.Ordinal));
        Assert.Contains(expected, a => a.StartsWith("drawdown:", StringComparison.Ordinal));
        Assert.Contains(expected, a => a.StartsWith("price-band:", StringComparison.Ordinal) && a.Contains(":above ", StringComparison.Ordinal));
        Assert.Contains(expected, a => a.StartsWith("price-band:", StringComparison.Ordinal) && a.Contains(":below ", StringComparison.Ordinal));
        Assert.Contains("pnl-loss:acct-RUN:nokey-0 Critical", expected);
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"{topology}: {missing.Count} alerts of the 1-replica run missing, {extra.Count} extra (of {expected.Count}).\n" +
            $"missing: {string.Join(", ", missing.Take(30))}\nextra: {string.Join(", ", extra.Take(30))}");
    }
}
