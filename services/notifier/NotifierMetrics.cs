using System.Diagnostics.Metrics;
using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier;

/// <summary>
/// The notifier's own metrics, scraped at <c>/metrics</c>: alerts sent, messages posted (single or digest),
/// final failures by reason, alerts suppressed by dedup, silence or as a quiet repeat of an incident, rate limits drawn,
/// dedup decisions taken in-process because Redis was unreachable, and the delivery latency (alert raised →
/// channel accepted it).
/// </summary>
public sealed class NotifierMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _suppressed;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _dedupFallback;
    private readonly Counter<long> _silencesRefused;
    private readonly Counter<long> _paceFallback;
    private readonly Counter<long> _ackRefused;
    private readonly Counter<long> _incidentFallback;
    private readonly Counter<long> _nudges;
    private readonly Histogram<double> _latency;

    public NotifierMetrics()
    {
        _meter = OpsBotMetrics.CreateMeter("Notifier");
        _sent = _meter.CreateCounter<long>("opsbot.notifier.sent", description: "Alerts delivered, by channel.");
        _messages = _meter.CreateCounter<long>("opsbot.notifier.messages", description: "Messages posted, by channel and kind (single, digest).");
        _failed = _meter.CreateCounter<long>("opsbot.notifier.failed", description: "Alerts whose delivery finally failed, by channel and reason.");
        _suppressed = _meter.CreateCounter<long>("opsbot.notifier.suppressed", description: "Alerts not sent, by channel and reason (dedup, silence, repeat).");
        _rateLimited = _meter.CreateCounter<long>("opsbot.notifier.rate_limited", description: "Rate-limit answers (HTTP 429, ratelimited) drawn, by channel.");
        _dedupFallback = _meter.CreateCounter<long>("opsbot.notifier.dedup.fallback", description: "Dedup decisions taken by the in-process cache because Redis was unreachable.");
        _paceFallback = _meter.CreateCounter<long>("opsbot.notifier.pace.fallback", description: "Messages paced by this replica alone because the shared pace in Redis was unreachable.");
        _silencesRefused = _meter.CreateCounter<long>("opsbot.notifier.silences.refused", description: "Silence matchers refused as invalid (too long, too many *, a lone \\), on arrival or read from Redis.");
        _ackRefused = _meter.CreateCounter<long>("opsbot.notifier.acks.refused", description: "Acknowledgements refused: the user is not in NOTIFIER_ACK_USERS.");
        _incidentFallback = _meter.CreateCounter<long>("opsbot.notifier.incidents.fallback", description: "Incident decisions taken without Redis (the alert posted as a new message, a resolution as a new note).");
        _nudges = _meter.CreateCounter<long>("opsbot.notifier.incidents.nudges", description: "Reminders and escalations sent, by kind.");
        _latency = _meter.CreateHistogram<double>("opsbot.notifier.delivery.latency", unit: "s", description: "Alert raised to accepted by the channel.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300] });
    }

    public static string Label(DeliveryChannel channel) => channel == DeliveryChannel.Slack ? "slack" : "teams";

    public void Sent(DeliveryChannel channel, TimeSpan latency)
    {
        _sent.Add(1, new KeyValuePair<string, object?>("channel", Label(channel)));
        _latency.Record(Math.Max(0, latency.TotalSeconds), new KeyValuePair<string, object?>("channel", Label(channel)));
    }

    public void Message(DeliveryChannel channel, bool digest) => Message(channel, digest ? "digest" : "single");

    /// <summary>A message or lifecycle call by kind: <c>single</c>, <c>digest</c>, <c>update</c> (an edit), <c>reply</c> (thread reply, Teams follow-up), <c>note</c> (a top-level note).</summary>
    public void Message(DeliveryChannel channel, string kind) =>
        _messages.Add(1, new("channel", Label(channel)), new("kind", kind));

    public void Failed(DeliveryChannel channel, DeliveryFailureReason reason) =>
        _failed.Add(1, new("channel", Label(channel)), new("reason", ReasonLabel(reason)));

    public void Suppressed(DeliveryChannel channel, SuppressionReason reason) =>
        _suppressed.Add(1, new("channel", Label(channel)), new("reason", reason.ToString().ToLowerInvariant()));

    public void RateLimited(DeliveryChannel channel) => _rateLimited.Add(1, new KeyValuePair<string, object?>("channel", Label(channel)));

    public void DedupFallback() => _dedupFallback.Add(1);

    public void SilenceRefused() => _silencesRefused.Add(1);

    public void PaceFallback() => _paceFallback.Add(1);
    public void AckRefused() => _ackRefused.Add(1);

    public void IncidentStoreFallback() => _incidentFallback.Add(1);

    /// <summary>A reminder or an escalation sent (<c>kind</c>: reminder, escalation).</summary>
    public void Nudge(string kind) => _nudges.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public static string ReasonLabel(DeliveryFailureReason reason) => reason switch
    {
        DeliveryFailureReason.RateLimited => "rate-limited",
        DeliveryFailureReason.Auth => "auth",
        DeliveryFailureReason.ClientError => "client-error",
        DeliveryFailureReason.ServerError => "server-error",
        _ => "timeout",
    };

    public void Dispose() => _meter.Dispose();
}

/// <summary>Why an alert was not sent.</summary>
public enum SuppressionReason
{
    /// <summary>An identical alert was sent (or is being sent) within ALERT_DEDUP_TTL.</summary>
    Dedup,
    /// <summary>A silence matches its dedup key.</summary>
    Silence,
    /// <summary>A repeat of an open incident on a channel that cannot edit its message (Teams) or whose message is a digest: counted on the incident, nothing posted.</summary>
    Repeat,
    /// <summary>Held back by an inhibition rule while a worse incident of the same strategy is open; sent when that one resolves.</summary>
    Inhibited,
    /// <summary>The routing table sends it elsewhere (another integration or channel), not here.</summary>
    NotRouted,
}
