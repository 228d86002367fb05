using System.Collections.Concurrent;
using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Loss rule per strategy: total PnL (realized + unrealized) below −threshold is a warning, below
/// −2 × threshold critical. An alert is raised when a strategy enters a worse level — not on every
/// update while it stays there — and the level resets when PnL recovers above −threshold. The
/// notifier's dedup folds any repeats that still come through (several replicas, restarts).
/// </summary>
public sealed class PnlLossRule(decimal threshold)
{
    private readonly ConcurrentDictionary<(string Account, string Strategy), AlertSeverity?> _levels = new();

    public decimal Threshold => threshold;

    /// <summary>The severity to raise for this update, or null when nothing new is to be said.</summary>
    public AlertSeverity? Evaluate(PnlUpdated update)
    {
        var key = (update.Account, update.Strategy);
        var level = LevelOf(update.Total);
        var previous = _levels.TryGetValue(key, out var p) ? p : null;
        _levels[key] = level;
        if (level is null) return null;
        return previous is null || level > previous ? level : null;
    }

    public AlertSeverity? LevelOf(decimal total) =>
        total < -2 * threshold ? AlertSeverity.Critical :
        total < -threshold ? AlertSeverity.Warning :
        null;
}
