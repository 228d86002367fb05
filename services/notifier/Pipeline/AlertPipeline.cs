using MassTransit;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier.Pipeline;

/// <summary>
/// One channel's delivery pipeline, Alertmanager-style: mute (silences, acknowledgements) → dedup →
/// group and deliver with retry (<see cref="ChannelDispatcher"/>) → record. The consumer of the channel's
/// queue runs it for each <c>AlertRaised</c> and acknowledges the message only when it returns.
/// </summary>
public sealed class AlertPipeline(
    IAlertSender sender,
    string queue,
    NotifierOptions options,
    MuteStage mute,
    DedupStage dedup,
    ChannelDispatcher dispatcher,
    DeliveryRecorder recorder,
    ILogger<AlertPipeline> logger)
{
    public async Task ProcessAsync(ConsumeContext<AlertRaised> context)
    {
        var alert = context.Message;
        var channel = sender.Channel;
        if (!options.Enabled)
        {
            logger.LogInformation("Alert {DedupKey} not delivered to {Channel}: ALERT_ENABLE=false", alert.DedupKey, channel);
            return;
        }

        if (await mute.CheckAsync(alert) is { } muted)
        {
            recorder.Suppressed(channel, alert, muted);
            return;
        }

        var claim = await dedup.ClaimAsync(channel, alert, context.MessageId);
        if (claim is DedupDecision.Duplicate or DedupDecision.AlreadyDelivered)
        {
            recorder.Suppressed(channel, alert, SuppressionReason.Dedup);
            return;
        }

        DeliveryReceipt receipt;
        try
        {
            receipt = await dispatcher.DeliverAsync(alert, context.CancellationToken);
        }
        catch (AlertDeliveryException failure)
        {
            await dedup.ReleaseAsync(channel, alert, context.MessageId);
            if (context.GetBrokerDelayedRedelivery() is { } round && round.NextDelay(failure) is { } delay)
            {
                // Not the last round: the message waits in a wait queue and is tried again (NOTIFIER_REDELIVERY_DELAYS);
                // AlertDeliveryFailed is published once, when the last round fails.
                logger.LogWarning("Alert {DedupKey} not delivered to {Channel} in round {Round} of {Rounds} ({Reason}: {Error}); tried again in {Delay} s. Correlation id {CorrelationId}",
                    alert.DedupKey, channel, round.Round + 1, round.Rounds + 1, NotifierMetrics.ReasonLabel(failure.Cause.Reason), failure.Cause.Error, delay.TotalSeconds, alert.CorrelationId);
                throw;
            }
            await recorder.FailedAsync(channel, sender.Destination, queue, alert, failure);
            throw; // NonRetryable: straight to <queue>_error (or, with delayed redelivery, to the next wait queue)
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await dedup.ReleaseAsync(channel, alert, context.MessageId);
            throw; // unexpected: the bus retries it, then _error
        }
        // Cancelled (shutdown): the claim stays ours, the broker redelivers and the same alert passes dedup.

        await dedup.MarkDeliveredAsync(channel, alert);
        await recorder.DeliveredAsync(context, channel, sender.Destination, alert, receipt);
    }
}
