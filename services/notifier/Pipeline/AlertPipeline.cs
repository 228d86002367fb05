using MassTransit;
using OpsBot.Contracts;

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
    public DeliveryChannel Channel => sender.Channel;
    public string Queue => queue;
    public ChannelDispatcher Dispatcher => dispatcher;

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
            await recorder.FailedAsync(channel, sender.Destination, queue, alert, failure);
            throw; // NonRetryable: straight to <queue>_error
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
