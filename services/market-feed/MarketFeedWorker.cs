namespace OpsBot.MarketFeed;

/// <summary>Runs the client that <c>USE_OFFICIAL_SDK</c> picks, feeding the bus sink.</summary>
public sealed class MarketFeedWorker(FeedClientFactory factory, BusFeedSink sink, MarketFeedOptions options, ActiveFeedClient active, ILogger<MarketFeedWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var client = factory.CreateConfigured(sink);
        sink.Stats = client.Stats;
        active.Client = client;
        logger.LogInformation("Market feed starting with the {Client} client ({Setting}={UseSdk}) for {Products} on {Channels}",
            client.Name, MarketFeedSettingNames.UseOfficialSdk, options.UseOfficialSdk, string.Join(",", options.Products), string.Join(",", options.Channels));
        return Task.Run(() => client.RunAsync(stoppingToken), stoppingToken);
    }
}

/// <summary>The client the worker runs, for the readiness check.</summary>
public sealed class ActiveFeedClient
{
    public IMarketFeedClient? Client { get; set; }
}
