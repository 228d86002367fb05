using OpsBot.FakeExchange;

namespace OpsBot.MarketFeed.Tests.Clients;

/// <summary>
/// Both clients, always (whatever USE_OFFICIAL_SDK says), against the fake exchange: reconnect with
/// resubscription, the heartbeat watchdog, sequence gaps and stale frames, a malformed frame, fragments.
/// </summary>
public sealed class FeedClientBehaviourTests
{
    private static readonly string[] AllChannels = ["heartbeats", "ticker", "user"];

    private static TickerStep Tick(string price, string product = "BTC-USD", int fragments = 1) => new([new(product, price, "70000.00", "60000.00")], Fragments: fragments);

    [Theory]
    [InlineData(FeedClientNames.Raw)]
    [InlineData(FeedClientNames.Sdk)]
    public async Task Reconnects_after_a_forced_disconnect_and_resubscribes_to_every_channel(string client)
    {
        var script = new ExchangeScript([[Tick("1.00"), new DisconnectStep()], [Tick("2.00"), new OrdersStep([new("o-9", "ETH-USD", "SELL", "OPEN", "0", "")])]]);
        await using var feed = await FeedHarness.StartAsync(client, script);

        await feed.WaitUntilAsync(() => feed.Sink.UserUpdates.Count == 1, "the second connection's user update");

        var connections = feed.Exchange.ConnectionsOf(client);
        Assert.Equal(2, connections.Count);
        foreach (var connection in connections)
        {
            Assert.Equal(AllChannels, connection.Subscriptions.Keys.Order());
            Assert.Equal(["BTC-USD", "ETH-USD"], connection.Subscriptions["ticker"]);
            Assert.Equal(3, connection.SubscribeMessages.Count); // one channel per subscribe message, as the exchange wants
        }
        Assert.Equal([1.00m, 2.00m], feed.Sink.Tickers.Select(t => t.Price));
        Assert.All(feed.Sink.Tickers, t => Assert.Equal(client, t.Client));
        Assert.Equal(2, feed.Stats.Connections);
        Assert.Equal(0, feed.Stats.Gaps); // the sequence starts again on the new connection: no false gap
    }

    [Theory]
    [InlineData(FeedClientNames.Raw)]
    [InlineData(FeedClientNames.Sdk)]
    public async Task A_silent_connection_is_dropped_by_the_heartbeat_watchdog_and_resubscribed(string client)
    {
        var script = new ExchangeScript([[Tick("1.00"), new SilenceStep()], [Tick("2.00")]]);
        await using var feed = await FeedHarness.StartAsync(client, script, heartbeatTimeout: TimeSpan.FromSeconds(1));

        await feed.WaitUntilAsync(() => feed.Sink.Tickers.Count == 2, "the ticker after the watchdog's reconnect");

        Assert.Equal(2, feed.Exchange.ConnectionsOf(client).Count);
        Assert.Equal(AllChannels, feed.Exchange.ConnectionsOf(client)[1].Subscriptions.Keys.Order());
    }

    [Theory]
    [InlineData(FeedClientNames.Raw)]
    [InlineData(FeedClientNames.Sdk)]
    public async Task Detects_a_sequence_gap_and_drops_a_stale_frame(string client)
    {
        var script = new ExchangeScript([[Tick("1.00"), new SkipSequenceStep(3), Tick("2.00"), new SwapNextStep(), Tick("3.00"), Tick("4.00"), Tick("5.00")]]);
        await using var feed = await FeedHarness.StartAsync(client, script);

        await feed.WaitUntilAsync(() => feed.Sink.Tickers.Any(t => t.Price == 5.00m), "the last ticker");

        // 3 skipped numbers: one gap; the swapped pair: 4.00 arrives first (a gap of one), 3.00 after it (stale, dropped).
        Assert.Equal(2, feed.Stats.Gaps);
        Assert.Equal(4, feed.Stats.MissedFrames);
        Assert.Equal(1, feed.Stats.StaleFrames);
        Assert.Equal([1.00m, 2.00m, 4.00m, 5.00m], feed.Sink.Tickers.Select(t => t.Price));
        Assert.True(feed.Sink.Tickers.Zip(feed.Sink.Tickers.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "published sequences strictly increase");
        Assert.Single(feed.Warnings("Sequence gap"), w => w.Message.Contains("3 frame(s) missed", StringComparison.Ordinal));
        Assert.Single(feed.Warnings("Stale frame"));
        Assert.Equal(1, feed.Stats.Connections);
    }

    [Theory]
    [InlineData(FeedClientNames.Raw)]
    [InlineData(FeedClientNames.Sdk)]
    public async Task A_malformed_frame_is_one_counted_warning_and_the_feed_goes_on(string client)
    {
        var script = new ExchangeScript([[
            Tick("1.00"),
            new MalformedStep("{\"channel\":\"ticker\",\"sequence_num\":"),
            Tick("2.00"),
        ]]);
        await using var feed = await FeedHarness.StartAsync(client, script);

        await feed.WaitUntilAsync(() => feed.Sink.Tickers.Count == 2, "the ticker after the malformed frame");

        Assert.Equal(1, feed.Stats.Malformed);
        var warning = Assert.Single(feed.Warnings("Malformed frame"));
        Assert.Contains("invalid JSON", warning.Message, StringComparison.Ordinal);
        Assert.Equal(1, feed.Stats.Connections); // not a reason to reconnect
        Assert.Equal(0, feed.Stats.Gaps);        // a malformed frame takes no sequence number
    }

    [Theory]
    [InlineData(FeedClientNames.Raw)]
    [InlineData(FeedClientNames.Sdk)]
    public async Task A_frame_sent_in_fragments_is_reassembled(string client)
    {
        var script = new ExchangeScript([[Tick("1.25", fragments: 7), new TickerStep([new("BTC-USD", "2.50"), new("ETH-USD", "3.75")], Snapshot: true, Fragments: 2)]]);
        await using var feed = await FeedHarness.StartAsync(client, script);

        await feed.WaitUntilAsync(() => feed.Sink.Tickers.Count == 3, "three tickers");

        Assert.Equal([1.25m, 2.50m, 3.75m], feed.Sink.Tickers.Select(t => t.Price));
        Assert.Equal(0, feed.Stats.Malformed);
    }

    [Theory]
    [InlineData(FeedClientNames.Raw)]
    [InlineData(FeedClientNames.Sdk)]
    public async Task The_standard_session_yields_what_the_script_sends(string client)
    {
        var script = ExchangeScript.Standard(extraTicks: 20);
        await using var feed = await FeedHarness.StartAsync(client, script);
        var (tickers, updates) = script.ExpectedCounts();

        await feed.Exchange.WaitForSessionCompleteAsync(client, TimeSpan.FromSeconds(20));
        await feed.WaitUntilAsync(() => feed.Sink.Tickers.Count == tickers && feed.Sink.UserUpdates.Count == updates, "every event of the script");

        Assert.Equal(1, feed.Stats.Malformed);
        Assert.Equal(2, feed.Stats.Gaps);
        Assert.Equal(1, feed.Stats.StaleFrames);
        Assert.Equal(2, feed.Stats.Connections);
        var filled = Assert.Single(feed.Sink.UserUpdates, u => u.Status == "FILLED");
        Assert.Equal(("o-1", "c-1", "BUY", 0.001m, 68902.10m), (filled.OrderId, filled.ClientOrderId, filled.Side, filled.FilledSize, filled.AveragePrice));
    }
}
