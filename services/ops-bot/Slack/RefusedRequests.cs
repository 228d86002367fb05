using System.Diagnostics.Metrics;
using System.Net;
using System.Threading.RateLimiting;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.Slack;

/// <summary>
/// Requests to the Slack request URLs that were refused (unsigned, badly signed, stale, replayed, or not
/// checkable): each one counts in <c>opsbot_slack_requests_refused_total{reason}</c>, but at most one warning
/// line is written per <see cref="LogInterval"/>, carrying how many were refused since the previous line —
/// so a flood of forged requests cannot fill the disk.
/// </summary>
public sealed class RefusedRequests : IDisposable
{
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly Meter _meter = OpsBotMetrics.CreateMeter("Bot");
    private readonly Counter<long> _counter;
    private readonly FixedWindowRateLimiter _lines = new(new FixedWindowRateLimiterOptions
    {
        PermitLimit = 1,
        Window = LogInterval,
        QueueLimit = 0,
        AutoReplenishment = true,
    });
    private readonly ILogger<RefusedRequests> _logger;
    private long _total;
    private long _unlogged;

    public RefusedRequests(ILogger<RefusedRequests> logger)
    {
        _logger = logger;
        _counter = _meter.CreateCounter<long>("opsbot.slack.requests_refused", description: "Requests to /slack/* refused before anything ran, by reason");
    }

    /// <summary>Refused requests since start (the counter's value in this process).</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Refused(PathString path, IPAddress? remote, string reason)
    {
        Interlocked.Increment(ref _total);
        _counter.Add(1, new KeyValuePair<string, object?>("reason", reason));
        using var lease = _lines.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            Interlocked.Increment(ref _unlogged);
            return;
        }
        var before = Interlocked.Exchange(ref _unlogged, 0);
        _logger.LogWarning("Refused {Path} from {Remote}: {Reason} ({Unlogged} more refused since the last such line; at most one line per {Interval} s, every one counted in opsbot_slack_requests_refused_total)",
            path, remote, reason, before, (int)LogInterval.TotalSeconds);
    }

    public void Dispose()
    {
        _lines.Dispose();
        _meter.Dispose();
    }
}
