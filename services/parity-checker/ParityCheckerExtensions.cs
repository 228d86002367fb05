using MassTransit;
using OpsBot.ServiceDefaults;

namespace OpsBot.ParityChecker;

public static class ParityCheckerExtensions
{
    public static WebApplicationBuilder AddParityChecker(this WebApplicationBuilder builder)
    {
        var options = ParityCheckerOptions.From(new Settings(builder.Configuration));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ParityComparer(options.Comparer));
        builder.Services.AddSingleton<ParityMetrics>();
        builder.Services.AddSingleton<ParityWindowStore>();
        builder.Services.AddSingleton<ParityReportFactory>();
        builder.Services.AddSingleton<ParityIncident>();
        builder.Services.AddHostedService<ParityWindowEvaluator>();
        return builder;
    }

    public static IBusRegistrationConfigurator AddParityConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ParityTickerConsumer, ParityTickerConsumerDefinition>();
        bus.AddConsumer<ParityUserUpdateConsumer, ParityUserUpdateConsumerDefinition>();
        return bus;
    }
}
