using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpsBot.Contracts;
using OpsBot.PlatformMetrics;
using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;
using Xunit.Abstractions;

namespace OpsBot.Faults.Tests.Partitions;

/// <summary>
/// Real risk-evaluator processes (replicas) on one virtual host, and the test's own bus beside them: it publishes as
/// pnl-ingest and market-feed do (partition key as routing key, publisher confirms; a publish that fails is retried
/// until the broker confirms it, as pnl-ingest does), sends markers straight to a partition queue, and records every
/// <c>AlertRaised</c>. Works against a single node or a cluster (the URL names every node).
/// </summary>
public sealed class RiskReplicas : IAsyncDisposable
{
    private static readonly HttpClient MetricsHttp = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Dictionary<string, string> _environment;
    private readonly IBusControl _bus;
    private readonly HarnessPublisher _publisher;
    private readonly HarnessPublisher _unkeyedBus;
    private readonly ITestOutputHelper _output;
    private int _started;

    /// <summary>What MassTransit logged for the test's own buses (connections lost and made, per node): shown when a publish never gets its confirm.</summary>
    private static readonly FakeLogCollector HarnessLogs = new();

    private RiskReplicas(Dictionary<string, string> environment, IBusControl bus, HarnessPublisher publisher, HarnessPublisher unkeyedBus, ConcurrentQueue<SeenAlert> alerts, ITestOutputHelper output)
    {
        _environment = environment;
        _bus = bus;
        _publisher = publisher;
        _unkeyedBus = unkeyedBus;
        Alerts = alerts;
        _output = output;
    }

    public List<ServiceProcess> Replicas { get; } = [];
    public ConcurrentQueue<SeenAlert> Alerts { get; }
    public int Partitions => int.Parse(_environment[RiskEvaluatorSettingNames.RiskPartitions]);

