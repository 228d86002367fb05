using OpsBot.Contracts;

namespace OpsBot.ParityChecker;

/// <summary>The events of every client over one window of exchange time.</summary>
public sealed class ParityWindow(DateTimeOffset start, DateTimeOffset end)
{
    private readonly Dictionary<string, ClientEvents> _clients = new(StringComparer.Ordinal);

    public DateTimeOffset Start { get; } = start;
    public DateTimeOffset End { get; } = end;
    public IReadOnlyDictionary<string, ClientEvents> Clients => _clients;

    public void Add(TickerReceived ticker) => For(ticker.Client).Tickers.Add(ticker);

    public void Add(UserUpdateReceived update) => For(update.Client).UserUpdates.Add(update);

    private ClientEvents For(string client)
    {
        if (!_clients.TryGetValue(client, out var events)) _clients[client] = events = new ClientEvents();
        return events;
    }
}

public sealed class ClientEvents
{
    public List<TickerReceived> Tickers { get; } = [];
    public List<UserUpdateReceived> UserUpdates { get; } = [];
}

/// <summary>The verdict over one window.</summary>
public sealed record ParityOutcome(
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Counts,
    IReadOnlyList<string> Differences)
{
    public const string Pass = "PASS";
    public const string Fail = "FAIL";

    public bool Passed => Differences.Count == 0;
    public string Status => Passed ? Pass : Fail;

    public int Count(string client, string type) =>
        Counts.TryGetValue(client, out var byType) && byType.TryGetValue(type, out var n) ? n : 0;
}
