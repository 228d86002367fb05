using System.Collections.Concurrent;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OpsBot.ServiceDefaults;

/// <summary>
/// Broker-side delayed redelivery, for failures that need minutes rather than the in-process retry's seconds
/// (the delayed-message-exchange plugin is not available, so <c>UseDelayedRedelivery</c> cannot be used).
/// <para>
/// An endpoint opts in with <see cref="BrokerDelayedRedeliveryExtensions.UseBrokerDelayedRedelivery"/>. When a message's
/// consumption finally fails there (after the in-process retry, or at once for a <see cref="NonRetryableException"/>)
/// and the exception qualifies, the message is forwarded — same body, message id, correlation id and headers, plus
/// <c>MT-Redelivery-Count</c> and the <c>MT-Fault-*</c> headers of the failure — to the wait queue
/// <c>&lt;queue&gt;_delay_&lt;n&gt;</c> (n = 1 for the first redelivery), and the original is acknowledged. The wait queue
/// has <c>x-message-ttl</c> = delay n and <c>x-dead-letter-exchange</c> = the endpoint's exchange (MassTransit names it
/// like the queue), so the broker hands it back to the endpoint when the delay is over — also while no consumer runs.
/// When the last delay has been used, the failure goes on as before: <c>Fault&lt;T&gt;</c> and <c>&lt;queue&gt;_error</c>.
/// </para>
/// <para>
/// Every exception qualifies unless the endpoint's <c>qualifies</c> predicate says no (use it for failures that waiting
/// cannot fix: bad credentials, a request the other side rejects). Messages that cannot be deserialized never reach
/// the consumer, so they are not redelivered either (<c>_error</c> / <c>_skipped</c> as before).
/// Consumers see where they are with <see cref="BrokerDelayedRedeliveryExtensions.GetBrokerDelayedRedelivery"/>.
/// </para>
/// One instance per bus (a singleton registered by <see cref="BusExtensions.AddOpsBotBus"/>).
/// </summary>
public sealed class BrokerDelayedRedelivery
{
    private readonly ConcurrentDictionary<string, DelayedRedeliveryEndpoint> _endpoints = new(StringComparer.Ordinal);

    public BrokerDelayedRedelivery(RabbitMqAddress broker, bool quorumQueues, ILoggerFactory loggerFactory)
    {
        Logger = loggerFactory.CreateLogger("OpsBot.DelayedRedelivery");
        Topology = new WaitQueueTopology(broker, quorumQueues, Logger);
    }

    internal ILogger Logger { get; }
    internal WaitQueueTopology Topology { get; }

    /// <summary>The endpoints that use delayed redelivery, by queue name.</summary>
    public IReadOnlyDictionary<string, DelayedRedeliveryEndpoint> Endpoints => _endpoints;

    internal void Register(DelayedRedeliveryEndpoint endpoint)
    {
        if (!_endpoints.TryAdd(endpoint.Queue, endpoint))
            throw new InvalidOperationException($"Delayed redelivery is configured twice for {endpoint.Queue}.");
    }

    internal DelayedRedeliveryEndpoint? Find(Uri? inputAddress) =>
        inputAddress is not null && _endpoints.Count > 0 && _endpoints.TryGetValue(QueueOf(inputAddress), out var endpoint) ? endpoint : null;

    /// <summary>The queue name of a RabbitMQ endpoint address (<c>rabbitmq://host/vhost/queue?…</c>).</summary>
    internal static string QueueOf(Uri address)
    {
        var path = address.IsAbsoluteUri ? address.AbsolutePath : address.OriginalString;
        var slash = path.LastIndexOf('/');
        return Uri.UnescapeDataString(slash >= 0 ? path[(slash + 1)..] : path);
    }

    /// <summary>
    /// Parses a delay list setting: seconds separated by commas (<c>60,300,900</c>), each &gt; 0 and at most a day, at most
    /// ten of them, non-decreasing. Unset: <paramref name="defaultDelays"/> (none when null). Set but empty, <c>off</c> or
    /// <c>none</c>: no delayed redelivery.
    /// </summary>
    public static IReadOnlyList<TimeSpan> ParseDelays(Settings settings, string name, string? defaultDelays = null)
    {
        if (settings.IsSetEmpty(name)) return [];
        var raw = settings.Optional(name) ?? defaultDelays;
        if (raw is null || raw.Equals("off", StringComparison.OrdinalIgnoreCase) || raw.Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var delays = new List<TimeSpan>();
        foreach (var part in raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds) || seconds <= 0 || seconds > 86_400)
                throw new SettingsException($"{name} must be seconds separated by commas (e.g. 60,300,900), each above 0 and at most 86400, got '{raw}'.");
            delays.Add(TimeSpan.FromSeconds(seconds));
        }
        if (delays.Count > 10) throw new SettingsException($"{name} has {delays.Count} delays; at most 10.");
        for (var i = 1; i < delays.Count; i++)
            if (delays[i] < delays[i - 1]) throw new SettingsException($"{name} must not decrease (each delay at least the one before it), got '{raw}'.");
        return delays;
    }
}

/// <summary>One endpoint's delayed redelivery: its queue, the delays, and which failures qualify.</summary>
public sealed class DelayedRedeliveryEndpoint
{
    private readonly Func<Exception, bool> _qualifies;

    internal DelayedRedeliveryEndpoint(string queue, IReadOnlyList<TimeSpan> delays, Func<Exception, bool>? qualifies)
    {
        if (delays.Count == 0) throw new ArgumentException("at least one delay is needed", nameof(delays));
        if (delays.Any(d => d < TimeSpan.FromMilliseconds(1))) throw new ArgumentException("delays must be positive", nameof(delays));
        Queue = queue;
        Delays = [.. delays];
        _qualifies = qualifies ?? (_ => true);
    }

