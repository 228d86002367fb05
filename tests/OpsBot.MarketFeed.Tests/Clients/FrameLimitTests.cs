using System.Net.WebSockets;
using System.Text;
using OpsBot.FakeExchange;
using OpsBot.MarketFeed.Sdk;

namespace OpsBot.MarketFeed.Tests.Clients;

/// <summary>
/// Issue 13 item 8: docs/market-feed.md promises a 1 MiB frame limit for both clients, but the library client
/// (<c>USE_OFFICIAL_SDK=true</c>, Websocket.Client) buffered any message whole. Both clients now refuse a larger frame
/// with one warning naming its size and the counters <c>opsbot.feed.malformed</c> and <c>opsbot.feed.oversized_frames</c>,
/// keep the connection, and publish the ticks after it. On the old code the sdk case fails: the 2 MiB frame was read
/// whole and reported as an ordinary malformed frame.
/// </summary>
public sealed class FrameLimitTests
{
    private const int TwoMiB = 2 * 1024 * 1024;

    private static TickerStep Tick(string price) => new([new("BTC-USD", price, "70000.00", "60000.00")]);

    /// <summary>A ticker frame padded to 2 MiB: valid JSON, only too large.</summary>
    private static string HugeFrame() =>
        "{\"channel\":\"ticker\",\"client_id\":\"\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"sequence_num\":99,\"pad\":\"" + new string('x', TwoMiB) + "\",\"events\":[]}";

    [Theory]
    [InlineData(FeedClientNames.Raw)]
    [InlineData(FeedClientNames.Sdk)]
    public async Task A_2_MiB_frame_is_refused_with_a_warning_and_a_counter_and_the_feed_goes_on(string client)
    {
        var script = new ExchangeScript([[Tick("1.00"), new MalformedStep(HugeFrame()), Tick("2.00"), Tick("3.00")]]);
        await using var feed = await FeedHarness.StartAsync(client, script);

        await feed.WaitUntilAsync(() => feed.Sink.Tickers.Count == 3, "the ticks after the oversized frame");

        Assert.Equal([1.00m, 2.00m, 3.00m], feed.Sink.Tickers.Select(t => t.Price));
        Assert.Equal(1, feed.Stats.Oversized);
        Assert.Equal(1, feed.Stats.Malformed);
        var warning = Assert.Single(feed.Warnings("Malformed frame"));
        Assert.Contains($"over the {MarketFeedOptions.MaxFrameBytes}-byte limit", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"frame of {Encoding.UTF8.GetByteCount(HugeFrame())} bytes", warning.Message, StringComparison.Ordinal);
        Assert.Equal(1, feed.Stats.Connections); // the connection stayed up
        Assert.Equal(0, feed.Stats.Gaps);        // the oversized frame took no sequence number
    }

    [Fact]
    public async Task The_library_never_receives_more_than_the_limit_of_one_message()
    {
        var huge = new byte[TwoMiB + 123];
        var next = Encoding.UTF8.GetBytes("{\"next\":true}");
        using var socket = new FrameLimitedWebSocket(new ScriptedWebSocket([(huge, 4096), (next, 4096)]), MarketFeedOptions.MaxFrameBytes);

        // What Websocket.Client's receive loop does: 4 KiB reads until EndOfMessage.
        var buffer = new byte[4096];
        long passedOn = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(), default);
            passedOn += result.Count;
        } while (!result.EndOfMessage);

        Assert.True(passedOn <= MarketFeedOptions.MaxFrameBytes, $"{passedOn} bytes passed on");
        Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
        Assert.Equal(huge.Length, socket.TakeOversized());
        Assert.Null(socket.TakeOversized()); // told once

        result = await socket.ReceiveAsync(buffer.AsMemory(), default);
        Assert.True(result.EndOfMessage);
        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.Equal("{\"next\":true}", Encoding.UTF8.GetString(buffer, 0, result.Count));
        Assert.Null(socket.TakeOversized());
    }

    /// <summary>Plays text messages in chunks of at most the given size, as a socket would.</summary>
    private sealed class ScriptedWebSocket(IReadOnlyList<(byte[] Message, int Chunk)> messages) : WebSocket
    {
        private int _message;
        private int _offset;

        public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (_message >= messages.Count) return ValueTask.FromResult(new ValueWebSocketReceiveResult(0, WebSocketMessageType.Close, true));
            var (message, chunk) = messages[_message];
            var count = Math.Min(Math.Min(chunk, buffer.Length), message.Length - _offset);
            message.AsSpan(_offset, count).CopyTo(buffer.Span);
            _offset += count;
            var end = _offset == message.Length;
            if (end) { _message++; _offset = 0; }
            return ValueTask.FromResult(new ValueWebSocketReceiveResult(count, WebSocketMessageType.Text, end));
        }

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) => throw new NotSupportedException();
        public override WebSocketCloseStatus? CloseStatus => null;
        public override string? CloseStatusDescription => null;
        public override WebSocketState State => WebSocketState.Open;
        public override string? SubProtocol => null;
        public override void Abort() { }
        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;
        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;
        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) => Task.CompletedTask;
        public override void Dispose() { }
    }
}
