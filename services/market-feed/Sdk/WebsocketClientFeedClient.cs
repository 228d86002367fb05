using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using OpsBot.ServiceDefaults;
using Websocket.Client;

namespace OpsBot.MarketFeed.Sdk;

/// <summary>
/// The library client (<c>USE_OFFICIAL_SDK=true</c>). Coinbase publishes no .NET SDK and none is
/// served here, so "the SDK" is the maintained Websocket.Client library: it owns the connection,
/// message reassembly (bounded at 1 MiB by <see cref="FrameLimitedWebSocket"/>, which the library receives
/// through), the no-message watchdog (<c>ReconnectTimeout</c>) and reconnection; this
/// class subscribes on every <c>ReconnectionHappened</c> (the initial connection included) and
/// decodes each <c>MessageReceived</c> text with <see cref="DomFrameDecoder"/>.
/// </summary>
public sealed class WebsocketClientFeedClient : IMarketFeedClient
{
    private readonly MarketFeedOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly DomFrameDecoder _decoder;
    private readonly FeedFrameRouter _router;
    private readonly object _gate = new();
    private FrameLimitedWebSocket? _socket; // the current connection

    public WebsocketClientFeedClient(MarketFeedOptions options, IFeedSink sink, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<WebsocketClientFeedClient>();
        Stats = new FeedClientStats(Name);
        _decoder = new DomFrameDecoder(time);
        _router = new FeedFrameRouter(Name, sink, Stats, _logger);
    }

    public string Name => FeedClientNames.Sdk;
    public FeedClientStats Stats { get; }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var client = new WebsocketClient(_options.Url, _loggers.CreateLogger<WebsocketClient>(), ConnectAsync)
        {
            Name = "exchange-" + Name,
            ReconnectTimeout = _options.HeartbeatTimeout,
            ErrorReconnectTimeout = _options.ReconnectMin,
            LostReconnectTimeout = _options.ReconnectMin,
            IsReconnectionEnabled = true,
        };
        using var reconnections = client.ReconnectionHappened.Subscribe(info => OnConnected(client, info));
        using var disconnections = client.DisconnectionHappened.Subscribe(info =>
        {
            Stats.ConnectionClosed();
            if (info.Type is DisconnectionType.ByUser or DisconnectionType.Exit) return;
            _logger.LogWarning("Exchange connection lost ({Client} client): {Type} {Error}", Name, info.Type, info.Exception?.Message);
        });
        using var messages = client.MessageReceived.Subscribe(OnMessage);

        await client.Start();
        try { await Task.Delay(Timeout.Infinite, stoppingToken); }
        catch (OperationCanceledException) { }
        client.IsReconnectionEnabled = false;
        try { await client.Stop(WebSocketCloseStatus.NormalClosure, "stopping"); }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException) { }
        Stats.ConnectionClosed();
    }

    /// <summary>
    /// The library's connection factory: a <see cref="ClientWebSocket"/> wrapped in <see cref="FrameLimitedWebSocket"/>, so the
    /// library's unbounded message reassembly never receives more than <see cref="MarketFeedOptions.MaxFrameBytes"/> of one message.
    /// </summary>
    private async Task<WebSocket> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket { Options = { KeepAliveInterval = TimeSpan.FromSeconds(20) } };
        try { await socket.ConnectAsync(url, cancellationToken); }
        catch
        {
            socket.Dispose();
            throw;
        }
        var limited = new FrameLimitedWebSocket(socket, MarketFeedOptions.MaxFrameBytes);
        Volatile.Write(ref _socket, limited);
        return limited;
    }

    /// <summary>A new connection: sequence numbers start again (also used by the benchmark to replay frames).</summary>
    internal void StartConnection()
    {
        lock (_gate) _router.ConnectionOpened();
    }

    /// <summary>Decodes and routes one complete text frame: what <c>MessageReceived</c> does with each message (also the benchmark's entry).</summary>
    public void HandleText(string text)
    {
        lock (_gate)
        {
            var result = _decoder.Decode(text);
            _router.Route(result, result.IsValid ? default : Encoding.UTF8.GetBytes(text));
        }
    }

    private void OnMessage(ResponseMessage message)
    {
        // The message the library just ended was over the limit: FrameLimitedWebSocket threw its rest away.
        if (message.MessageType == WebSocketMessageType.Binary && Volatile.Read(ref _socket)?.TakeOversized() is { } size)
        {
            lock (_gate) _router.RouteOversized(size, message.Binary ?? []);
            return;
        }
        if (message.MessageType == WebSocketMessageType.Text && message.Text is not null)
        {
            HandleText(message.Text);
            return;
        }
        lock (_gate) _router.Route(DecodeResult.Malformed("binary frame"), message.Binary ?? []);
    }

    private void OnConnected(WebsocketClient client, ReconnectionInfo info)
    {
        StartConnection();
        Stats.ConnectionOpened();
        _logger.LogInformation("Connected to the exchange at {Url} ({Client} client, {Type}, connection {Connection})",
            UrlRedaction.Redact(_options.Url), Name, info.Type, Stats.Connections);
        foreach (var channel in _options.Channels.Prepend("heartbeats"))
        {
            var subscribe = new JsonObject
            {
                ["type"] = "subscribe",
                ["product_ids"] = new JsonArray(_options.Products.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
                ["channel"] = channel,
            };
            client.Send(subscribe.ToJsonString());
        }
    }
}
