using MassTransit;
using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Silences;

namespace OpsBot.Notifier.Consumers;

/// <summary>
/// Keeps the ops-bot's silences (queue <c>notifier-silences</c>) in Redis, where every replica reads them and where
/// they survive a restart. An acknowledgement makes its incident acknowledged by that operator (ownership, not a mute:
/// <see cref="IncidentLifecycle.AcknowledgeAsync"/>). A silence whose matcher is not valid
/// (<see cref="GlobMatcher.Validate"/>) is refused with a warning and <c>opsbot_notifier_silences_refused_total</c>. While Redis is down these messages fail
/// and, after the bus's retries, wait in <c>notifier-silences_error</c>.
/// </summary>
public sealed class SilenceConsumer(SilenceStore store, IncidentLifecycle incidents, NotifierMetrics metrics, TimeProvider time, ILogger<SilenceConsumer> logger)
    : IConsumer<SilenceRequested>, IConsumer<UnsilenceRequested>, IConsumer<AlertAcknowledged>
{
    public const string Queue = "notifier-silences";

    public async Task Consume(ConsumeContext<SilenceRequested> context)
    {
        var m = context.Message;
        if (GlobMatcher.Validate(m.Matcher) is { } problem)
        {
            // The ops-bot refuses such a matcher already; one that gets here anyway is not stored (it would silence nothing).
            metrics.SilenceRefused();
            logger.LogWarning("Silence {Matcher} by {RequestedBy} refused: {Problem}; nothing is silenced", SilenceStore.Shorten(m.Matcher ?? ""), m.RequestedBy, problem);
            return;
        }
        if (m.Until <= time.GetUtcNow())
        {
            logger.LogInformation("Silence {Matcher} by {RequestedBy} has already ended ({Until:O}); ignored", m.Matcher, m.RequestedBy, m.Until);
            return;
        }
        await store.AddAsync(new Silence(m.SilenceId, m.Matcher, m.Until, m.RequestedBy, m.Reason));
        logger.LogInformation("Silence {Matcher} until {Until:O} by {RequestedBy} in force", m.Matcher, m.Until, m.RequestedBy);
    }

    public async Task Consume(ConsumeContext<UnsilenceRequested> context)
    {
        var m = context.Message;
        var removed = await store.RemoveAsync(m.Matcher);
        logger.LogInformation(removed ? "Silence {Matcher} lifted by {RequestedBy}" : "No silence {Matcher} to lift (asked by {RequestedBy})", m.Matcher, m.RequestedBy);
    }

    public Task Consume(ConsumeContext<AlertAcknowledged> context) => incidents.AcknowledgeAsync(context.Message, context.CancellationToken);
}

public sealed class SilenceConsumerDefinition : ConsumerDefinition<SilenceConsumer>
{
    public SilenceConsumerDefinition()
    {
        EndpointName = SilenceConsumer.Queue;
        ConcurrentMessageLimit = 4;
    }
}
