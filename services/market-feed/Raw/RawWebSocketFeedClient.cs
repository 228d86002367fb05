using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using OpsBot.ServiceDefaults;

namespace OpsBot.MarketFeed.Raw;

/// <summary>
/// The raw client (<c>USE_OFFICIAL_SDK=false</c>): <see cref="ClientWebSocket"/> with everything
/// done here — message reassembly from fragments into a pooled buffer (bounded at 1 MiB), one
/// subscribe message per channel written with <see cref="Utf8JsonWriter"/>, a watchdog that drops a
/// connection on which nothing (not even a heartbeat) arrived for <c>FEED_HEARTBEAT_TIMEOUT_SECONDS</c>,
/// and reconnection with exponential backoff and jitter (<see cref="RetryBackoff"/>), resubscribing every time.
/// </summary>
public sealed class RawWebSocketFeedClient : IMarketFeedClient
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private readonly MarketFeedOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RawFrameDecoder _decoder;
    private readonly FeedFrameRouter _router;

    public RawWebSocketFeedClient(MarketFeedOptions options, IFeedSink sink, TimeProvider time, ILogger<RawWebSocketFeedClient> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        Stats = new FeedClientStats(Name);
        _decoder = new RawFrameDecoder(time);
        _router = new FeedFrameRouter(Name, sink, Stats, logger);
    }

    public string Name => FeedClientNames.Raw;
    public FeedClientStats Stats { get; }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var backoff = new BackoffSequence(_options.ReconnectBackoff);
        while (!stoppingToken.IsCancellationRequested)
        {
            var framesBefore = Stats.Frames;
            try
            {
                using var socket = new ClientWebSocket();
                socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
                using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    connectTimeout.CancelAfter(ConnectTimeout);
                    await socket.ConnectAsync(_options.Url, connectTimeout.Token);
                }
                StartConnection();
                Stats.ConnectionOpened();
                _logger.LogInformation("Connected to the exchange at {Url} ({Client} client, connection {Connection})", UrlRedaction.Redact(_options.Url), Name, Stats.Connections);
                await SubscribeAsync(socket, stoppingToken);
                await ReceiveUntilClosedAsync(socket, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or HttpRequestException)
            {
                _logger.LogWarning("Exchange connection lost ({Client} client): {Error}", Name, e.Message);
            }
            finally
            {
                Stats.ConnectionClosed();
            }
            if (Stats.Frames > framesBefore) backoff.Reset();
            var delay = backoff.Next();
            _logger.LogInformation("Reconnecting to the exchange in {Delay} ms ({Client} client)", (int)delay.TotalMilliseconds, Name);
            try { await Task.Delay(delay, _time, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>A new connection: sequence numbers start again (also used by the benchmark to replay frames).</summary>
    internal void StartConnection() => _router.ConnectionOpened();

    /// <summary>Decodes and routes one complete frame: what the receive loop does with each message (also the benchmark's entry).</summary>
    public void HandleFrame(ReadOnlySpan<byte> frame) => _router.Route(_decoder.Decode(frame), frame);

    private async Task SubscribeAsync(ClientWebSocket socket, CancellationToken token)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        foreach (var channel in _options.Channels.Prepend("heartbeats"))
        {
            buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("type", "subscribe");
                w.WriteStartArray("product_ids");
                foreach (var product in _options.Products) w.WriteStringValue(product);
                w.WriteEndArray();
                w.WriteString("channel", channel);
                w.WriteEndObject();
            }
            await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, token);
        }
    }

    private async Task ReceiveUntilClosedAsync(ClientWebSocket socket, CancellationToken stoppingToken)
    {
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var count = 0;
        var oversized = false;
        long discarded = 0; // bytes of an oversized message read and thrown away
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (buffer.Length >= MarketFeedOptions.MaxFrameBytes)
                    {
                        oversized = true; // keep reading to the end of the message, then count it once
                        discarded += count;
                        count = 0;
                    }
                    else
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MarketFeedOptions.MaxFrameBytes));
                        buffer.AsSpan(0, count).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }

                watchdog.CancelAfter(_options.HeartbeatTimeout);
                ValueWebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), watchdog.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    _logger.LogWarning("No frame from the exchange for {Seconds} s, not even a heartbeat ({Client} client); reconnecting",
                        _options.HeartbeatTimeout.TotalSeconds, Name);
                    return;
                }

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _logger.LogWarning("The exchange closed the connection ({Client} client): {Status} {Description}",
                        Name, socket.CloseStatus, socket.CloseStatusDescription);
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        try { await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", closeTimeout.Token); }
                        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
                    }
                    return;
                }

                count += result.Count;
                if (!result.EndOfMessage) continue;

                if (oversized)
                    _router.RouteOversized(discarded + count, buffer.AsSpan(0, count));
                else if (result.MessageType == WebSocketMessageType.Binary)
                    _router.Route(DecodeResult.Malformed("binary frame"), buffer.AsSpan(0, count));
                else
                    HandleFrame(buffer.AsSpan(0, count));
                count = 0;
                oversized = false;
                discarded = 0;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