    /// <summary>The endpoint's queue; its exchange has the same name.</summary>
    public string Queue { get; }
    public IReadOnlyList<TimeSpan> Delays { get; }
    public string ErrorQueue => Queue + "_error";

    /// <summary><c>&lt;queue&gt;_delay_&lt;n&gt;</c>, n from 1: where a message waits before its n-th redelivery.</summary>
    public string WaitQueue(int n) => $"{Queue}_delay_{n}";

    public bool Qualifies(Exception exception) => exception is not OperationCanceledException && _qualifies(exception);
}

/// <summary>
/// Where the message being consumed stands: a payload on the consume context of an endpoint with delayed
/// redelivery. A consumer uses it to tell a failure that will be retried later (<see cref="NextDelay"/> not null)
/// from the final one, e.g. to publish a "failed" event only once.
/// </summary>
public sealed class DelayedRedeliveryRound
{
    internal DelayedRedeliveryRound(DelayedRedeliveryEndpoint endpoint, int round)
    {
        Endpoint = endpoint;
        Round = round;
    }

    public DelayedRedeliveryEndpoint Endpoint { get; }

    /// <summary>How often this message was redelivered through the wait queues so far (0 on its first delivery).</summary>
    public int Round { get; }

    /// <summary>Redeliveries the endpoint allows in all.</summary>
    public int Rounds => Endpoint.Delays.Count;

    /// <summary>The last exception the consumer threw in this round (set by the filter).</summary>
    public Exception? LastException { get; internal set; }

    /// <summary>When <paramref name="exception"/> ends this round: the delay before the message is tried again, or null when it goes to <c>_error</c>.</summary>
    public TimeSpan? NextDelay(Exception exception) =>
        Round < Rounds && Endpoint.Qualifies(exception) ? Endpoint.Delays[Round] : null;

    /// <summary>The wait queue the message goes to when <paramref name="exception"/> ends this round, or null.</summary>
    public string? NextWaitQueue(Exception exception) => NextDelay(exception) is null ? null : Endpoint.WaitQueue(Round + 1);
}

public static class BrokerDelayedRedeliveryExtensions
{
    /// <summary>
    /// Turns on broker-side delayed redelivery for this receive endpoint (see <see cref="BrokerDelayedRedelivery"/>):
    /// after a final failure that <paramref name="qualifies"/> (default: every exception), the message waits
    /// <paramref name="delays"/>[n] in <c>&lt;queue&gt;_delay_&lt;n+1&gt;</c> and is consumed again; after the last delay it goes
    /// to <c>_error</c>. Call it from a consumer definition's <c>ConfigureConsumer</c> or an endpoint callback. An empty
    /// <paramref name="delays"/> leaves the endpoint as it is. The bus must be built by <see cref="BusExtensions.AddOpsBotBus"/>.
    /// </summary>
    public static void UseBrokerDelayedRedelivery(this IReceiveEndpointConfigurator endpoint, IServiceProvider services,
        IReadOnlyList<TimeSpan> delays, Func<Exception, bool>? qualifies = null)
    {
        if (delays.Count == 0) return;
        var registry = services.GetService<BrokerDelayedRedelivery>()
            ?? throw new InvalidOperationException("Broker delayed redelivery needs the bus from AddOpsBotBus.");
        var configuration = new DelayedRedeliveryEndpoint(BrokerDelayedRedelivery.QueueOf(endpoint.InputAddress), delays, qualifies);
        registry.Register(configuration);
        // Declared when the endpoint is ready (after every reconnect too; declaring is idempotent), and again before a
        // forward if that has not succeeded yet — so a broker that is down at start-up is no problem.
        endpoint.ConnectReceiveEndpointObserver(new WaitQueueDeclaringObserver(registry, configuration));
    }

    /// <summary>This delivery's round when the endpoint uses broker delayed redelivery; otherwise null.</summary>
    public static DelayedRedeliveryRound? GetBrokerDelayedRedelivery(this ConsumeContext context) =>
        context.TryGetPayload(out DelayedRedeliveryRound? round) ? round : null;

    /// <summary>
    /// The bus-wide hook (called by <see cref="BusExtensions.AddOpsBotBus"/> before <c>UseMessageRetry</c>, so it runs
    /// outside the in-process retry and the outbox). It does nothing for endpoints that did not opt in.
    /// </summary>
    internal static void UseBrokerDelayedRedelivery(this IBusFactoryConfigurator configurator, IServiceProvider services)
    {
        _ = new BrokerDelayedRedeliveryConfigurationObserver(configurator, services.GetRequiredService<BrokerDelayedRedelivery>());
    }

    private sealed class WaitQueueDeclaringObserver(BrokerDelayedRedelivery registry, DelayedRedeliveryEndpoint endpoint) : IReceiveEndpointObserver
    {
        public Task Ready(ReceiveEndpointReady ready)
        {
            _ = DeclareAsync();
            return Task.CompletedTask;
        }

        private async Task DeclareAsync()
        {
            try { await registry.Topology.EnsureDeclaredAsync(endpoint, CancellationToken.None); }
            catch (Exception e)
            {
                registry.Logger.LogWarning("Wait queues of {Queue} not declared yet ({Error}); they are declared again before the first redelivery",
                    endpoint.Queue, e.Message);
            }
        }

        public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;
        public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;
        public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
    }
}
