using System.Diagnostics;
using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace OpsBot.LoadTest;

/// <summary>
/// PUBLISHes PnL updates on Redis at the scenario's rate, in slices of <see cref="Slice"/>, round-robin over
/// the strategies. A chosen share are losses beyond the threshold (each loss after a gain is an alert).
/// Remembers, per strategy, the last update sent (the one that must always arrive) and, per loss, when it was sent.
/// </summary>
public sealed class PnlLoadPublisher(IConnectionMultiplexer redis, string channel, LoadScenario scenario, int seed = 12345)
{
    public const decimal Threshold = 1000m;

    /// <summary>How often the publisher wakes to send what is due: 5 ms (a 1 ms loop cost the harness a fifth of
    /// a core on the cores the services share, and each update's own send time is what latencies count from).</summary>
    public static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(5);
    private readonly Random _random = new(seed);

    public long Sent { get; private set; }
    public long LossesSent { get; private set; }
    public Dictionary<string, (string CorrelationId, long SentTicks)> LastPerStrategy { get; } = new();
    public Dictionary<string, long> LossSentTicks { get; } = new();
    private readonly Dictionary<string, long> _sentTicks = new();

    /// <summary>Send and arrival times of every update that arrived.</summary>
    public IEnumerable<(long Sent, long Arrived)> SentTicks(IReadOnlyDictionary<string, long> arrivals) =>
        arrivals.Where(a => _sentTicks.ContainsKey(a.Key)).Select(a => (_sentTicks[a.Key], a.Value));
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Sends for <paramref name="length"/> (default: the scenario's duration); may be called again to go on.</summary>
    public async Task RunAsync(CancellationToken cancellationToken, TimeSpan? length = null)
    {
        var subscriber = redis.GetSubscriber();
        var target = RedisChannel.Literal(channel);
        var clock = Stopwatch.StartNew();
        var sentBefore = Sent;
        var pending = new List<Task>(4096);
        while (clock.Elapsed < (length ?? scenario.Duration) && !cancellationToken.IsCancellationRequested)
        {
            var sliceStart = clock.Elapsed;
            var due = scenario.ExpectedBy(sliceStart) - (Sent - sentBefore);
            for (long i = 0; i < due; i++)
            {
                var strategy = $"s{_next++ % scenario.Strategies:D4}";
                var loss = _random.NextDouble() < scenario.LossShare;
                var correlationId = Guid.NewGuid().ToString();
                var now = DateTimeOffset.UtcNow;
                var realized = loss ? -Threshold * 1.5m : Math.Round((decimal)(_random.NextDouble() * 500), 2);
                var json = $"{{\"account\":\"load\",\"strategy\":\"{strategy}\",\"realized\":{realized.ToString(CultureInfo.InvariantCulture)},\"unrealized\":0,\"currency\":\"USD\",\"timestamp\":\"{now:O}\",\"correlation_id\":\"{correlationId}\",\"pad\":\"{Pad}\"}}";
                var ticks = Stopwatch.GetTimestamp();
                pending.Add(subscriber.PublishAsync(target, Encoding.UTF8.GetBytes(json), CommandFlags.None));
                LastPerStrategy[strategy] = (correlationId, ticks);
                _sentTicks[correlationId] = ticks;
                if (loss) { LossSentTicks[correlationId] = ticks; LossesSent++; }
                Sent++;
            }
            if (pending.Count >= 2048) { await Task.WhenAll(pending); pending.Clear(); }
            var wait = Slice - (clock.Elapsed - sliceStart);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
        await Task.WhenAll(pending);
        Elapsed += clock.Elapsed;
    }

    private long _next;

    // Brings a message to about 400 bytes, a realistic PnL report with some metadata.
    private static readonly string Pad = new('x', 150);
}
