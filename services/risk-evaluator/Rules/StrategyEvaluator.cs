using OpsBot.Contracts;
using OpsBot.Risk;

namespace OpsBot.RiskEvaluator;

/// <summary>Why an open drawdown incident resolved.</summary>
public enum DrawdownClearing
{
    /// <summary>The drawdown is back within the limit by at least the hysteresis.</summary>
    WithinLimit,

    /// <summary>A new session (UTC day of the strategy's PnL) started: a new peak, no drawdown.</summary>
    NewSession,

    /// <summary>The drawdown rule is off (<c>ALERT_DRAWDOWN_THRESHOLD=0</c>) while a stored incident was open.</summary>
    RuleOff,
}

/// <summary>An open drawdown incident that resolves with this update, and the last facts.</summary>
/// <param name="Why">What cleared it.</param>
/// <param name="Pnl">The total PnL of the update that cleared it.</param>
/// <param name="Peak">The session peak the drawdown is measured from now (the new session's first peak after a new session).</param>
/// <param name="Drawdown">Peak − PnL now.</param>
/// <param name="PreviousSession">The session the incident was opened in.</param>
public readonly record struct DrawdownResolution(DrawdownClearing Why, decimal Pnl, decimal Peak, decimal Drawdown, DateOnly PreviousSession);

/// <summary>The outcome of judging one PnL update: the next state and what to raise or resolve. Nothing is changed until it is committed.</summary>
/// <param name="Next">The strategy's state after this update (the current one when stale).</param>
/// <param name="IsStale">The update is older (AsOf) than the last one judged: ignore it.</param>
/// <param name="Loss">Severity of a loss alert to raise, or null.</param>
/// <param name="Drawdown">A new drawdown breach to raise, or null.</param>
/// <param name="LossResolved">The open loss incident resolves with this update (PnL back at or above −threshold + hysteresis).</param>
/// <param name="DrawdownResolved">The open drawdown incident resolves with this update, or null.</param>
public readonly record struct StrategyDecision(
    StrategyState Next, bool IsStale, AlertSeverity? Loss, DrawdownUpdate? Drawdown,
    bool LossResolved = false, DrawdownResolution? DrawdownResolved = null);

/// <summary>
/// The PnL rules as one pure function: (the strategy's current state, the update) → (next state, alerts to raise
/// and incidents to resolve). Loss level by <see cref="PnlLossRule"/> (sticky by the hysteresis); drawdown = session
/// peak − total PnL, a breach beyond <see cref="DrawdownThreshold"/> (0: off) raised once and resolved when the
/// drawdown is back at or below the limit − hysteresis, or when a new session starts. The session is the UTC day of the
/// update's AsOf, per strategy: the first update of a new day is the day's first peak.
/// An update older than the last one judged (AsOf) is stale; one with the same AsOf is judged again, which
/// gives the same state and alerts (a redelivery raises what it raised before; after its commit it raises and
/// resolves nothing, because the state already holds the outcome).
/// </summary>
public sealed class StrategyEvaluator(PnlLossRule loss, decimal drawdownThreshold)
{
    public decimal LossThreshold => loss.Threshold;
    public decimal DrawdownThreshold => drawdownThreshold;
    public PnlLossRule Loss => loss;

    /// <summary>A drawdown breach resolves once the drawdown is at or below this: the limit − hysteresis.</summary>
    public decimal DrawdownResolveAtOrBelow => drawdownThreshold - loss.Hysteresis;

    public StrategyDecision Evaluate(StrategyState current, PnlUpdated update)
    {
        if (current.Updates > 0 && update.AsOf < current.LastAsOf) return new StrategyDecision(current, true, null, null);
        var total = update.Total;
        var (level, raise, lossResolved) = loss.Evaluate(current.LossLevel, total);

        var day = DateOnly.FromDateTime(update.AsOf.UtcDateTime);
        var sameSession = current.Updates > 0 && day == current.Session;
        decimal? peak = sameSession ? current.SessionPeak : null;
        var wasInBreach = current.Updates > 0 && current.DrawdownBreach;
        var inBreach = sameSession && current.DrawdownBreach;
        DrawdownUpdate? drawdown = null;
        DrawdownResolution? resolved = null;
        if (drawdownThreshold > 0)
        {
            var isNewPeak = peak is not { } p || total > p;
            var newPeak = isNewPeak ? total : peak!.Value;
            var down = newPeak - total;
            if (down > drawdownThreshold)
            {
                if (!inBreach) drawdown = new DrawdownUpdate(update.Strategy, total, newPeak, down, isNewPeak, DrawdownStatus.NewBreach);
                inBreach = true;
            }
            else if (inBreach && down <= DrawdownResolveAtOrBelow)
            {
                inBreach = false;
                resolved = new DrawdownResolution(DrawdownClearing.WithinLimit, total, newPeak, down, current.Session);
            }
            if (wasInBreach && !sameSession)
            {
                // The old session's incident ends with it (the new session's own breach, if any, opens a new one after).
                resolved = new DrawdownResolution(DrawdownClearing.NewSession, total, newPeak, down, current.Session);
            }
            peak = newPeak;
        }
        else
        {
            inBreach = false;
            if (wasInBreach) resolved = new DrawdownResolution(DrawdownClearing.RuleOff, total, current.SessionPeak ?? total, 0m, current.Session);
        }
        var next = new StrategyState(level, peak, day, inBreach, update.AsOf, current.Updates + 1);
        return new StrategyDecision(next, false, raise, drawdown, lossResolved, resolved);
    }
}
