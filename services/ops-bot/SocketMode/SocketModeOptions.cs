using System.Net.WebSockets;
using OpsBot.ServiceDefaults;

namespace OpsBot.Bot.SocketMode;

/// <summary>
/// Reconnect pacing: the first reconnect after a clean disconnect waits <see cref="ReconnectDelay"/>; failures
/// back off exponentially from <see cref="FirstBackoff"/> up to <see cref="MaxBackoff"/>, with jitter (the shared
/// <see cref="RetryBackoff"/>). A connection that goes silent is found by
/// WebSocket ping/pong: a PING every <see cref="KeepAliveInterval"/>, and no PONG within
/// <see cref="KeepAliveTimeout"/> aborts the socket (then it reconnects like after a drop).
/// </summary>
public sealed record SocketModeOptions(TimeSpan ReconnectDelay, TimeSpan FirstBackoff, TimeSpan MaxBackoff, TimeSpan ConnectTimeout)
{
    public static SocketModeOptions Default { get; } = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before reconnecting after <paramref name="failures"/> failed connections in a row (0: a clean disconnect).</summary>
    public TimeSpan Backoff(int failures) => failures <= 0 ? ReconnectDelay : new RetryBackoff(FirstBackoff, MaxBackoff).Delay(failures);
}

/// <summary>Makes the WebSocket for each connection; a test replaces it to trust its own certificate.</summary>
public class SlackWebSocketFactory
{
    public virtual ClientWebSocket Create() => new();
}
