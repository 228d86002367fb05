using OpsBot.Contracts;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// What the PnL rules need to judge a strategy's next update (kept in Redis, docs/risk.md "Durable state").
/// Immutable: <see cref="StrategyEvaluator"/> returns the next one.
/// </summary>
/// <param name="LossLevel">The loss level of the last update (null: above −threshold).</param>
/// <param name="SessionPeak">The highest total PnL of <paramref name="Session"/>; null before the session's first update or with drawdown off.</param>
/// <param name="Session">The UTC day of the last update's AsOf: this strategy's session.</param>
/// <param name="DrawdownBreach">True while the drawdown from the session peak is beyond the limit (its alert was raised).</param>
/// <param name="LastAsOf">AsOf of the last update judged; an older update is stale.</param>
/// <param name="Updates">Updates judged so far (the write fence's tie-breaker between states of equal AsOf).</param>
public sealed record StrategyState(
    AlertSeverity? LossLevel,
    decimal? SessionPeak,
    DateOnly Session,
    bool DrawdownBreach,
    DateTimeOffset LastAsOf,
    long Updates)
{
    public static StrategyState Empty { get; } = new(null, null, default, false, DateTimeOffset.MinValue, 0);

    /// <summary>
    /// True when <paramref name="other"/> judges the next update exactly as this state does: the same loss level,
    /// session, session peak and breach. Only <see cref="LastAsOf"/> and <see cref="Updates"/> may differ, and
    /// neither changes an alert (RiskStateCache skips such writes for up to <c>RISK_STATE_REFRESH</c>).
    /// </summary>
    public bool JudgesLike(StrategyState other) =>
        LossLevel == other.LossLevel && SessionPeak == other.SessionPeak && Session == other.Session && DrawdownBreach == other.DrawdownBreach;
}
