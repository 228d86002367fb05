using OpsBot.Contracts;
using OpsBot.Notifier.Silences;

namespace OpsBot.Notifier.Pipeline;

/// <summary>Mute: an alert whose dedup key a silence matches, or an operator acknowledged, is not sent.</summary>
public sealed class MuteStage(SilenceStore store, TimeProvider time, ILogger<MuteStage> logger)
{
    public async ValueTask<SuppressionReason?> CheckAsync(AlertRaised alert)
    {
        var snapshot = await store.CurrentAsync();
        var now = time.GetUtcNow();
        if (snapshot.SilenceFor(alert.DedupKey, now) is { } silence)
        {
            logger.LogInformation("Alert {DedupKey} silenced by {Matcher} (until {Until:O}, by {RequestedBy})", alert.DedupKey, silence.Matcher, silence.Until, silence.RequestedBy);
            return SuppressionReason.Silence;
        }
        if (snapshot.AckFor(alert.DedupKey, now) is { } ack)
        {
            logger.LogInformation("Alert {DedupKey} acknowledged by {AcknowledgedBy} (quiet until {Until:O})", alert.DedupKey, ack.AcknowledgedBy, ack.Until);
            return SuppressionReason.Ack;
        }
        return null;
    }
}
