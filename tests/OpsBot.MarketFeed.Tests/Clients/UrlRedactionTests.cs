using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpsBot.FakeExchange;

namespace OpsBot.MarketFeed.Tests.Clients;

/// <summary>
/// Issue 13 item 4: both clients logged EXCHANGE_WS_URL with <c>GetLeftPart(UriPartial.Path)</c> (the raw client in a
/// helper named "Redacted"), which keeps <c>user:password@</c>. They now print it through <c>UrlRedaction</c>.
/// </summary>
public sealed class UrlRedactionTests
{
    [Theory]
    [InlineData(FeedClientNames.Raw)]
    [InlineData(FeedClientNames.Sdk)]
    public async Task The_connect_line_shows_EXCHANGE_WS_URL_without_its_password(string client)
    {
        var script = new ExchangeScript([[new TickerStep([new("BTC-USD", "1.00")])]]);
        await using var feed = await FeedHarness.StartAsync(client, script, create: (options, sink, logs) =>
        {
            var withUser = new UriBuilder(options.Url) { UserName = "feed-user", Password = "exchange-pw-81" }.Uri;
            var loggers = new LoggerFactory([new FakeLoggerProvider(logs)]);
            return new FeedClientFactory(options with { Url = withUser }, TimeProvider.System, loggers).Create(client, sink);
        });

        await feed.WaitUntilAsync(() => feed.Sink.Tickers.Count == 1, "the ticker");

        var lines = string.Join("\n", feed.Logs.GetSnapshot().Select(r => r.Message + " " + r.Exception));
        Assert.Contains($"Connected to the exchange at ws://***@127.0.0.1:{feed.Exchange.Url.Port}/", lines);
        Assert.DoesNotContain("exchange-pw-81", lines);
        Assert.DoesNotContain("feed-user", lines);
    }

    [Fact]
    public void MarketFeedOptions_print_no_password()
    {
        var options = new MarketFeedOptions { Url = new Uri("wss://feed-user:exchange-pw-82@exchange.example.com/ws?token=exchange-token-82") };

        Assert.DoesNotContain("exchange-pw-82", options.ToString());
        Assert.DoesNotContain("exchange-token-82", options.ToString());
        Assert.Contains("wss://***@exchange.example.com/ws?token=***", options.ToString());
    }
}
