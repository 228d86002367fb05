using MassTransit;
using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Routing;

namespace OpsBot.Notifier.Consumers;

/// <summary>
/// <c>AlertResolved</c> from its own queue (<c>notifier-resolutions</c>): the incident of its dedup key is resolved and
/// its messages say so (<see cref="IncidentLifecycle.ResolveAsync"/>). A delivery that fails makes the bus retry the
/// message; what was shown already is not shown again. Then inhibition learns of it: alerts it held back are sent
/// (<see cref="InhibitionStage.ResolvedAsync"/>).
/// </summary>
public sealed class ResolutionConsumer(IncidentLifecycle incidents, InhibitionStage inhibition, NotifierOptions options, ILogger<ResolutionConsumer> logger) : IConsumer<AlertResolved>
{
    public const string Queue = "notifier-resolutions";

    public async Task Consume(ConsumeContext<AlertResolved> context)
    {
        if (!options.Enabled)
        {
            logger.LogInformation("Resolution of {DedupKey} not delivered: ALERT_ENABLE=false", context.Message.DedupKey);
            return;
        }
        await incidents.ResolveAsync(context.Message, context.CancellationToken);
        await inhibition.ResolvedAsync(context.Message, context.CancellationToken);
    }
}

/// <summary>Its own queue; a resolution that could not be shown waits and is tried again like an alert (<c>NOTIFIER_REDELIVERY_DELAYS</c>).</summary>
public sealed class ResolutionConsumerDefinition : ConsumerDefinition<ResolutionConsumer>
{
    private readonly NotifierOptions _options;

    public ResolutionConsumerDefinition(NotifierOptions options)
    {
        _options = options;
        EndpointName = ResolutionConsumer.Queue;
        ConcurrentMessageLimit = 8;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ResolutionConsumer> consumerConfigurator, IRegistrationContext context) =>
        AlertRedelivery.Configure(endpointConfigurator, context, _options);
}
