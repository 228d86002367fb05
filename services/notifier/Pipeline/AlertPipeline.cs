using System.Runtime.ExceptionServices;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Routing;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier.Pipeline;

/// <summary>
/// One integration's delivery pipeline, Alertmanager-style: mute (silences) → inhibit (<see cref="InhibitionStage"/>) →
/// route (<see cref="RoutingTable"/>: which Slack channels, whether Teams) → per destination: dedup → incident (what the
/// alert becomes: the incident's first message, an edit of it, a severity change with a thread reply, or a quiet repeat;
/// <see cref="IncidentLifecycle"/>) → group and deliver with retry (the destination's <see cref="ChannelDispatcher"/>) →
/// record. The consumer of the integration's queue runs it for each <c>AlertRaised</c> and acknowledges the message only
/// when it returns; a destination that failed fails the message after the others were tried (a redelivery skips those
/// already delivered: their dedup claim says so).
/// </summary>
public sealed class AlertPipeline(
    DeliveryChannel channel,
    string queue,
    NotifierOptions options,
    MuteStage mute,
    InhibitionStage inhibition,
    DedupStage dedup,
    ChannelDispatchers dispatchers,
    IncidentLifecycle lifecycle,
    DeliveryRecorder recorder,
    ILogger<AlertPipeline> logger)
{
    public async Task ProcessAsync(ConsumeContext<AlertRaised> context)
    {
        var alert = context.Message;
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

        if (await inhibition.HoldBackAsync(alert))
        {
            recorder.Suppressed(channel, alert, SuppressionReason.Inhibited);
            return;
        }

        var route = options.Routing.Route(alert);
        IReadOnlyList<string> destinations = channel == DeliveryChannel.Teams
            ? route.Teams ? [dispatchers.DefaultDestination] : []
            : route.IsDefault ? [dispatchers.DefaultDestination] : route.SlackChannels;
        if (destinations.Count == 0)
        {
            recorder.Suppressed(channel, alert, SuppressionReason.NotRouted);
            await inhibition.ObserveAsync(alert);
            return;
        }

        // Once its incident is open (after the first destination's incident step, before its message leaves, so a warning
        // right behind a critical is held): from then on it may hold back, or stop holding back, alerts of its strategy.
        var observed = false;
        async Task IncidentOpenAsync()
        {
            if (observed) return;
            observed = true;
            await inhibition.ObserveAsync(alert);
        }

        ExceptionDispatchInfo? failed = null;
        foreach (var destination in destinations)
        {
            try
            {
                await DeliverToAsync(context, dispatchers.For(destination), IncidentOpenAsync);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failed ??= ExceptionDispatchInfo.Capture(e);
            }
        }
        // Cancelled (shutdown): the claims stay ours, the broker redelivers and the same alert passes dedup.
        failed?.Throw();
    }

    private async Task DeliverToAsync(ConsumeContext<AlertRaised> context, ChannelDispatcher dispatcher, Func<Task> incidentOpen)
    {
        var alert = context.Message;
        var destination = dispatcher.Destination;
        var label = DestinationLabel.Of(channel, destination, dispatchers.DefaultDestination);
        var claim = await dedup.ClaimAsync(label, alert, context.MessageId);
        if (claim is DedupDecision.Duplicate or DedupDecision.AlreadyDelivered)
        {
            recorder.Suppressed(channel, alert, SuppressionReason.Dedup);
            return;
        }

        var step = await lifecycle.BeginAsync(channel, label, alert, $"{alert.AlertId:N}:{context.MessageId ?? alert.AlertId:N}", context.CancellationToken);
        await incidentOpen();
        if (step.Action == MessageAction.Quiet)
        {
            await dedup.MarkDeliveredAsync(label, alert);
            recorder.Suppressed(channel, alert, SuppressionReason.Repeat);
            return;
        }

        DeliveryReceipt receipt;
        try
        {
            (receipt, step) = await DeliverAsync(step, dispatcher, context.CancellationToken);
        }
        catch (AlertDeliveryException failure)
        {
            await dedup.ReleaseAsync(label, alert, context.MessageId);
            if (step.Action == MessageAction.Post) await lifecycle.PostFailedAsync(step);
            if (context.GetBrokerDelayedRedelivery() is { } round && round.NextDelay(failure) is { } delay)
            {
                // Not the last round: the message waits in a wait queue and is tried again (NOTIFIER_REDELIVERY_DELAYS);
                // AlertDeliveryFailed is published once, when the last round fails.
                logger.LogWarning("Alert {DedupKey} not delivered to {Channel} {Destination} in round {Round} of {Rounds} ({Reason}: {Error}); tried again in {Delay} s. Correlation id {CorrelationId}",
                    alert.DedupKey, channel, destination, round.Round + 1, round.Rounds + 1, NotifierMetrics.ReasonLabel(failure.Cause.Reason), failure.Cause.Error, delay.TotalSeconds, alert.CorrelationId);
                throw;
            }
            await recorder.FailedAsync(channel, destination, queue, alert, failure);
            throw; // NonRetryable: straight to <queue>_error (or, with delayed redelivery, to the next wait queue)
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await dedup.ReleaseAsync(label, alert, context.MessageId);
            if (step.Action == MessageAction.Post) await lifecycle.PostFailedAsync(step);
            throw; // unexpected: the bus retries it, then _error
        }

        if (step.Action == MessageAction.Post) await lifecycle.PostedAsync(step, destination, receipt, context.CancellationToken);
        await dedup.MarkDeliveredAsync(label, alert);
        await recorder.DeliveredAsync(context, channel, destination, alert, receipt);
    }

    /// <summary>
    /// Posts the first message (alone or folded into a digest) or edits the one there is. A message that can no longer be
    /// edited (deleted: a permanent error) is replaced by a new one rather than losing the alert.
    /// </summary>
    private async Task<(DeliveryReceipt, IncidentStep)> DeliverAsync(IncidentStep step, ChannelDispatcher dispatcher, CancellationToken cancellationToken)
    {
        if (step.Action == MessageAction.Post) return (await dispatcher.DeliverAsync(step.Alert, cancellationToken), step);
        try
        {
            return (await lifecycle.ApplyAsync(step, cancellationToken), step);
        }
        catch (AlertDeliveryException e) when (e.Cause.Kind == DeliveryErrorKind.Permanent)
        {
            logger.LogWarning("Incident {DedupKey}: its {Channel} message in {Destination} cannot be edited ({Error}); posting a new one", step.Alert.DedupKey, channel, dispatcher.Destination, e.Cause.Error);
            step = await lifecycle.RepostAsync(step);
            return (await dispatcher.DeliverAsync(step.Alert, cancellationToken), step);
        }
    }
}
