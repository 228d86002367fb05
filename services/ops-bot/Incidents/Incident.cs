using System.Globalization;
using OpsBot.Contracts;
using StackExchange.Redis;

namespace OpsBot.Bot.Incidents;

/// <summary>One incident of ops-bot's view (<see cref="IncidentView"/>): every alert of one dedup key from its first <c>AlertRaised</c> to its <c>AlertResolved</c>.</summary>
public sealed record Incident(
    string Id,
    string DedupKey,
    string Status,
    AlertSeverity Severity,
    string Title,
    string Source,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    long Count,
    Guid CorrelationId,
    Guid? AlertId,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt,
    string? Channel,
    string? MessageTs,
    Uri? Permalink)
{
    public const string Firing = "firing";
    public const string Acknowledged = "acknowledged";
    public const string Resolved = "resolved";

    public bool IsOpen => Status is Firing or Acknowledged;

    /// <summary>From the fields of its Redis hash (see <see cref="IncidentView"/>); null when the hash is missing or incomplete.</summary>
    internal static Incident? From(HashEntry[] entries)
    {
        if (entries.Length == 0) return null;
        var f = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        if (!f.TryGetValue("id", out var id) || !f.TryGetValue("key", out var key) || !f.TryGetValue("status", out var status)
            || !f.TryGetValue("first", out var first) || !f.TryGetValue("last", out var last)) return null;
        return new Incident(
            id,
            key,
            status,
            Enum.TryParse<AlertSeverity>(f.GetValueOrDefault("severity"), out var severity) ? severity : AlertSeverity.Info,
            f.GetValueOrDefault("title") ?? "",
            f.GetValueOrDefault("source") ?? "",
            Time(first),
            Time(last),
            long.TryParse(f.GetValueOrDefault("count"), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 1,
            Guid.TryParse(f.GetValueOrDefault("corr"), out var corr) ? corr : Guid.Empty,
            Guid.TryParse(f.GetValueOrDefault("alertId"), out var alertId) ? alertId : null,
            f.GetValueOrDefault("ackBy"),
            f.TryGetValue("ackAt", out var ackAt) ? Time(ackAt) : null,
            f.GetValueOrDefault("channel"),
            f.GetValueOrDefault("ts"),
            f.TryGetValue("permalink", out var link) && Uri.TryCreate(link, UriKind.Absolute, out var uri) ? uri : null);
    }

    internal static Incident? From(RedisResult result) =>
        result.Resp2Type == ResultType.Array && (RedisResult[])result! is { } items
            ? From(Enumerable.Range(0, items.Length / 2).Select(i => new HashEntry((string)items[2 * i]!, (string)items[2 * i + 1]!)).ToArray())
            : null;

    private static DateTimeOffset Time(string ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.TryParse(ms, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0);
}

/// <summary>The open incidents newest first (at most the number asked for) and how many more are open.</summary>
public sealed record OpenIncidents(IReadOnlyList<Incident> Shown, int More);

/// <summary>Redis could not answer for the incident view: the caller says so, it never shows an empty list instead.</summary>
public sealed class IncidentViewUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
