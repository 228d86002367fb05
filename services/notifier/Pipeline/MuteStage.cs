using OpsBot.Contracts;
using OpsBot.Notifier.Silences;

namespace OpsBot.Notifier.Pipeline;

/// <summary>
/// Mute: an alert whose dedup key a silence matches is not sent. Acknowledgements do not mute (they are ownership of
/// the incident, <see cref="Incidents.IncidentLifecycle.AcknowledgeAsync"/>); silences are the way to mute.
/// </summary>
public sealed class MuteStage(SilenceStore store, TimeProvider time, ILogger<MuteStage> logger)
{
    public async ValueTask<SuppressionReason?> CheckAsync(AlertRaised alert)
    {
        var snapshot = await store.CurrentAsync();
        if (snapshot.SilenceFor(alert.DedupKey, time.GetUtcNow()) is { } silence)
        {
            logger.LogInformation("Alert {DedupKey} silenced by {Matcher} (until {Until:O}, by {RequestedBy})", alert.DedupKey, silence.Matcher, silence.Until, silence.RequestedBy);
            return SuppressionReason.Silence;
        }
        return null;
    }
}
