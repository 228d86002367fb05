using OpsBot.Contracts;
using OpsBot.Risk;

namespace OpsBot.RiskEvaluator;

/// <summary>The outcome of judging one PnL update: the next state and what to raise. Nothing is changed until it is committed.</summary>
/// <param name="Next">The strategy's state after this update (the current one when stale).</param>
/// <param name="IsStale">The update is older (AsOf) than the last one judged: ignore it.</param>
/// <param name="Loss">Severity of a loss alert to raise, or null.</param>
/// <param name="Drawdown">A new drawdown breach to raise, or null.</param>
public readonly record struct StrategyDecision(StrategyState Next, bool IsStale, AlertSeverity? Loss, DrawdownUpdate? Drawdown);

/// <summary>
/// The PnL rules as one pure function: (the strategy's current state, the update) → (next state, alerts).
/// Loss level by <see cref="PnlLossRule"/>; drawdown = session peak − total PnL, a breach beyond
/// <see cref="DrawdownThreshold"/> (0: off) raised once until it is back within the limit. The session is
/// the UTC day of the update's AsOf, per strategy: the first update of a new day is the day's first peak.
/// An update older than the last one judged (AsOf) is stale; one with the same AsOf is judged again, which
/// gives the same state and alerts (a redelivery raises what it raised before).
/// </summary>
public sealed class StrategyEvaluator(PnlLossRule loss, decimal drawdownThreshold)
{
    public decimal LossThreshold => loss.Threshold;
    public decimal DrawdownThreshold => drawdownThreshold;

    public StrategyDecision Evaluate(StrategyState current, PnlUpdated update)
    {
        if (current.Updates > 0 && update.AsOf < current.LastAsOf) return new StrategyDecision(current, true, null, null);
        var total = update.Total;
        var (level, raise) = loss.Evaluate(current.LossLevel, total);

        var day = DateOnly.FromDateTime(update.AsOf.UtcDateTime);
        var sameSession = current.Updates > 0 && day == current.Session;
        decimal? peak = sameSession ? current.SessionPeak : null;
        var inBreach = sameSession && current.DrawdownBreach;
        DrawdownUpdate? drawdown = null;
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
            else
            {
                inBreach = false;
            }
            peak = newPeak;
        }
        var next = new StrategyState(level, peak, day, inBreach, update.AsOf, current.Updates + 1);
        return new StrategyDecision(next, false, raise, drawdown);
    }
}
