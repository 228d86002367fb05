using MassTransit;
using OpsBot.Bot.Commands;
using OpsBot.Contracts;

namespace OpsBot.Bot.Interactions;

/// <summary>What became of a published <c>KillSwitchRequested</c>.</summary>
public enum KillSwitchDelivery
{
    /// <summary>RabbitMQ confirmed it and routed it to at least one queue (a trading system's).</summary>
    Routed,
    /// <summary>RabbitMQ returned it: no queue is bound to <c>opsbot.kill-switch-requested.v1</c>, nobody received it.</summary>
    Unroutable,
}

/// <summary>
/// Publishes <c>KillSwitchRequested</c> as a <em>mandatory</em> message with publisher confirms: when no
/// trading system has a queue bound to its exchange, RabbitMQ returns it (<c>basic.return</c>), which
/// MassTransit 8.5 raises as <see cref="MessageReturnedException"/> — verified against RabbitMQ by
/// <c>KillSwitchDeliveryTests</c>. A request is never reported as sent when nothing received it.
/// </summary>
public sealed class KillSwitchPublisher(IBus bus)
{
    /// <summary>Routed or unroutable; throws like any publish when the broker cannot be reached in time.</summary>
    public async Task<KillSwitchDelivery> PublishAsync(KillSwitchRequested request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(BusPublish.Timeout);
        try
        {
            await bus.Publish(request, context =>
            {
                if (context is RabbitMqSendContext rabbit) rabbit.Mandatory = true;
            }, timeout.Token);
            return KillSwitchDelivery.Routed;
        }
        catch (MessageReturnedException)
        {
            return KillSwitchDelivery.Unroutable;
        }
    }
}
