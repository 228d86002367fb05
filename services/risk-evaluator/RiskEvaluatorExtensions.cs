using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

public static class RiskEvaluatorExtensions
{
    public static WebApplicationBuilder AddRiskEvaluator(this WebApplicationBuilder builder)
    {
        var options = RiskEvaluatorOptions.From(new Settings(builder.Configuration));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new PnlLossRule(options.PnlLossThreshold));
        builder.Services.AddSingleton<AlertFactory>();
        builder.Services.AddSingleton<PriceBandMonitor>();
        builder.Services.AddSingleton<DrawdownMonitor>();
        builder.Services.AddSingleton(RiskPartitionOptions.From(new Settings(builder.Configuration)));
        builder.Services.AddSingleton<RiskPartitionTopology>();
        builder.Services.AddSingleton<PartitionTopologyMaintenance>();
        builder.Services.TryAddSingleton<IPartitionOwnershipListener, NoPartitionOwnershipListener>();
        return builder;
    }

    /// <summary>
    /// The consumers. PnL and tickers run on the partition endpoints (<see cref="AddRiskPartitionEndpoints"/>), not on
    /// endpoints of their own; the kill switch, which has no per-key state, keeps its competing-consumer queue.
    /// </summary>
    public static IBusRegistrationConfigurator AddRiskConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<PnlUpdatedConsumer, PnlUpdatedConsumerDefinition>().ExcludeFromConfigureEndpoints();
        bus.AddConsumer<TickerReceivedConsumer, TickerReceivedConsumerDefinition>().ExcludeFromConfigureEndpoints();
        bus.AddReceiveEndpointObserver<PartitionOwnershipObserver>();
        bus.AddConsumer<KillSwitchChangedConsumer, KillSwitchChangedConsumerDefinition>();
        return bus;
    }

    /// <summary>The partition endpoints of PnL and tickers (<see cref="RiskPartitionTopology"/>).</summary>
    public static void AddRiskPartitionEndpoints(this IRabbitMqBusFactoryConfigurator cfg, IBusRegistrationContext context) =>
        context.GetRequiredService<RiskPartitionTopology>().ConfigureEndpoints(context, cfg, context.GetRequiredService<OpsBotBusSettings>().QuorumQueues);
}
