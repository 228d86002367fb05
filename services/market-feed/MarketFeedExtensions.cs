using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsBot.ServiceDefaults;

namespace OpsBot.MarketFeed;

public static class MarketFeedExtensions
{
    public static WebApplicationBuilder AddMarketFeed(this WebApplicationBuilder builder)
    {
        var options = MarketFeedOptions.From(new Settings(builder.Configuration));
        // The library logs every lost connection as an error with a full stack trace; the sdk client logs one warning line itself.
        builder.Logging.AddFilter("Websocket.Client", LogLevel.Critical);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<FeedClientFactory>();
        builder.Services.AddSingleton<BusFeedSink>();
        builder.Services.AddSingleton<ActiveFeedClient>();
        builder.Services.AddHostedService<MarketFeedWorker>();
        builder.Services.AddHostedService<FeedBusPublisher>();
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("exchange",
            sp => new ExchangeHealthCheck(sp.GetRequiredService<ActiveFeedClient>()), HealthStatus.Unhealthy, [ServiceDefaultsExtensions.ReadyTag]));
        return builder;
    }
}
