using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Loss rule per strategy: total PnL (realized + unrealized) below −threshold is a warning, below
/// −2 × threshold critical. An alert is raised when a strategy enters a worse level — not on every
/// update while it stays there. The level is sticky by a hysteresis (<c>RISK_RESOLVE_HYSTERESIS</c>): once
/// reached, a level holds while PnL is below its line + the hysteresis, so a PnL hovering at −threshold gives one
/// warning and no resolution until it reaches −threshold + hysteresis (hysteresis 0: exactly the rule without one). The incident
/// (key <c>pnl-loss:{account}:{strategy}</c>) is open while the level is not null and resolves when it goes back
/// to null. Pure: the strategy's current level comes in, the next level and what to raise or resolve go out
/// (<see cref="StrategyEvaluator"/> keeps the level in the strategy's state).
/// </summary>
public sealed class PnlLossRule
{
    private readonly decimal _threshold;
    private readonly decimal _hysteresis;

    /// <param name="threshold">ALERT_PNL_THRESHOLD, ≥ 0.</param>
    /// <param name="hysteresis">RISK_RESOLVE_HYSTERESIS, ≥ 0 (0: a level ends as soon as PnL is back at its line).</param>
    public PnlLossRule(decimal threshold, decimal hysteresis = 0m)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentOutOfRangeException.ThrowIfNegative(hysteresis);
        _threshold = threshold;
        _hysteresis = hysteresis;
    }

    public decimal Threshold => _threshold;
    public decimal Hysteresis => _hysteresis;

    /// <summary>The PnL at or above which an open loss incident resolves: −threshold + hysteresis.</summary>
    public decimal ResolveAbove => -_threshold + _hysteresis;

    /// <summary>
    /// The level for <paramref name="total"/> coming from <paramref name="previous"/>, the severity to raise (null:
    /// nothing new) and whether the open incident resolves (the level went from a severity back to null).
    /// </summary>
    public (AlertSeverity? Level, AlertSeverity? Raise, bool Resolved) Evaluate(AlertSeverity? previous, decimal total)
    {
        var level = LevelOf(previous, total);
        var raise = level is not null && (previous is null || level > previous) ? level : null;
        return (level, raise, previous is not null && level is null);
    }

    /// <summary>The level of <paramref name="total"/> with no open incident (no hysteresis).</summary>
    public AlertSeverity? LevelOf(decimal total) => LevelOf(null, total);

    /// <summary>The sticky level: a level already reached holds while PnL is below its line + the hysteresis.</summary>
    public AlertSeverity? LevelOf(AlertSeverity? previous, decimal total) =>
        total < -2 * _threshold || (previous == AlertSeverity.Critical && total < -2 * _threshold + _hysteresis) ? AlertSeverity.Critical :
        total < -_threshold || (previous is not null && total < -_threshold + _hysteresis) ? AlertSeverity.Warning :
        null;
}
