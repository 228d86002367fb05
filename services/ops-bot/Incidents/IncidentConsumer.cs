using MassTransit;
using OpsBot.Contracts;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.Incidents;

/// <summary>
/// Applies the alert lifecycle events to the incident view (<see cref="IncidentView"/>). Redis down: the event fails and
/// is tried again (in-process retry, then the broker's delayed redelivery, <see cref="IncidentConsumerDefinition"/>), so
/// no event is lost while Redis is away; applying one twice changes nothing.
/// </summary>
public sealed class IncidentConsumer(IncidentView view, ILogger<IncidentConsumer> logger) :
    IConsumer<AlertRaised>,
    IConsumer<AlertAcknowledged>,
    IConsumer<AlertDelivered>,
    IConsumer<AlertResolved>
{
    public async Task Consume(ConsumeContext<AlertRaised> context) =>
        Log("AlertRaised", context.Message.DedupKey, await view.RaisedAsync(context.Message));

    public async Task Consume(ConsumeContext<AlertAcknowledged> context) =>
        Log("AlertAcknowledged", context.Message.DedupKey, await view.AcknowledgedAsync(context.Message));

    public async Task Consume(ConsumeContext<AlertDelivered> context) =>
        Log("AlertDelivered", context.Message.DedupKey, await view.DeliveredAsync(context.Message));

    public async Task Consume(ConsumeContext<AlertResolved> context) =>
        Log("AlertResolved", context.Message.DedupKey, await view.ResolvedAsync(context.Message));

    private void Log(string @event, string dedupKey, string outcome) =>
        logger.LogDebug("Incident view: {Event} for {DedupKey} → {Outcome}", @event, dedupKey, outcome);
}

/// <summary>
/// One durable queue, <c>ops-bot-incidents</c>, shared by every replica (competing consumers: each event is applied
/// once, by one replica, to the shared view; events published while no ops-bot runs wait in the queue). A failure
/// (Redis unreachable) is retried in process, then waits in <c>ops-bot-incidents_delay_&lt;n&gt;</c> for
/// <see cref="RedeliveryDelays"/> (about an hour in all) before it would be parked in <c>ops-bot-incidents_error</c>
/// (re-drive with <c>scripts/redrive ops-bot-incidents_error</c>).
/// </summary>
public sealed class IncidentConsumerDefinition : ConsumerDefinition<IncidentConsumer>
{
    public const string QueueName = "ops-bot-incidents";
    public static readonly IReadOnlyList<TimeSpan> RedeliveryDelays =
        [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30)];

    public IncidentConsumerDefinition()
    {
        EndpointName = QueueName;
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<IncidentConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.UseBrokerDelayedRedelivery(context, RedeliveryDelays);
}
