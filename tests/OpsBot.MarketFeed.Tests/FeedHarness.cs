using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpsBot.Contracts;
using OpsBot.FakeExchange;

namespace OpsBot.MarketFeed.Tests;

/// <summary>One client (raw or sdk) running against an in-process fake exchange playing <paramref name="script"/>.</summary>
public sealed class FeedHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private FeedHarness(FakeExchangeServer exchange, IMarketFeedClient client, ListSink sink, FakeLogCollector logs)
    {
        Exchange = exchange;
        Client = client;
        Sink = sink;
        Logs = logs;
    }

    public FakeExchangeServer Exchange { get; }
    public IMarketFeedClient Client { get; }
    public ListSink Sink { get; }
    public FakeLogCollector Logs { get; }
    public FeedClientStats Stats => Client.Stats;

    public static async Task<FeedHarness> StartAsync(string client, ExchangeScript script, TimeSpan? heartbeatTimeout = null, Func<MarketFeedOptions, IFeedSink, FakeLogCollector, IMarketFeedClient>? create = null)
    {
        var exchange = await FakeExchangeServer.StartAsync(new FakeExchangeOptions { Script = script, IdleHeartbeatInterval = TimeSpan.FromMilliseconds(200) });
        var options = new MarketFeedOptions
        {
            Url = exchange.SessionUrl(client),
            HeartbeatTimeout = heartbeatTimeout ?? TimeSpan.FromSeconds(5),
            ReconnectMin = TimeSpan.FromMilliseconds(100),
            ReconnectMax = TimeSpan.FromSeconds(1),
        };
        var logs = new FakeLogCollector();
        var sink = new ListSink();
        var loggers = new LoggerFactory([new FakeLoggerProvider(logs)]);
        var feedClient = create?.Invoke(options, sink, logs) ?? new FeedClientFactory(options, TimeProvider.System, loggers).Create(client, sink);
        var harness = new FeedHarness(exchange, feedClient, sink, logs);
        harness._running = Task.Run(() => feedClient.RunAsync(harness._stop.Token));
        return harness;
    }

    public async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return;
            await Task.Delay(20);
        }
        throw new TimeoutException($"{Client.Name}: {what} did not happen; tickers {Sink.Tickers.Count}, user updates {Sink.UserUpdates.Count}, frames {Stats.Frames}, malformed {Stats.Malformed}, connections {Stats.Connections}\n"
            + string.Join("\n", Logs.GetSnapshot().TakeLast(15).Select(r => $"{r.Level}: {r.Message}")));
    }

    public IReadOnlyList<FakeLogRecord> Warnings(string contains) =>
        Logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Message.Contains(contains, StringComparison.Ordinal)).ToList();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running.WaitAsync(TimeSpan.FromSeconds(10)); } catch (OperationCanceledException) { }
        await Exchange.DisposeAsync();
        _stop.Dispose();
    }
}
