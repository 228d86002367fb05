using MassTransit;
using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier.Pipeline;

/// <summary>
/// One channel's delivery pipeline, Alertmanager-style: mute (silences) → dedup → incident (what the alert becomes:
/// the incident's first message, an edit of it, a severity change with a thread reply, or a quiet repeat;
/// <see cref="IncidentLifecycle"/>) → group and deliver with retry (<see cref="ChannelDispatcher"/>) → record. The
/// consumer of the channel's queue runs it for each <c>AlertRaised</c> and acknowledges the message only when it returns.
/// </summary>
public sealed class AlertPipeline(
    IAlertSender sender,
    string queue,
    NotifierOptions options,
    MuteStage mute,
    DedupStage dedup,
    ChannelDispatcher dispatcher,
    IncidentLifecycle lifecycle,
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

        var step = await lifecycle.BeginAsync(channel, alert, $"{alert.AlertId:N}:{context.MessageId ?? alert.AlertId:N}", context.CancellationToken);
        if (step.Action == MessageAction.Quiet)
        {
            await dedup.MarkDeliveredAsync(channel, alert);
            recorder.Suppressed(channel, alert, SuppressionReason.Repeat);
            return;
        }

        DeliveryReceipt receipt;
        try
        {
            (receipt, step) = await DeliverAsync(step, context.CancellationToken);
        }
        catch (AlertDeliveryException failure)
        {
            await dedup.ReleaseAsync(channel, alert, context.MessageId);
            if (step.Action == MessageAction.Post) await lifecycle.PostFailedAsync(step);
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
            if (step.Action == MessageAction.Post) await lifecycle.PostFailedAsync(step);
            throw; // unexpected: the bus retries it, then _error
        }
        // Cancelled (shutdown): the claim stays ours, the broker redelivers and the same alert passes dedup.

        if (step.Action == MessageAction.Post) await lifecycle.PostedAsync(step, sender.Destination, receipt, context.CancellationToken);
        await dedup.MarkDeliveredAsync(channel, alert);
        await recorder.DeliveredAsync(context, channel, sender.Destination, alert, receipt);
    }

    /// <summary>
    /// Posts the first message (alone or folded into a digest) or edits the one there is. A message that can no longer be
    /// edited (deleted: a permanent error) is replaced by a new one rather than losing the alert.
    /// </summary>
    private async Task<(DeliveryReceipt, IncidentStep)> DeliverAsync(IncidentStep step, CancellationToken cancellationToken)
    {
        if (step.Action == MessageAction.Post) return (await dispatcher.DeliverAsync(step.Alert, cancellationToken), step);
        try
        {
            return (await lifecycle.ApplyAsync(step, cancellationToken), step);
        }
        catch (AlertDeliveryException e) when (e.Cause.Kind == DeliveryErrorKind.Permanent)
        {
            logger.LogWarning("Incident {DedupKey}: its {Channel} message cannot be edited ({Error}); posting a new one", step.Alert.DedupKey, sender.Channel, e.Cause.Error);
            step = await lifecycle.RepostAsync(step);
            return (await dispatcher.DeliverAsync(step.Alert, cancellationToken), step);
        }
    }
}
