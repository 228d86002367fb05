using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.Notifier.Pipeline;

/// <summary>
/// Record: what happened to an alert on a channel becomes a log line, a metric and, for deliveries and final
/// failures, an event (<c>AlertDelivered</c>, <c>AlertDeliveryFailed</c>).
/// </summary>
public sealed class DeliveryRecorder(IBus bus, NotifierMetrics metrics, TimeProvider time, ILogger<DeliveryRecorder> logger)
{
    public void Suppressed(DeliveryChannel channel, AlertRaised alert, SuppressionReason reason)
    {
        metrics.Suppressed(channel, reason);
        logger.LogInformation("Alert {DedupKey} ({AlertId}) not sent to {Channel}: suppressed by {Reason}", alert.DedupKey, alert.AlertId, channel, reason.ToString().ToLowerInvariant());
    }

    /// <summary>Published through the consume context: with the bus's outbox it leaves only when the consumer completes.</summary>
    public async Task DeliveredAsync(IPublishEndpoint publisher, DeliveryChannel channel, string destination, AlertRaised alert, DeliveryReceipt receipt)
    {
        metrics.Sent(channel, receipt.DeliveredAt - alert.Timestamp);
        logger.LogInformation("Alert {DedupKey} delivered to {Channel} {Destination} (ref {MessageRef}, attempt {Attempts}, folded with {Folded})",
            alert.DedupKey, channel, destination, receipt.MessageRef, receipt.Attempts, receipt.FoldedWith - 1);
        await publisher.Publish(new AlertDelivered
        {
            CorrelationId = alert.CorrelationId,
            Timestamp = time.GetUtcNow(),
            AlertId = alert.AlertId,
            DedupKey = alert.DedupKey,
            Channel = channel,
            Destination = destination,
            MessageRef = receipt.MessageRef,
            Attempts = receipt.Attempts,
        });
    }

    /// <summary>
    /// Published straight on the bus, not through the consume context: the consumer faults next (the message goes
    /// to <c>_error</c>) and the outbox would drop anything published through the context.
    /// </summary>
    public async Task FailedAsync(DeliveryChannel channel, string destination, string queue, AlertRaised alert, AlertDeliveryException failure)
    {
        var reason = failure.Cause.Reason;
        metrics.Failed(channel, reason);
        logger.LogError("Alert {DedupKey} could not be delivered to {Channel} after {Attempts} attempt(s): {Reason} ({Error}). Correlation id {CorrelationId}; the message goes to {ErrorQueue}",
            alert.DedupKey, channel, failure.Attempts, NotifierMetrics.ReasonLabel(reason), failure.Cause.Error, alert.CorrelationId, queue + "_error");
        await bus.Publish(new AlertDeliveryFailed
        {
            CorrelationId = alert.CorrelationId,
            Timestamp = time.GetUtcNow(),
            AlertId = alert.AlertId,
            DedupKey = alert.DedupKey,
            Channel = channel,
            Destination = destination,
            Reason = reason,
            Error = failure.Cause.Error.Length > 200 ? failure.Cause.Error[..200] : failure.Cause.Error,
            Attempts = failure.Attempts,
        });
    }
}
