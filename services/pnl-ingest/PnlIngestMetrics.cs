using System.Diagnostics.Metrics;
using OpsBot.ServiceDefaults;

namespace OpsBot.PnlIngest;

/// <summary>
/// pnl-ingest's counters (<c>/metrics</c>): received, rejected by reason, published, conflated, dropped; and how
/// long each publish waited for the broker's confirm (a slow broker shows here before anywhere else).
/// </summary>
public sealed class PnlIngestMetrics : IDisposable
{
    private readonly Meter _meter = OpsBotMetrics.CreateMeter("PnlIngest");
    private readonly Counter<long> _received;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _published;
    private readonly Counter<long> _conflated;
    private readonly Counter<long> _dropped;
    private readonly Histogram<double> _confirm;
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
        _confirm = _meter.CreateHistogram<double>("opsbot.pnl.publish.confirm", unit: "s", description: "Time from publishing a PnlUpdated to the broker's confirm",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
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

    /// <summary>One publish was confirmed by the broker after <paramref name="elapsed"/>.</summary>
    public void Confirmed(TimeSpan elapsed) => _confirm.Record(elapsed.TotalSeconds);

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
