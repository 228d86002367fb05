using MassTransit;
using OpsBot.Contracts;

namespace OpsBot.ParityChecker;

/// <summary>Files each ticker of either client into its window.</summary>
public sealed class ParityTickerConsumer(ParityWindowStore store) : IConsumer<TickerReceived>
{
    public Task Consume(ConsumeContext<TickerReceived> context)
    {
        store.Add(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>Queue <c>parity-checker-ticker</c>.</summary>
public sealed class ParityTickerConsumerDefinition : ConsumerDefinition<ParityTickerConsumer>
{
    public ParityTickerConsumerDefinition()
    {
        EndpointName = "parity-checker-ticker";
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<ParityTickerConsumer> consumerConfigurator, IRegistrationContext context) =>
        endpointConfigurator.PrefetchCount = 256;
}

/// <summary>Files each user update of either client into its window.</summary>
public sealed class ParityUserUpdateConsumer(ParityWindowStore store) : IConsumer<UserUpdateReceived>
{
    public Task Consume(ConsumeContext<UserUpdateReceived> context)
    {
        store.Add(context.Message);
        return Task.CompletedTask;
    }
}

/// <summary>Queue <c>parity-checker-user-update</c>.</summary>
public sealed class ParityUserUpdateConsumerDefinition : ConsumerDefinition<ParityUserUpdateConsumer>
{
    public ParityUserUpdateConsumerDefinition()
    {
        EndpointName = "parity-checker-user-update";
        ConcurrentMessageLimit = 16;
    }
}
