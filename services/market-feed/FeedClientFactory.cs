using OpsBot.MarketFeed.Raw;
using OpsBot.MarketFeed.Sdk;

namespace OpsBot.MarketFeed;

/// <summary>Makes the client named by <c>USE_OFFICIAL_SDK</c> (or either by name, for the parity run).</summary>
public sealed class FeedClientFactory(MarketFeedOptions options, TimeProvider time, ILoggerFactory loggers)
{
    public IMarketFeedClient CreateConfigured(IFeedSink sink) => Create(options.ClientName, sink);

    public IMarketFeedClient Create(string name, IFeedSink sink, MarketFeedOptions? with = null) => name switch
    {
        FeedClientNames.Raw => new RawWebSocketFeedClient(with ?? options, sink, time, loggers.CreateLogger<RawWebSocketFeedClient>()),
        FeedClientNames.Sdk => new WebsocketClientFeedClient(with ?? options, sink, time, loggers),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "expected raw or sdk"),
    };
}
