using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Publishes an alert straight to the broker and returns only when the broker confirmed it (publisher confirms
/// are on). The consumers' own <c>context.Publish</c> would go through the in-memory outbox, which sends after
/// the consumer returns — after the state was committed — so a failed send would leave the state advanced and
/// the redelivery silent. Here a failure throws inside the consumer, before the commit: the retry or
/// redelivery judges the message against the unchanged state and raises the alert again.
/// </summary>
public sealed class AlertPublisher(IBus bus, ILogger<AlertPublisher> logger)
{
    public async Task PublishAsync(ConsumeContext source, AlertRaised alert)
    {
        logger.LogInformation("Raising {Severity} alert {DedupKey}: {Title}", alert.Severity, alert.DedupKey, alert.Title);
        await bus.Publish(alert, context =>
        {
            context.CorrelationId = alert.CorrelationId;
            context.ConversationId = source.ConversationId;
            context.InitiatorId = source.MessageId;
        }, source.CancellationToken);
    }

    /// <summary>Publishes a resolution the same way: a failure throws before the commit, so the retry resolves again.</summary>
    public async Task PublishAsync(ConsumeContext source, AlertResolved resolved)
    {
        logger.LogInformation("Resolving {DedupKey}: {Reason}", resolved.DedupKey, resolved.Reason);
        await bus.Publish(resolved, context =>
        {
            context.CorrelationId = resolved.CorrelationId;
            context.ConversationId = source.ConversationId;
            context.InitiatorId = source.MessageId;
        }, source.CancellationToken);
    }
}
