using MassTransit;
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
        return builder;
    }

    /// <summary>
    /// The consumers, each on an endpoint of its own: for MassTransit's in-memory test harness, which has no partitions.
    /// The service runs PnL and tickers on partition endpoints instead (<see cref="RiskPartitionExtensions"/>).
    /// </summary>
    public static IBusRegistrationConfigurator AddRiskConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<PnlUpdatedConsumer, PnlUpdatedConsumerDefinition>();
        bus.AddConsumer<TickerReceivedConsumer, TickerReceivedConsumerDefinition>();
        bus.AddConsumer<KillSwitchChangedConsumer, KillSwitchChangedConsumerDefinition>();
        return bus;
    }
}
