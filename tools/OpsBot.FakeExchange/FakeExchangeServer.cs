using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace OpsBot.FakeExchange;

public sealed class FakeExchangeOptions
{
    public ExchangeScript Script { get; init; } = ExchangeScript.Standard();
    public int Port { get; init; }
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>Heartbeats sent after a connection's segment is over (the real exchange sends one a second).</summary>
    public TimeSpan IdleHeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Like the real exchange: a connection that subscribes to nothing within this time is closed.</summary>
    public TimeSpan SubscribeTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Playback starts once these channels are subscribed, or this long after the first subscribe.</summary>
    public TimeSpan SubscribeSettle { get; init; } = TimeSpan.FromSeconds(2);
    public IReadOnlyList<string> RequiredChannels { get; init; } = ["heartbeats", "ticker", "user"];
    /// <summary>Exchange time of the script's first step; every session replays the same times. Default: server start (or <see cref="FakeExchangeServer.StartPlayback"/>).</summary>
    public DateTimeOffset? TimeBase { get; init; }
    /// <summary>
    /// Connections subscribe but wait, silent, to be played their segment until <see cref="FakeExchangeServer.StartPlayback"/>
    /// (e.g. until every client process is up). Silent, so the sessions' sequence numbers stay identical.
    /// </summary>
    public bool HoldPlayback { get; init; }
    /// <summary>Exchange time between two scripted steps.</summary>
    public TimeSpan StepSpacing { get; init; } = TimeSpan.FromMilliseconds(10);
    /// <summary>Quiet time before a forced disconnect, so that the frames sent before it are delivered.</summary>
    public TimeSpan DrainBeforeDisconnect { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>Wall time between two scripted steps (zero: as fast as the socket takes them).</summary>
    public TimeSpan StepDelay { get; init; } = TimeSpan.Zero;
}

/// <summary>One client connection the fake accepted: its session, its number within the session, what it subscribed to.</summary>
public sealed class ExchangeConnection(string session, int ordinal)
{
    private readonly ConcurrentDictionary<string, string[]> _subscriptions = new();
    private readonly ConcurrentQueue<string> _subscribeMessages = new();
    private int _closed;

    public string Session { get; } = session;
    public int Ordinal { get; } = ordinal;
    public DateTimeOffset OpenedAt { get; } = DateTimeOffset.UtcNow;
    public IReadOnlyDictionary<string, string[]> Subscriptions => _subscriptions;
    /// <summary>Every subscribe/unsubscribe message received, as text.</summary>
    public IReadOnlyCollection<string> SubscribeMessages => _subscribeMessages.ToArray();
    public bool IsClosed => Volatile.Read(ref _closed) == 1;
    public long FramesSent;

    internal void Subscribe(string channel, string[] products) =>
        _subscriptions.AddOrUpdate(channel, products, (_, old) => old.Union(products).ToArray());

    internal void Unsubscribe(string channel, string[] products)
    {
        if (products.Length == 0) { _subscriptions.TryRemove(channel, out _); return; }
        if (_subscriptions.TryGetValue(channel, out var old)) _subscriptions[channel] = old.Except(products).ToArray();
    }

    internal void RecordMessage(string text) => _subscribeMessages.Enqueue(text);
    internal void MarkClosed() => Volatile.Write(ref _closed, 1);

    /// <summary>Whether a frame of <paramref name="channel"/> for <paramref name="product"/> goes to this connection.</summary>
    public bool WantsProduct(string channel, string? product) =>
        _subscriptions.TryGetValue(channel, out var products) && (product is null || products.Length == 0 || products.Contains(product));
}

/// <summary>
/// A Coinbase Advanced Trade WebSocket stand-in on Kestrel. Every connection must subscribe (one
/// channel per message, as the real exchange wants) and is then played the script segment of its
/// number within its session; frames of channels or products it did not subscribe to are not sent,
/// so a client that forgets to resubscribe after a reconnect receives nothing.
/// </summary>
public sealed class FakeExchangeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ExchangeConnection> _connections = new();
    private readonly ConcurrentDictionary<string, SessionState> _sessions = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _playback = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeExchangeServer(WebApplication app, FakeExchangeOptions options)
    {
        _app = app;
        Options = options;
        TimeBase = options.TimeBase ?? DateTimeOffset.UtcNow;
        if (!options.HoldPlayback) _playback.TrySetResult();
    }

