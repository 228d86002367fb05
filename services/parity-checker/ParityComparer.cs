using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsBot.Contracts;

namespace OpsBot.ParityChecker;

public sealed record ParityComparerOptions
{
    public IReadOnlyList<string> Clients { get; init; } = ["raw", "sdk"];
    /// <summary>
    /// Also compare the connection-local fields <c>Sequence</c> and <c>ExchangeTime</c>. Right when both
    /// clients read the same stream (the fake exchange, a replay); set false against the real exchange,
    /// where each client's connection gets its own sequence numbers and message times.
    /// </summary>
    public bool Strict { get; init; } = true;
    public int MaxDifferences { get; init; } = 20;
}

/// <summary>
/// Compares the clients' events over one window, per event type (<c>ticker</c>, <c>user_update</c>):
/// the counts, the field sets (which contract fields carry a value: the schema as seen on the wire)
/// and the contents (a multiset of each event's fields, without the per-message <c>CorrelationId</c>,
/// <c>Timestamp</c> and <c>Client</c>). Any difference is a FAIL, listed one line each.
/// </summary>
public sealed class ParityComparer(ParityComparerOptions? options = null)
{
    public const string Ticker = "ticker";
    public const string UserUpdate = "user_update";
    private static readonly string[] PerMessage = ["CorrelationId", "Timestamp", "Client"];
    private static readonly string[] ConnectionLocal = ["Sequence", "ExchangeTime"];
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ParityComparerOptions _options = options ?? new ParityComparerOptions();

    public ParityComparerOptions Options => _options;

    public ParityOutcome Compare(ParityWindow window)
    {
        var differences = new List<string>();
        var clients = _options.Clients;
        var counts = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var client in clients.Concat(window.Clients.Keys).Distinct(StringComparer.Ordinal))
        {
            window.Clients.TryGetValue(client, out var events);
            counts[client] = new Dictionary<string, int>
            {
                [Ticker] = events?.Tickers.Count ?? 0,
                [UserUpdate] = events?.UserUpdates.Count ?? 0,
            };
            if (!clients.Contains(client)) differences.Add($"unexpected client '{client}' (expected {string.Join(", ", clients)})");
            else if (events is null) differences.Add($"{client}: no events in this window");
        }

        var reference = clients[0];
        foreach (var other in clients.Skip(1))
        {
            CompareType(Ticker, window, reference, other, e => e.Tickers.Cast<object>().ToList(), differences);
            CompareType(UserUpdate, window, reference, other, e => e.UserUpdates.Cast<object>().ToList(), differences);
        }

        if (differences.Count > _options.MaxDifferences)
        {
            var more = differences.Count - _options.MaxDifferences;
            differences = differences.Take(_options.MaxDifferences).ToList();
            differences.Add($"... and {more} more");
        }
        return new ParityOutcome(window.Start, window.End, counts, differences);
    }

    private void CompareType(string type, ParityWindow window, string a, string b, Func<ClientEvents, List<object>> select, List<string> differences)
    {
        var left = window.Clients.TryGetValue(a, out var ea) ? select(ea) : [];
        var right = window.Clients.TryGetValue(b, out var eb) ? select(eb) : [];
        if (left.Count != right.Count) differences.Add($"{type}: {a} {left.Count}, {b} {right.Count}");

        var leftFields = FieldSet(left);
        var rightFields = FieldSet(right);
        if (left.Count > 0 && right.Count > 0)
        {
            var onlyLeft = leftFields.Except(rightFields).ToList();
            var onlyRight = rightFields.Except(leftFields).ToList();
            if (onlyLeft.Count > 0) differences.Add($"{type} schema: fields only {a} fills: {string.Join(", ", onlyLeft)}");
            if (onlyRight.Count > 0) differences.Add($"{type} schema: fields only {b} fills: {string.Join(", ", onlyRight)}");
        }

        var leftKeys = Multiset(left);
        var rightKeys = Multiset(right);
        foreach (var (key, n) in leftKeys)
        {
            var m = rightKeys.GetValueOrDefault(key);
            if (n > m) differences.Add($"{type} only in {a} (x{n - m}): {key}");
        }
        foreach (var (key, m) in rightKeys)
        {
            var n = leftKeys.GetValueOrDefault(key);
            if (m > n) differences.Add($"{type} only in {b} (x{m - n}): {key}");
        }
    }

    /// <summary>The names of the fields that carry a value in at least one event.</summary>
    private static SortedSet<string> FieldSet(List<object> events)
    {
        var fields = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
            foreach (var (name, value) in Serialize(e))
                if (value is not null && !PerMessage.Contains(name)) fields.Add(name);
        return fields;
    }

    private Dictionary<string, int> Multiset(List<object> events)
    {
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            var key = ContentKey(e);
            keys[key] = keys.GetValueOrDefault(key) + 1;
        }
        return keys;
    }

    /// <summary>The event's fields as <c>Name=value</c> pairs, in contract order, without the per-message ones.</summary>
    public string ContentKey(object e)
    {
        var sb = new StringBuilder(128);
        foreach (var (name, value) in Serialize(e))
        {
            if (PerMessage.Contains(name) || (!_options.Strict && ConnectionLocal.Contains(name))) continue;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(name).Append('=').Append(value is null ? "null" : value.ToJsonString(Json));
        }
        return sb.ToString();
    }

    private static JsonObject Serialize(object e) => e switch
    {
        TickerReceived t => JsonSerializer.SerializeToNode(t, Json)!.AsObject(),
        UserUpdateReceived u => JsonSerializer.SerializeToNode(u, Json)!.AsObject(),
        _ => throw new ArgumentException($"not a market event: {e.GetType().Name}", nameof(e)),
    };
}
