using System.Diagnostics.Metrics;
using OpsBot.ServiceDefaults;

namespace OpsBot.PnlIngest;

/// <summary>pnl-ingest's counters (<c>/metrics</c>): received, rejected by reason, published, conflated, dropped.</summary>
public sealed class PnlIngestMetrics : IDisposable
{
    private readonly Meter _meter = OpsBotMetrics.CreateMeter("PnlIngest");
    private readonly Counter<long> _received;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _published;
    private readonly Counter<long> _conflated;
    private readonly Counter<long> _dropped;
    private long _rejectedTotal;
    private long _publishedTotal;
    private long _conflatedTotal;
    private long _droppedTotal;

    public PnlIngestMetrics()
    {
        _received = _meter.CreateCounter<long>("opsbot.pnl.received", description: "PnL messages read from Redis");
        _rejected = _meter.CreateCounter<long>("opsbot.pnl.rejected", description: "PnL messages rejected as malformed, by reason");
        _published = _meter.CreateCounter<long>("opsbot.pnl.published", description: "PnlUpdated messages published");
        _conflated = _meter.CreateCounter<long>("opsbot.pnl.conflated", description: "PnL updates replaced by a newer one of the same strategy before publishing");
        _dropped = _meter.CreateCounter<long>("opsbot.pnl.dropped", description: "PnL updates dropped because the buffer was full of other strategies");
    }

    public long RejectedTotal => Interlocked.Read(ref _rejectedTotal);
    public long PublishedTotal => Interlocked.Read(ref _publishedTotal);
    public long ConflatedTotal => Interlocked.Read(ref _conflatedTotal);
    public long DroppedTotal => Interlocked.Read(ref _droppedTotal);

    public void Received() => _received.Add(1);

    public void Rejected(PnlRejectReason reason)
    {
        Interlocked.Increment(ref _rejectedTotal);
        _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason.ToLabel()));
    }

    public void Published(int count)
    {
        Interlocked.Add(ref _publishedTotal, count);
        _published.Add(count);
    }

    public void Conflated()
    {
        Interlocked.Increment(ref _conflatedTotal);
        _conflated.Add(1);
    }

    public void Dropped()
    {
        Interlocked.Increment(ref _droppedTotal);
        _dropped.Add(1);
    }

    public void Dispose() => _meter.Dispose();
}