    public FakeExchangeOptions Options { get; }
    public DateTimeOffset TimeBase { get; private set; }

    /// <summary>Lets held connections play their segments, with exchange times from <paramref name="timeBase"/> (default now).</summary>
    public void StartPlayback(DateTimeOffset? timeBase = null)
    {
        if (_playback.Task.IsCompleted) return;
        TimeBase = timeBase ?? DateTimeOffset.UtcNow;
        _playback.TrySetResult();
    }

    internal Task Playback => _playback.Task;
    /// <summary>The WebSocket URL without a session (<c>ws://127.0.0.1:port/ws</c>).</summary>
    public Uri Url { get; private set; } = null!;
    public IReadOnlyList<ExchangeConnection> Connections => _connections.ToArray();

    /// <summary>The URL a client of <paramref name="session"/> connects to.</summary>
    public Uri SessionUrl(string session) => new($"{Url}?session={Uri.EscapeDataString(session)}");

    public static async Task<FakeExchangeServer> StartAsync(FakeExchangeOptions? options = null)
    {
        options ??= new FakeExchangeOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        var app = builder.Build();
        var server = new FakeExchangeServer(app, options);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Map("/{**path}", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address.Replace("http://", "ws://").Replace("0.0.0.0", "127.0.0.1").TrimEnd('/') + "/ws");
        return server;
    }

    public IReadOnlyList<ExchangeConnection> ConnectionsOf(string session) => Connections.Where(c => c.Session == session).ToArray();

    /// <summary>Completes when the last segment of the script has been played to <paramref name="session"/>.</summary>
    public async Task WaitForSessionCompleteAsync(string session, TimeSpan timeout)
    {
        var state = _sessions.GetOrAdd(session, _ => new SessionState());
        await state.Complete.Task.WaitAsync(timeout);
    }

    /// <summary>Waits until <paramref name="session"/> has opened at least <paramref name="count"/> connections and the last one subscribed to <paramref name="channels"/>.</summary>
    public async Task<ExchangeConnection> WaitForConnectionAsync(string session, int count, IReadOnlyList<string> channels, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var list = ConnectionsOf(session);
            if (list.Count >= count && channels.All(c => list[count - 1].Subscriptions.ContainsKey(c))) return list[count - 1];
            await Task.Delay(20);
        }
        var seen = string.Join("; ", ConnectionsOf(session).Select(c => $"#{c.Ordinal}: {string.Join(",", c.Subscriptions.Keys)}"));
        throw new TimeoutException($"session {session}: no connection #{count - 1} subscribed to {string.Join(",", channels)} within {timeout.TotalSeconds:F0} s (seen {seen})");
    }

    private async Task HandleAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        var session = http.Request.Query["session"].ToString();
        if (string.IsNullOrEmpty(session)) session = "default";
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var state = _sessions.GetOrAdd(session, _ => new SessionState());
        var connection = new ExchangeConnection(session, Interlocked.Increment(ref state.Connections) - 1);
        _connections.Enqueue(connection);
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, http.RequestAborted);
        var player = new ConnectionPlayer(socket, connection, Options, this, state, lifetime);
        try
        {
            await player.RunAsync();
        }
        finally
        {
            connection.MarkClosed();
            if (player.Aborted) http.Abort();
        }
    }

    /// <summary>Completes when the process is asked to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    internal sealed class SessionState
    {
        public int Connections;
        public readonly TaskCompletionSource Complete = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
