using System.Text;
using OpsBot.MarketFeed.Raw;
using OpsBot.MarketFeed.Sdk;
using OpsBot.ParityChecker;

namespace OpsBot.MarketFeed.Tests.Decoding;

/// <summary>The two decoders, written independently, on the same frames: same events, same verdicts.</summary>
public sealed class FrameDecoderTests
{
    private const string Ticker = """
        {"channel":"ticker","client_id":"","timestamp":"2023-06-23T20:31:26.122969572Z","sequence_num":12,
         "events":[{"type":"snapshot","tickers":[
           {"type":"ticker","product_id":"BTC-USD","price":"68900.50","volume_24_h":"15328.1","low_24_h":"67500.00","high_24_h":"69200.00","price_percent_chg_24_h":"1.85"},
           {"type":"ticker","product_id":"ETH-USD","price":"3500.1","volume_24_h":"1.0"}]}]}
        """;

    private const string User = """
        {"events":[{"type":"update","orders":[{"order_id":"a1","client_order_id":"","cumulative_quantity":"0.5","leaves_quantity":"0.5",
          "avg_price":"100.25","status":"OPEN","product_id":"BTC-USD","order_side":"sell","order_type":"Limit"}],"positions":[]}],
         "sequence_num":7,"timestamp":"2026-04-07T14:30:06.000000Z","channel":"user","client_id":""}
        """;

    public static TheoryData<string> Clients => [FeedClientNames.Raw, FeedClientNames.Sdk];

    private static DecodeResult Decode(string client, string text) => client == FeedClientNames.Raw
        ? new RawFrameDecoder(TimeProvider.System).Decode(Encoding.UTF8.GetBytes(text))
        : new DomFrameDecoder(TimeProvider.System).Decode(text);

    [Theory]
    [MemberData(nameof(Clients))]
    public void A_ticker_snapshot_becomes_one_TickerReceived_per_product(string client)
    {
        var frame = Decode(client, Ticker).Frame!;
        Assert.Equal(FeedChannel.Ticker, frame.Channel);
        Assert.Equal(12, frame.Sequence);
        Assert.Equal(2, frame.Tickers.Count);
        var btc = frame.Tickers[0];
        Assert.Equal(("BTC-USD", 68900.50m, 69200.00m, 67500.00m, 12L, client), (btc.Symbol, btc.Price, btc.High24h, btc.Low24h, btc.Sequence, btc.Client));
        // Nanoseconds are truncated to .NET's 100 ns ticks by both (rounding would give ...1229696).
        Assert.Equal(new DateTimeOffset(2023, 6, 23, 20, 31, 26, TimeSpan.Zero).AddTicks(1229695), btc.ExchangeTime);
        Assert.Null(frame.Tickers[1].High24h);
        Assert.Null(frame.Tickers[1].Low24h);
    }

    [Theory]
    [MemberData(nameof(Clients))]
    public void A_user_update_becomes_UserUpdateReceived_whatever_the_field_order(string client)
    {
        var frame = Decode(client, User).Frame!;
        Assert.Equal(FeedChannel.User, frame.Channel);
        var u = Assert.Single(frame.UserUpdates);
        Assert.Equal(("a1", (string?)null, "BTC-USD", "SELL", "OPEN", 0.5m, (decimal?)100.25m, 7L), (u.OrderId, u.ClientOrderId, u.Symbol, u.Side, u.Status, u.FilledSize, u.AveragePrice, u.Sequence));
        Assert.Equal(new DateTimeOffset(2026, 4, 7, 14, 30, 6, TimeSpan.Zero), u.ExchangeTime);
    }

    [Theory]
    [InlineData("""{"channel":"heartbeats","client_id":"","timestamp":"2023-06-23T20:31:26.122969572Z","sequence_num":0,"events":[{"current_time":"2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105","heartbeat_counter":"3049"}]}""", FeedChannel.Heartbeats)]
    [InlineData("""{"channel":"subscriptions","client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":2,"events":[{"subscriptions":{"user":["222"]}}]}""", FeedChannel.Subscriptions)]
    [InlineData("""{"channel":"status","client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":3,"events":[{"type":"snapshot","products":[]}]}""", FeedChannel.Other)]
    public void Heartbeats_subscriptions_and_other_channels_carry_no_events(string text, FeedChannel expected)
    {
        foreach (var client in new[] { FeedClientNames.Raw, FeedClientNames.Sdk })
        {
            var frame = Decode(client, text).Frame!;
            Assert.Equal(expected, frame.Channel);
            Assert.Empty(frame.Tickers);
            Assert.Empty(frame.UserUpdates);
        }
    }

