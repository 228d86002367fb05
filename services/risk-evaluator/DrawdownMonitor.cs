using OpsBot.Risk;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Drawdown of each strategy's total PnL from its peak in the current session (a UTC day, by the
/// PnL's own timestamp) around <see cref="DrawdownTracker"/>, safe for concurrent consumers.
/// </summary>
public sealed class DrawdownMonitor(RiskEvaluatorOptions options)
{
    private readonly object _gate = new();
    private readonly DrawdownTracker? _tracker = options.DrawdownThreshold > 0 ? new DrawdownTracker(options.DrawdownThreshold) : null;
    private DateOnly _session;

    public decimal Threshold => options.DrawdownThreshold;

    /// <summary>The update when this PnL is a new drawdown breach, else null. Off when the threshold is 0.</summary>
    public DrawdownUpdate? Observe(string account, string strategy, decimal total, DateTimeOffset asOf)
    {
        if (_tracker is null) return null;
        lock (_gate)
        {
            var day = DateOnly.FromDateTime(asOf.UtcDateTime);
            if (day > _session)
            {
                _tracker.ResetSession();
                _session = day;
            }
            var update = _tracker.Update($"{account}:{strategy}", total);
            return update.Status == DrawdownStatus.NewBreach ? update : null;
        }
    }
}
