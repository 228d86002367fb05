using MassTransit;
using OpsBot.Bot.Interactions;
using OpsBot.Contracts;

namespace OpsBot.Bot.State;

/// <summary>
/// Feeds every event the bot reports on into <see cref="OpsStateCache"/>, and each <c>KillSwitchChanged</c> to
/// the kill-switch requests waiting for it (<see cref="KillSwitchConfirmations"/>). Cheap: no I/O.
/// </summary>
public sealed class OpsStateConsumer(OpsStateCache cache, KillSwitchConfirmations confirmations) :
    IConsumer<PnlUpdated>,
    IConsumer<KillSwitchChanged>,
    IConsumer<AlertRaised>,
    IConsumer<AlertDelivered>,
    IConsumer<AlertDeliveryFailed>,
    IConsumer<ParityReport>,
    IConsumer<TickerReceived>,
    IConsumer<PriceBandUpdated>
{
    public Task Consume(ConsumeContext<PnlUpdated> context) { cache.Record(context.Message); return Task.CompletedTask; }
    public Task Consume(ConsumeContext<KillSwitchChanged> context)
    {
        cache.Record(context.Message);
        confirmations.Observe(context.Message);
        return Task.CompletedTask;
    }
    public Task Consume(ConsumeContext<AlertRaised> context) { cache.Record(context.Message); return Task.CompletedTask; }
    public Task Consume(ConsumeContext<AlertDelivered> context) { cache.Record(context.Message); return Task.CompletedTask; }
    public Task Consume(ConsumeContext<AlertDeliveryFailed> context) { cache.Record(context.Message); return Task.CompletedTask; }
    public Task Consume(ConsumeContext<ParityReport> context) { cache.Record(context.Message); return Task.CompletedTask; }
    public Task Consume(ConsumeContext<TickerReceived> context) { cache.Record(context.Message); return Task.CompletedTask; }
    public Task Consume(ConsumeContext<PriceBandUpdated> context) { cache.Record(context.Message); return Task.CompletedTask; }
}

/// <summary>
/// Every replica needs every event for its cache, so each gets its own non-durable, auto-deleted queue
/// (<c>ops-bot-state-{instance id}</c>) instead of competing on one; nothing is lost that matters, since the
/// cache is rebuilt from the next events after a restart.
/// </summary>
public sealed class OpsStateConsumerDefinition : ConsumerDefinition<OpsStateConsumer>
{
    public const string QueueName = "ops-bot-state";

    public OpsStateConsumerDefinition() => ConcurrentMessageLimit = 16;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<OpsStateConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.UseMessageRetry(r => r.None());
        if (endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            // a per-replica cache queue: never durable, gone a minute after its replica
            rabbit.Durable = false;
            rabbit.AutoDelete = true;
            rabbit.SetQueueArgument("x-queue-type", "classic");
            rabbit.SetQueueArgument("x-expires", 60_000);
        }
    }
}