    [Fact]
    public void An_error_message_is_an_error_frame_without_a_sequence()
    {
        foreach (var client in new[] { FeedClientNames.Raw, FeedClientNames.Sdk })
        {
            var frame = Decode(client, """{"type":"error","message":"authentication failure"}""").Frame!;
            Assert.Equal((FeedChannel.Error, -1L, "authentication failure"), (frame.Channel, frame.Sequence, frame.Message));
        }
    }

    [Theory]
    [InlineData("""{"channel":"ticker","sequence_num":""", "truncated")]
    [InlineData("""[1,2]""", "not an object")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","events":[]}""", "no sequence_num")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":-1,"events":[]}""", "negative sequence")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":"5","events":[]}""", "sequence as a string")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"sequence_num":6,"events":[]}""", "duplicate sequence_num")]
    [InlineData("""{"channel":"ticker","sequence_num":5,"events":[]}""", "ticker without timestamp")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07 14:30:06Z","sequence_num":5,"events":[]}""", "timestamp without T")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06","sequence_num":5,"events":[]}""", "timestamp without Z")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":{}}""", "events not an array")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"delta","tickers":[]}]}""", "unknown event type")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"tickers":[]}]}""", "event without type")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD","price":"abc"}]}]}""", "price not a number")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD","price":"1e3"}]}]}""", "price with exponent")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD","price":" 1"}]}]}""", "price with a space")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD"}]}]}""", "ticker without price")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"update","tickers":[{"product_id":"","price":"1"}]}]}""", "empty product")]
    [InlineData("""{"channel":"user","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"update","orders":[{"order_id":"a","product_id":"BTC-USD","order_side":"HOLD","status":"OPEN","cumulative_quantity":"0"}]}]}""", "bad side")]
    [InlineData("""{"channel":"user","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"update","orders":[{"order_id":"a","product_id":"BTC-USD","order_side":"BUY","status":"OPEN"}]}]}""", "no cumulative_quantity")]
    [InlineData("""{"channel":"user","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD","price":"1"}]}]}""", "tickers in a user frame")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[]} x""", "trailing data")]
    [InlineData("""{"timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[]}""", "no channel")]
    public void Both_decoders_reject_the_same_malformed_frames(string text, string why)
    {
        var raw = Decode(FeedClientNames.Raw, text);
        var sdk = Decode(FeedClientNames.Sdk, text);
        Assert.False(raw.IsValid, $"raw accepted: {why}");
        Assert.False(sdk.IsValid, $"sdk accepted: {why}");
        Assert.False(string.IsNullOrEmpty(raw.Error));
        Assert.False(string.IsNullOrEmpty(sdk.Error));
    }

    [Theory]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06.1Z","sequence_num":5,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD","price":68000.5,"high_24_h":null,"low_24_h":""}]}]}""")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06.123456789012Z","sequence_num":5,"events":[{"type":"update","tickers":[{"product_id":"BTC-USD","price":"-0.000100","extra":{"nested":[1,2,{"a":null}]}}]}]}""")]
    [InlineData("""{"channel":"user","timestamp":"2026-04-07T14:30:06Z","sequence_num":5,"events":[{"type":"snapshot","orders":[]},{"type":"update","orders":[{"order_id":"a","product_id":"BTC-USD","order_side":"Buy","status":"FILLED","cumulative_quantity":"+2","avg_price":null,"client_order_id":null}]}]}""")]
    [InlineData("""{"channel":"ticker","timestamp":"2026-04-07T14:30:06Z","sequence_num":9007199254740993,"events":[{"type":"update","tickers":[{"product_id":"BTC-\u0055SD","price":"1"}]}]}""")]
    public void Both_decoders_agree_on_unusual_but_valid_frames(string text)
    {
        var comparer = new ParityComparer();
        var raw = Decode(FeedClientNames.Raw, text).Frame!;
        var sdk = Decode(FeedClientNames.Sdk, text).Frame!;
        Assert.Equal(raw.Tickers.Select(comparer.ContentKey), sdk.Tickers.Select(comparer.ContentKey));
        Assert.Equal(raw.UserUpdates.Select(comparer.ContentKey), sdk.UserUpdates.Select(comparer.ContentKey));
        Assert.NotEmpty(raw.Tickers.Cast<object>().Concat(raw.UserUpdates));
    }
}
