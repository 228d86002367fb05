using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Loss rule per strategy: total PnL (realized + unrealized) below −threshold is a warning, below
/// −2 × threshold critical. An alert is raised when a strategy enters a worse level — not on every
/// update while it stays there — and the level resets when PnL recovers above −threshold. Pure: the
/// strategy's current level comes in, the next level and the severity to raise go out
/// (<see cref="StrategyEvaluator"/> keeps the level in the strategy's state).
/// </summary>
public sealed class PnlLossRule(decimal threshold)
{
    public decimal Threshold => threshold;

    /// <summary>The level for <paramref name="total"/> and the severity to raise coming from <paramref name="previous"/> (null: nothing new).</summary>
    public (AlertSeverity? Level, AlertSeverity? Raise) Evaluate(AlertSeverity? previous, decimal total)
    {
        var level = LevelOf(total);
        return (level, level is not null && (previous is null || level > previous) ? level : null);
    }

    public AlertSeverity? LevelOf(decimal total) =>
        total < -2 * threshold ? AlertSeverity.Critical :
        total < -threshold ? AlertSeverity.Warning :
        null;
}
