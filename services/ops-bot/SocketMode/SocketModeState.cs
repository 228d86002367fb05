namespace OpsBot.Bot.SocketMode;

/// <summary>Whether the Socket Mode connection is up, for <c>/ops status</c> and the logs.</summary>
public sealed class SocketModeState(TimeProvider time)
{
    private readonly object _gate = new();
    private bool _enabled;
    private bool _connected;
    private DateTimeOffset? _since;
    private int _connections;
    private string? _lastDisconnect;

    public bool Connected { get { lock (_gate) return _connected; } }

    public int Connections { get { lock (_gate) return _connections; } }

    public void Enable() { lock (_gate) _enabled = true; }

    public void Up() { lock (_gate) { _connected = true; _since = time.GetUtcNow(); _connections++; } }

    public void Down(string reason) { lock (_gate) { _connected = false; _since = time.GetUtcNow(); _lastDisconnect = reason; } }

    public string Describe()
    {
        lock (_gate)
        {
            if (!_enabled) return "off (HTTP request URLs only)";
            var since = _since is { } s ? $" since {s.UtcDateTime:HH:mm:ss}Z" : "";
            return _connected ? $"*connected*{since}" : $"*reconnecting*{since}{(_lastDisconnect is null ? "" : $" (last: {_lastDisconnect})")}";
        }
    }
}
