using MassTransit;
using OpsBot.RiskEvaluator.State;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator;

public static class RiskEvaluatorExtensions
{
    public static WebApplicationBuilder AddRiskEvaluator(this WebApplicationBuilder builder)
    {
        var options = RiskEvaluatorOptions.From(new Settings(builder.Configuration));
        builder.Services.AddRiskEvaluatorCore(options);
        // Redis holds the durable state; while it is down risk-evaluator judges from memory, so it stays ready.
        builder.Services.AddOpsBotRedis(options.State.RedisUrl, requiredForReadiness: false);
        builder.Services.AddHostedService<RiskStateWarmUp>();
        builder.Services.AddHostedService<DirtyStateWriter>();
        builder.Services.AddHostedService<RiskStateEvictor>();
        return builder;
    }

    /// <summary>The rules, the state cache and its persistence (Redis: an <c>IConnectionMultiplexer</c> must be registered).</summary>
    public static IServiceCollection AddRiskEvaluatorCore(this IServiceCollection services, RiskEvaluatorOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(options.State);
        services.AddSingleton(new StrategyEvaluator(new PnlLossRule(options.PnlLossThreshold, options.ResolveHysteresis), options.DrawdownThreshold));
        services.AddSingleton(new PriceBandEvaluator(options.BandMultiplier, options.BandResolveAfter));
        services.AddSingleton<RiskMetrics>();
        services.AddSingleton<AlertFactory>();
        services.AddSingleton<AlertPublisher>();
        services.AddSingleton<BandEdges>();
        services.AddSingleton<RiskStateStore>();
        services.AddSingleton<RiskStatePersistence>();
        services.AddSingleton<RiskStateCache>();
        services.AddSingleton<IRiskStateOwnership>(sp => sp.GetRequiredService<RiskStateCache>());
        return services;
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
