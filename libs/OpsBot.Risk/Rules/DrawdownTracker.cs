namespace OpsBot.Risk;

/// <summary>Where a strategy stands against its drawdown limit after an update.</summary>
public enum DrawdownStatus
{
    /// <summary>Drawdown at or below the limit.</summary>
    Within,

    /// <summary>Drawdown went above the limit with this update (alert).</summary>
    NewBreach,

    /// <summary>Drawdown was already above the limit and still is (fold into the open alert).</summary>
    ContinuingBreach,
}

/// <summary>The outcome of one <see cref="DrawdownTracker.Update"/>.</summary>
/// <param name="Strategy">Strategy name.</param>
/// <param name="Pnl">The total PnL just reported.</param>
/// <param name="Peak">Session peak of the total PnL, this update included.</param>
/// <param name="Drawdown">Peak − Pnl (≥ 0).</param>
/// <param name="IsNewPeak">True when this update set a new session peak (or was the first of the session).</param>
/// <param name="Status">Breach state against the limit.</param>
public readonly record struct DrawdownUpdate(string Strategy, decimal Pnl, decimal Peak, decimal Drawdown, bool IsNewPeak, DrawdownStatus Status)
{
    /// <summary>True while the drawdown is above the limit.</summary>
    public bool IsBreach => Status != DrawdownStatus.Within;
}

/// <summary>
/// Per strategy: the session peak of total PnL (realised + unrealised) and the drawdown from it,
/// drawdown = peak − current. The session starts at a strategy's first update (that PnL is the first peak) and
/// ends with <see cref="ResetSession"/>. A breach is drawdown &gt; <see cref="MaxDrawdown"/>; the first update in
/// breach is <see cref="DrawdownStatus.NewBreach"/>, later ones <see cref="DrawdownStatus.ContinuingBreach"/>, and
/// once the drawdown is back within the limit the next breach is new again.
/// Allocation-free after a strategy's first update. Not thread-safe: partition by strategy.
/// </summary>
public sealed class DrawdownTracker
{
    private readonly Dictionary<string, State> _strategies = new(StringComparer.Ordinal);

    /// <param name="maxDrawdown">Largest allowed drawdown, in PnL currency, &gt; 0.</param>
    public DrawdownTracker(decimal maxDrawdown)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDrawdown);
        MaxDrawdown = maxDrawdown;
    }

    public decimal MaxDrawdown { get; }

    /// <summary>Records the strategy's total PnL and returns its peak, drawdown and breach state.</summary>
    public DrawdownUpdate Update(string strategy, decimal totalPnl)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        bool newPeak = false;
        if (!_strategies.TryGetValue(strategy, out var s))
        {
            s = new State { Peak = totalPnl };
            _strategies.Add(strategy, s);
            newPeak = true;
        }
        else if (totalPnl > s.Peak)
        {
            s.Peak = totalPnl;
            newPeak = true;
        }

        decimal drawdown = s.Peak - totalPnl;
        DrawdownStatus status;
        if (drawdown > MaxDrawdown)
        {
            status = s.InBreach ? DrawdownStatus.ContinuingBreach : DrawdownStatus.NewBreach;
            s.InBreach = true;
        }
        else
        {
            status = DrawdownStatus.Within;
            s.InBreach = false;
        }
        return new DrawdownUpdate(strategy, totalPnl, s.Peak, drawdown, newPeak, status);
    }

    /// <summary>Starts a new session for every strategy: peaks and breach states are forgotten.</summary>
    public void ResetSession() => _strategies.Clear();

    private sealed class State
    {
        public decimal Peak;
        public bool InBreach;
    }
}
