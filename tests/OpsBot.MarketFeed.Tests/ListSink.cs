using System.Collections.Concurrent;
using OpsBot.Contracts;

namespace OpsBot.MarketFeed.Tests;

/// <summary>Collects what a client hands on.</summary>
public sealed class ListSink : IFeedSink
{
    private readonly ConcurrentQueue<TickerReceived> _tickers = new();
    private readonly ConcurrentQueue<UserUpdateReceived> _updates = new();
    public IReadOnlyList<TickerReceived> Tickers => _tickers.ToArray();
    public IReadOnlyList<UserUpdateReceived> UserUpdates => _updates.ToArray();
    public void OnTicker(TickerReceived ticker) => _tickers.Enqueue(ticker);
    public void OnUserUpdate(UserUpdateReceived update) => _updates.Enqueue(update);
}