    public static async Task<RiskReplicas> StartAsync(string rabbitUrl, string redisUrl, int replicas, ITestOutputHelper output, bool quorumQueues = false, int partitions = RiskPartitionOptions.DefaultPartitions)
    {
        var environment = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbitUrl,
            ["REDIS_URL"] = redisUrl,
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:", // each topology run judges from its own state (the Redis is shared)
            ["RABBITMQ_QUORUM_QUEUES"] = quorumQueues ? "true" : "false",
            [RiskEvaluatorSettingNames.RiskPartitions] = partitions.ToString(),
            ["ALERT_PNL_THRESHOLD"] = RiskStream.LossThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ALERT_DRAWDOWN_THRESHOLD"] = RiskStream.DrawdownThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LOG_FORMAT"] = "text",
            // These runs compare topologies, not Redis' speed. On a loaded 2-core CI machine a healthy Redis sometimes
            // answers a write after more than the default 250 ms; the write then completes in the background (the
            // documented slow-Redis mode, RiskRedisOutageTests), and a replica SIGKILLed in that gap can lose the last
            // tick's state, which is not what this test is about. 2 s keeps the write awaited before the ack.
            [RiskEvaluatorSettingNames.RiskRedisTimeoutMs] = "2000",
        };
        var alerts = new ConcurrentQueue<SeenAlert>();
        LogContext.ConfigureCurrentLogContext(LoggerFactory.Create(l => l.AddProvider(new FakeLoggerProvider(HarnessLogs)).SetMinimumLevel(LogLevel.Information)));
        var bus = CreateBus(rabbitUrl, keyed: true, e =>
        {
            if (quorumQueues) e.SetQuorumQueue();
            e.Handler<AlertRaised>(ctx =>
            {
                alerts.Enqueue(new SeenAlert(ctx.Message, Stopwatch.GetTimestamp()));
                return Task.CompletedTask;
            });
        });
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60))) await bus.StartAsync(cts.Token);
        var publisher = await HarnessPublisher.StartAsync(() => CreateBus(rabbitUrl, keyed: true, null));
        var unkeyed = await HarnessPublisher.StartAsync(() => CreateBus(rabbitUrl, keyed: false, null));
        var self = new RiskReplicas(environment, bus, publisher, unkeyed, alerts, output);
        for (var i = 0; i < replicas; i++) self.StartReplica();
        await self.WaitReadyAsync();
        return self;
    }

    public ServiceProcess StartReplica()
    {
        var n = Interlocked.Increment(ref _started);
        var replica = ServiceProcess.Start($"risk-evaluator-{n}", "services/risk-evaluator", "OpsBot.RiskEvaluator", _environment);
        Replicas.Add(replica);
        return replica;
    }

    public Task WaitReadyAsync() =>
        Task.WhenAll(Replicas.Where(r => !r.HasExited).Select(r => r.WaitReadyAsync(TimeSpan.FromSeconds(120))));

    private static IBusControl CreateBus(string rabbitUrl, bool keyed, Action<IRabbitMqReceiveEndpointConfigurator>? alertEndpoint)
    {
        var address = RabbitMqAddress.Parse(rabbitUrl);
        return Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(address.Host, address.Port, address.VirtualHost, h =>
            {
                h.Username(address.Username);
                h.Password(address.Password);
                h.PublisherConfirmation = true;
                h.Heartbeat(TimeSpan.FromSeconds(5));
                h.RequestedConnectionTimeout(TimeSpan.FromSeconds(5));
                if (address.IsCluster) h.UseCluster(c => { foreach (var node in address.Nodes) c.Node(node.ToString()); });
            });
            if (keyed) cfg.UsePartitionRoutingKeys();
            if (alertEndpoint is not null) cfg.ReceiveEndpoint("partition-test-alerts", alertEndpoint);
        });
    }

    /// <summary>Publishes until the broker confirms (a node may be going away): the message is never lost, perhaps sent twice.</summary>
    public Task PublishAsync(object message) => UntilConfirmedAsync(_publisher, (bus, ct) => bus.Publish(message, message.GetType(), ct));

    /// <summary>Publishes without a routing key, as a publisher that knows nothing of partitions.</summary>
    public Task PublishUnkeyedAsync(object message) => UntilConfirmedAsync(_unkeyedBus, (bus, ct) => bus.Publish(message, message.GetType(), ct));

    /// <summary>Sends straight to one partition queue's exchange: behind everything already in that queue.</summary>
    public async Task SendToQueueAsync(string queue, object message)
    {
        await UntilConfirmedAsync(_publisher, async (bus, ct) => await (await bus.GetSendEndpoint(new Uri($"exchange:{queue}"))).Send(message, message.GetType(), ct));
    }

    private static async Task UntilConfirmedAsync(HarnessPublisher publisher, Func<IBusControl, CancellationToken, Task> publish)
    {
        var started = DateTime.UtcNow;
        var deadline = started.AddSeconds(180);
        var failures = new List<string>();
        while (true)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var (bus, generation) = publisher.Current;
            try
            {
                await publish(bus, cts.Token);
                return;
            }
            catch (Exception e)
            {
                failures.Add($"{(DateTime.UtcNow - started).TotalSeconds:F0} s: {e.GetType().Name}: {e.Message}");
                if (failures.Count % 3 == 0 && await publisher.ReplaceAsync(generation))
                    failures.Add($"{(DateTime.UtcNow - started).TotalSeconds:F0} s: the test's bus replaced by a new one after 3 attempts without a confirm");
                if (DateTime.UtcNow >= deadline)
                    // The test's own publisher, not a service, got no confirm: say what it tried and what its bus saw.
                    throw new TimeoutException($"the test's publisher got no broker confirm within 180 s ({failures.Count} attempts, each given 10 s):\n" +
                        string.Join('\n', failures.TakeLast(10)) + "\nits bus logged:\n" + string.Join('\n', HarnessLogs.Lines().TakeLast(40)), e);
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Publishes the whole stream: round after round, the messages of a round at once (one per key).</summary>
    public async Task PublishRoundsAsync(RiskStream stream, int from, int to)
    {
        for (var r = from; r < to; r++)
            await Task.WhenAll(stream.Rounds[r].Select(PublishAsync));
    }

    /// <summary>
    /// The positive end of a run: a marker per partition queue, sent after everything else, each raising an alert of
    /// its own; once all have arrived, every partition queue is empty (all acknowledged, so all alerts confirmed on the
    /// broker), and the test's own last alert has come back through the alert exchange behind them.
    /// </summary>
    public async Task CompleteAsync(RiskStream stream, Func<string, Task<string>> rabbitmqctl, string vhost)
    {
        for (var i = 0; i < Partitions; i++)
        {
            await SendToQueueAsync(RiskPartitionTopology.PnlQueue(i), stream.PnlMarker(i));
            foreach (var tick in stream.TickMarkers(i)) await SendToQueueAsync(RiskPartitionTopology.TickerQueue(i), tick);
        }
        var expected = Enumerable.Range(0, Partitions)
            .SelectMany(i => new[] { RiskStream.PnlMarkerKey(stream.Account, i), $"price-band:{stream.TickMarkerSymbol(i)}:above" })
            .ToHashSet();
        await Until(() => expected.IsSubsetOf(Alerts.Select(a => a.Alert.DedupKey)), TimeSpan.FromSeconds(180),
            () => $"markers missing: {string.Join(", ", expected.Except(Alerts.Select(a => a.Alert.DedupKey)))}\n{Tail()}");

        await Until(async () =>
        {
            var lines = (await rabbitmqctl(vhost)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Select(l => l.Split('\t')).Where(p => p.Length == 2 && System.Text.RegularExpressions.Regex.IsMatch(p[0], @"^risk-evaluator-(pnl|ticker)-\d+(_error)?$"))
                .All(p => p[1].Trim() == "0");
        }, TimeSpan.FromSeconds(120), () => $"partition queues still hold messages\n{Tail()}");

        var last = new AlertRaised
        {
            CorrelationId = Guid.NewGuid(),
            Timestamp = DateTimeOffset.UtcNow,
            AlertId = Guid.NewGuid(),
            Severity = AlertSeverity.Info,
            Title = "end of run",
            Text = "end of run",
            DedupKey = $"end-of-run:{stream.Run}",
            Source = "partition-test",
        };
        await PublishAsync(last);
        await Until(() => Alerts.Any(a => a.Alert.DedupKey == last.DedupKey), TimeSpan.FromSeconds(60), () => "the test's own last alert did not come back");
    }

    /// <summary>The alerts of the stream, normalised, markers and the test's own left out.</summary>
    public SortedSet<string> StreamAlerts(RiskStream stream) =>
        new(Alerts.Select(a => a.Alert)
            .Where(a => a.Source != "partition-test" && !stream.IsMarker(a) && a.DedupKey.Contains(stream.Run, StringComparison.Ordinal))
            .Select(stream.Normalize), StringComparer.Ordinal);

    /// <summary>PnL updates and ticks this replica has consumed (MassTransit's consume counter on its /metrics).</summary>
    public static async Task<double> ConsumedAsync(ServiceProcess replica)
    {
        var text = await MetricsHttp.GetStringAsync(new Uri(replica.BaseUrl, "metrics")); // patient: the machine may be loaded
        return new PrometheusTextParser().Parse(text).SamplesNamed("messaging_masstransit_consume_ea_total")
            .Where(s => s.Label("messaging_masstransit_message_type") is "PnlUpdated" or "TickerReceived")
            .Sum(s => s.Value);
    }

    public void Log(string line) => _output.WriteLine(line);

    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {timeout.TotalSeconds:F0} s: {what()}");
            await Task.Delay(200);
        }
    }

    public static Task Until(Func<bool> condition, TimeSpan timeout, Func<string> what) => Until(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Every warning and error the replicas logged (the Redis outages, fenced writes and failures that explain a missing alert).</summary>
    public string Warnings() => string.Join('\n', Replicas.SelectMany(r => r.Output
        .Where(l => l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("Fenced", StringComparison.Ordinal) || l.Contains("newer risk state", StringComparison.Ordinal))
        .Select(l => $"{r.Name}: {l}")));

    public string Tail() => string.Join('\n', Replicas.SelectMany(r => r.Output.TakeLast(20).Select(l => $"{r.Name}: {l}")));

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in Replicas) await replica.DisposeAsync();
        await _bus.StopAsync();
        await _publisher.DisposeAsync();
        await _unkeyedBus.DisposeAsync();
    }

    /// <summary>
    /// The test's own publishing bus, replaced by a new one after three attempts (30 s) without a confirm. In CI a
    /// MassTransit publisher connected to the cluster node the test had stopped hung on every attempt for 180 s instead
    /// of failing over to another node; this harness's job is to feed the services, and a fresh connection does.
    /// </summary>
    private sealed class HarnessPublisher : IAsyncDisposable
    {
        private readonly Func<IBusControl> _create;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly object _current = new();
        private IBusControl _bus;
        private int _generation;

        private HarnessPublisher(Func<IBusControl> create, IBusControl bus)
        {
            _create = create;
            _bus = bus;
        }

        public static async Task<HarnessPublisher> StartAsync(Func<IBusControl> create)
        {
            var bus = create();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await bus.StartAsync(cts.Token);
            return new HarnessPublisher(create, bus);
        }

        public (IBusControl Bus, int Generation) Current
        {
            get { lock (_current) return (_bus, _generation); }
        }

        /// <summary>Replaces the bus of <paramref name="generation"/> (once, whoever asks first); false when it was replaced already or the new one would not start.</summary>
        public async Task<bool> ReplaceAsync(int generation)
        {
            await _gate.WaitAsync();
            try
            {
                if (generation != _generation) return false;
                var fresh = _create();
                using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                {
                    try { await fresh.StartAsync(cts.Token); }
                    catch (Exception) { return false; }
                }
                IBusControl old;
                lock (_current) { old = _bus; _bus = fresh; _generation++; }
                _ = Task.Run(async () => { try { using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)); await old.StopAsync(stop.Token); } catch (Exception) { } });
                return true;
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await Current.Bus.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        }
    }
}
