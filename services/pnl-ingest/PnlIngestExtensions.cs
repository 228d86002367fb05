using OpsBot.ServiceDefaults;

namespace OpsBot.PnlIngest;

public static class PnlIngestExtensions
{
    public static WebApplicationBuilder AddPnlIngest(this WebApplicationBuilder builder)
    {
        var options = PnlIngestOptions.From(new Settings(builder.Configuration));
        builder.Services.AddSingleton(options);
        builder.Services.AddOpsBotRedis(options.RedisUrl);
        builder.Services.AddSingleton<PnlIngestMetrics>();
        builder.Services.AddSingleton<PnlMessageParser>();
        builder.Services.AddSingleton(sp => new ConflatingPnlBuffer(options.BufferCapacity, sp.GetRequiredService<PnlIngestMetrics>(), options.Conflate));
        builder.Services.AddHostedService<RedisPnlSubscriber>();
        builder.Services.AddHostedService<PnlPublisher>();
        builder.AddKillSwitchPolling();
        return builder;
    }
}
