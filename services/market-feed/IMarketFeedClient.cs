using OpsBot.Contracts;

namespace OpsBot.MarketFeed;

/// <summary>
/// A client of the exchange's WebSocket feed: connects, subscribes to <c>heartbeats</c> and the
/// configured channels, keeps the connection alive (reconnect and resubscribe), and hands every
/// decoded event to its sink tagged with its <see cref="Name"/>. Two independent implementations:
/// <see cref="Raw.RawWebSocketFeedClient"/> and <see cref="Sdk.WebsocketClientFeedClient"/>.
/// </summary>
public interface IMarketFeedClient
{
    /// <summary><c>raw</c> or <c>sdk</c>: the <c>Client</c> field of every event it produces.</summary>
    string Name { get; }

    FeedClientStats Stats { get; }

    /// <summary>Runs until <paramref name="stoppingToken"/> is cancelled; never throws for the exchange's faults.</summary>
    Task RunAsync(CancellationToken stoppingToken);
}

/// <summary>Where a client hands its events. Called on the client's receive path: must not block.</summary>
public interface IFeedSink
{
    void OnTicker(TickerReceived ticker);
    void OnUserUpdate(UserUpdateReceived update);
}
