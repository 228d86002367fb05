using OpsBot.Contracts;
using OpsBot.Notifier.Silences;

namespace OpsBot.Notifier.Routing;

/// <summary>
/// Which alerts a route or an inhibition rule applies to. Every part given must match: <see cref="Severities"/> (any of
/// them), <see cref="Source"/> (a glob over <c>AlertRaised.Source</c>), each of <see cref="Labels"/> (a glob over that
/// label's value; an alert without the label does not match). Globs are the silences' (<see cref="GlobMatcher"/>:
/// <c>*</c>, <c>?</c>, case ignored). An empty matcher matches every alert.
/// </summary>
public sealed record AlertMatcher(IReadOnlySet<AlertSeverity> Severities, string? Source, IReadOnlyDictionary<string, string> Labels)
{
    public static readonly AlertMatcher Any = new(new HashSet<AlertSeverity>(), null, new Dictionary<string, string>());

    public bool Matches(AlertSeverity severity, string source, IReadOnlyDictionary<string, string> labels)
    {
        if (Severities.Count > 0 && !Severities.Contains(severity)) return false;
        if (Source is not null && !GlobMatcher.IsMatch(Source, source)) return false;
        foreach (var (name, glob) in Labels)
        {
            if (!labels.TryGetValue(name, out var value) || !GlobMatcher.IsMatch(glob, value)) return false;
        }
        return true;
    }

    public bool Matches(AlertRaised alert) => Matches(alert.Severity, alert.Source, alert.Labels);

    public override string ToString()
    {
        var parts = new List<string>();
        if (Severities.Count > 0) parts.Add($"severity in [{string.Join(",", Severities.Select(s => s.ToString().ToLowerInvariant()))}]");
        if (Source is not null) parts.Add($"source={Source}");
        parts.AddRange(Labels.Select(l => $"{l.Key}={l.Value}"));
        return parts.Count == 0 ? "any alert" : string.Join(" ", parts);
    }
}
