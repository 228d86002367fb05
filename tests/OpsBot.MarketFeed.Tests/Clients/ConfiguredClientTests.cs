using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using OpsBot.FakeExchange;
using OpsBot.MarketFeed.Raw;
using OpsBot.MarketFeed.Sdk;
using OpsBot.ServiceDefaults;

namespace OpsBot.MarketFeed.Tests.Clients;

/// <summary>The client the service runs follows USE_OFFICIAL_SDK: CI runs this suite once with false and once with true.</summary>
public sealed class ConfiguredClientTests
{
    private static Settings Settings(params (string Key, string? Value)[] values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    [Trait("Matrix", "USE_OFFICIAL_SDK")] // reads the switch from the environment: scripts/test.sh runs it once per value
    public async Task The_configured_client_follows_USE_OFFICIAL_SDK_from_the_environment()
    {
        var settings = new Settings(new ConfigurationBuilder().AddEnvironmentVariables().Build());
        var useSdk = settings.Bool(MarketFeedSettingNames.UseOfficialSdk, false);
        var script = ExchangeScript.Standard(extraTicks: 10);
        await using var feed = await FeedHarness.StartAsync("configured", script, create: (options, sink, _) =>
        {
            var configured = MarketFeedOptions.From(settings) with { Url = options.Url, ReconnectMin = options.ReconnectMin, ReconnectMax = options.ReconnectMax };
            return new FeedClientFactory(configured, TimeProvider.System, NullLoggerFactory.Instance).CreateConfigured(sink);
        });

        Assert.IsType(useSdk ? typeof(WebsocketClientFeedClient) : typeof(RawWebSocketFeedClient), feed.Client);
        var (tickers, updates) = script.ExpectedCounts();
        await feed.WaitUntilAsync(() => feed.Sink.Tickers.Count == tickers && feed.Sink.UserUpdates.Count == updates, "every event of the script");
        Assert.All(feed.Sink.Tickers, t => Assert.Equal(useSdk ? "sdk" : "raw", t.Client));
    }

    [Fact]
    public void Defaults_are_the_raw_client_on_the_real_exchange()
    {
        var options = MarketFeedOptions.From(Settings());
        Assert.False(options.UseOfficialSdk);
        Assert.Equal("raw", options.ClientName);
        Assert.Equal(new Uri("wss://advanced-trade-ws.coinbase.com"), options.Url);
        Assert.Equal(["BTC-USD", "ETH-USD"], options.Products);
        Assert.Equal(["ticker", "user"], options.Channels);
        Assert.Equal(TimeSpan.FromSeconds(10), options.HeartbeatTimeout);
    }

    [Theory]
    [InlineData("EXCHANGE_WS_URL", "http://example.com/", "ws:// or wss://")]
    [InlineData("FEED_PRODUCTS", "BTC USD", "FEED_PRODUCTS")]
    [InlineData("FEED_CHANNELS", "level2", "ticker and/or user")]
    [InlineData("USE_OFFICIAL_SDK", "maybe", "true or false")]
    [InlineData("FEED_HEARTBEAT_TIMEOUT_SECONDS", "0", "between")]
    public void A_bad_setting_names_itself(string name, string value, string expected)
    {
        var e = Assert.Throws<SettingsException>(() => MarketFeedOptions.From(Settings((name, value))));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backoff_grows_to_the_maximum_and_resets()
    {
        var backoff = new BackoffSequence(new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)), new Random(1));
        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next()).ToList();
        Assert.InRange(delays[0].TotalMilliseconds, 100, 120);
        Assert.True(delays[3] > delays[1]);
        Assert.All(delays, d => Assert.InRange(d.TotalMilliseconds, 100, 1000));
        Assert.InRange(delays[^1].TotalMilliseconds, 800, 1000);
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 100, 120);
    }
}
