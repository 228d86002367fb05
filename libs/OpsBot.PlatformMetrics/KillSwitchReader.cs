namespace OpsBot.PlatformMetrics;

/// <summary>
/// Reads the kill switch from the configured gauge (<c>KILL_SWITCH_METRIC</c>): one series per value of
/// <c>KILL_SWITCH_SCOPE_LABEL</c> (a series without it is <c>global</c>); non-zero is engaged, NaN is unknown.
/// </summary>
public sealed class KillSwitchReader(PlatformMetricsOptions options)
{
    public IReadOnlyDictionary<string, bool> Read(ParsedMetrics metrics)
    {
        var states = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var sample in metrics.SamplesNamed(options.KillSwitchMetric))
        {
            if (double.IsNaN(sample.Value)) continue;
            var scope = sample.Label(options.KillSwitchScopeLabel) is { Length: > 0 } s ? s : PlatformMetricsOptions.GlobalScope;
            states[scope] = sample.Value != 0 || (states.TryGetValue(scope, out var engaged) && engaged);
        }
        return states;
    }
}

/// <summary>
/// Remembers the last kill-switch state that was reported per scope and says what changed. A change is
/// only remembered once <see cref="Commit"/> is called (after it was published), so a change that could
/// not be published is reported again at the next scrape.
/// </summary>
public sealed class KillSwitchTracker
{
    private readonly object _gate = new();
    private readonly Dictionary<string, bool> _reported = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Scope, bool Engaged)> Changes(IReadOnlyDictionary<string, bool> observed)
    {
        lock (_gate)
        {
            return observed
                .Where(kv => !_reported.TryGetValue(kv.Key, out var known) || known != kv.Value)
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => (kv.Key, kv.Value))
                .ToList();
        }
    }

    public void Commit(string scope, bool engaged)
    {
        lock (_gate) _reported[scope] = engaged;
    }

    public IReadOnlyDictionary<string, bool> Reported
    {
        get { lock (_gate) return new Dictionary<string, bool>(_reported); }
    }
}
