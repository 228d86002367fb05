using System.Diagnostics.Metrics;
using OpsBot.ServiceDefaults;

namespace OpsBot.MarketFeed;

/// <summary>
/// One client's counters: exported at <c>/metrics</c> with a <c>client</c> label, and readable as
/// totals (tests, run_parity, the readiness check).
/// </summary>
public sealed class FeedClientStats : IDisposable
{
    private static readonly Meter Meter = OpsBotMetrics.CreateMeter("MarketFeed");
    private static readonly Counter<long> FramesCounter = Meter.CreateCounter<long>("opsbot.feed.frames", description: "Frames received from the exchange");
    private static readonly Counter<long> EventsCounter = Meter.CreateCounter<long>("opsbot.feed.events", description: "Events handed on for publishing, by type (ticker, user_update)");
    private static readonly Counter<long> MalformedCounter = Meter.CreateCounter<long>("opsbot.feed.malformed", description: "Frames that could not be decoded (one warning each)");
    private static readonly Counter<long> OversizedCounter = Meter.CreateCounter<long>("opsbot.feed.oversized_frames", description: "Frames over the 1 MiB limit, dropped unread (also counted as malformed)");
    private static readonly Counter<long> GapsCounter = Meter.CreateCounter<long>("opsbot.feed.sequence_gaps", description: "Sequence gaps seen (lost frames)");
    private static readonly Counter<long> MissedCounter = Meter.CreateCounter<long>("opsbot.feed.missed_frames", description: "Frames lost according to sequence numbers");
    private static readonly Counter<long> StaleCounter = Meter.CreateCounter<long>("opsbot.feed.stale_frames", description: "Late or repeated frames dropped");
    private static readonly Counter<long> ReconnectsCounter = Meter.CreateCounter<long>("opsbot.feed.reconnects", description: "Connections after the first");
    private static readonly Counter<long> DroppedCounter = Meter.CreateCounter<long>("opsbot.feed.dropped", description: "Events dropped because the publish buffer was full");

    private readonly KeyValuePair<string, object?> _client;
    private long _frames, _tickers, _userUpdates, _heartbeats, _malformed, _oversized, _gaps, _missed, _stale, _connections, _subscriptionConfirmations, _exchangeErrors, _dropped;
    private int _connected;

    public FeedClientStats(string client)
    {
        Client = client;
        _client = new("client", client);
    }

    public string Client { get; }
    public long Frames => Interlocked.Read(ref _frames);
    public long Tickers => Interlocked.Read(ref _tickers);
    public long UserUpdates => Interlocked.Read(ref _userUpdates);
    public long Heartbeats => Interlocked.Read(ref _heartbeats);
    public long Malformed => Interlocked.Read(ref _malformed);
    public long Oversized => Interlocked.Read(ref _oversized);
    public long Gaps => Interlocked.Read(ref _gaps);
    public long MissedFrames => Interlocked.Read(ref _missed);
    public long StaleFrames => Interlocked.Read(ref _stale);
    /// <summary>Connections opened (the first one included).</summary>
    public long Connections => Interlocked.Read(ref _connections);
    /// <summary>Subscriptions frames received (the exchange confirms each subscribe message).</summary>
    public long SubscriptionConfirmations => Interlocked.Read(ref _subscriptionConfirmations);
    public long ExchangeErrors => Interlocked.Read(ref _exchangeErrors);
    public long Dropped => Interlocked.Read(ref _dropped);
    public bool IsConnected => Volatile.Read(ref _connected) == 1;

    public void Frame() { Interlocked.Increment(ref _frames); FramesCounter.Add(1, _client); }

    public void Ticker(int count)
    {
        Interlocked.Add(ref _tickers, count);
        EventsCounter.Add(count, _client, new KeyValuePair<string, object?>("type", "ticker"));
    }

    public void UserUpdate(int count)
    {
        Interlocked.Add(ref _userUpdates, count);
        EventsCounter.Add(count, _client, new KeyValuePair<string, object?>("type", "user_update"));
    }

    public void Heartbeat() => Interlocked.Increment(ref _heartbeats);
    public void MalformedFrame() { Interlocked.Increment(ref _malformed); MalformedCounter.Add(1, _client); }
    public void OversizedFrame() { Interlocked.Increment(ref _oversized); OversizedCounter.Add(1, _client); }

    public void Gap(long missed)
    {
        Interlocked.Increment(ref _gaps);
        Interlocked.Add(ref _missed, missed);
        GapsCounter.Add(1, _client);
        MissedCounter.Add(missed, _client);
    }

    public void Stale() { Interlocked.Increment(ref _stale); StaleCounter.Add(1, _client); }
    public void Subscribed() => Interlocked.Increment(ref _subscriptionConfirmations);
    public void ExchangeError() => Interlocked.Increment(ref _exchangeErrors);
    public void DroppedEvent() { Interlocked.Increment(ref _dropped); DroppedCounter.Add(1, _client); }

    public void ConnectionOpened()
    {
        if (Interlocked.Increment(ref _connections) > 1) ReconnectsCounter.Add(1, _client);
        Volatile.Write(ref _connected, 1);
    }

    public void ConnectionClosed() => Volatile.Write(ref _connected, 0);

    public void Dispose() { }
}
