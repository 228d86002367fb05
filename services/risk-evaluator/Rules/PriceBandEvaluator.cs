using OpsBot.Contracts;
using OpsBot.Risk;

namespace OpsBot.RiskEvaluator;

/// <summary>What to do with one tick.</summary>
public enum TickOutcome
{
    /// <summary>The symbol's first price: it becomes the centre, nothing to judge yet.</summary>
    First,

    /// <summary>A new market event, judged against the band.</summary>
    Accepted,

    /// <summary>Older (exchange time) than the last tick taken: ignored.</summary>
    Stale,

    /// <summary>The same market event again (same exchange time and price: the other feed client, or a redelivery): ignored.</summary>
    Duplicate,

    /// <summary>Zero or negative price: rejected (log + counter).</summary>
    NonPositivePrice,
}

/// <summary>An open price-band incident of one side (key <c>price-band:{symbol}:{above|below}</c>), kept in the symbol's state.</summary>
/// <param name="Above">The side: above the band (true) or below (false).</param>
/// <param name="BreachPrice">The price of the last tick beyond this side.</param>
/// <param name="BreachTime">Exchange time of that tick.</param>
/// <param name="InsideSince">Exchange time of the first tick no longer beyond this side since then; null while it still is.</param>
public sealed record BandIncident(bool Above, decimal BreachPrice, DateTimeOffset BreachTime, DateTimeOffset? InsideSince);

/// <summary>An open incident that resolves with this tick, and the band the tick was judged against (the last facts).</summary>
public readonly record struct BandResolution(BandIncident Incident, PriceBand Band, double PreviousPrice, string Model);

/// <summary>
/// The outcome of judging one tick; <see cref="Alert"/> is the breach to raise (null: none), <see cref="ResolvedAbove"/> /
/// <see cref="ResolvedBelow"/> the incidents to resolve, <see cref="NextAbove"/> / <see cref="NextBelow"/> the open incidents after it.
/// </summary>
public readonly record struct TickDecision(
    TickOutcome Outcome, PriceBandBreach? Alert, bool? NextBreachAbove,
    BandIncident? NextAbove = null, BandIncident? NextBelow = null,
    BandResolution? ResolvedAbove = null, BandResolution? ResolvedBelow = null)
{
    public bool Changes => Outcome is TickOutcome.First or TickOutcome.Accepted;
}

/// <summary>
/// The price-band rule split in two so that nothing changes before the alert is on the broker:
/// <see cref="Evaluate"/> reads the symbol's state and decides (pure), <see cref="Apply"/> advances it
/// (feeds the return to the volatility model, moves the centre) once the alert is published.
/// Order and staleness are judged by exchange time per symbol, never by the feed's sequence numbers (they
/// restart from 0 on every connection and differ between the two feed clients). The same market event from
/// both clients (same exchange time and price) is taken once.
/// The band: last price ± k·σ·last price (<see cref="PriceBand.Around"/>). A breach on one side opens that side's
/// incident and raises its alert; further breaches on that side raise nothing while it is open. The incident
/// resolves on the first tick that finds the price out of that side's breach (inside the band, or beyond the
/// other side) for at least <see cref="ResolveAfter"/> of exchange time (<c>RISK_BAND_RESOLVE_AFTER</c>) without
/// breaching that side again: a price that flickers across the edge stays one incident.
/// </summary>
public sealed class PriceBandEvaluator(double multiplier, TimeSpan resolveAfter)
{
    /// <summary>The default of <c>RISK_BAND_RESOLVE_AFTER</c>.</summary>
    public static readonly TimeSpan DefaultResolveAfter = TimeSpan.FromSeconds(60);

    public PriceBandEvaluator(double multiplier) : this(multiplier, DefaultResolveAfter)
    {
    }

    public double Multiplier => multiplier;
    public TimeSpan ResolveAfter => resolveAfter;

    public TickDecision Evaluate(SymbolState state, TickerReceived tick)
    {
        var price = tick.Price;
        if (price <= 0) return new TickDecision(TickOutcome.NonPositivePrice, null, state.BreachAbove);
        if (state.Updates == 0 || state.LastPrice <= 0) return new TickDecision(TickOutcome.First, null, null);
        if (tick.ExchangeTime < state.LastExchangeTime) return new TickDecision(TickOutcome.Stale, null, state.BreachAbove);
        if (tick.ExchangeTime == state.LastExchangeTime && state.PricesAtLastTime.Contains(price))
            return new TickDecision(TickOutcome.Duplicate, null, state.BreachAbove);

        var model = state.Model;
        // Without a band nothing is judged: the open incidents stay as they are.
        if (!model.IsReady) return new TickDecision(TickOutcome.Accepted, null, null, state.Above, state.Below);
        var last = (double)state.LastPrice;
        var band = PriceBand.Around(last, model.Sigma, multiplier);
        var p = (double)price;
        bool? outside = band.Contains(p) ? null : p > band.Upper;
        PriceBandBreach? alert = null;
        if (outside is { } isAbove)
        {
            var breach = new PriceBandBreach(tick.Symbol, p, last, band.Lower, band.Upper, model.Name, band.Sigma, band.Multiplier);
            if ((isAbove ? state.Above : state.Below) is null) alert = breach;
        }
        var (nextAbove, resolvedAbove) = Judge(state.Above, true, outside, tick, band, last, model.Name);
        var (nextBelow, resolvedBelow) = Judge(state.Below, false, outside, tick, band, last, model.Name);
        return new TickDecision(TickOutcome.Accepted, alert, outside, nextAbove, nextBelow, resolvedAbove, resolvedBelow);
    }

    /// <summary>One side's incident after this tick (null: none open) and its resolution, if this tick resolves it.</summary>
    private (BandIncident? Next, BandResolution? Resolved) Judge(
        BandIncident? open, bool above, bool? outside, TickerReceived tick, PriceBand band, double last, string model)
    {
        if (outside == above)
        {
            // Beyond this side (again): the incident opens, or stays open with its clock stopped.
            return (new BandIncident(above, tick.Price, tick.ExchangeTime, null), null);
        }
        if (open is null) return (null, null);
        var since = open.InsideSince ?? tick.ExchangeTime;
        if (tick.ExchangeTime - since >= resolveAfter)
        {
            var closed = open.InsideSince is null ? open with { InsideSince = since } : open;
            return (null, new BandResolution(closed, band, last, model));
        }
        return (open.InsideSince is null ? open with { InsideSince = since } : open, null);
    }

    /// <summary>Advances the state by a decision of <see cref="Evaluate"/> on the same tick; nothing for an ignored tick.</summary>
    public static void Apply(SymbolState state, TickerReceived tick, in TickDecision decision)
    {
        if (!decision.Changes) return;
        if (decision.Outcome == TickOutcome.Accepted)
        {
            state.Model.Update((double)tick.Price / (double)state.LastPrice - 1.0);
            state.Above = decision.NextAbove;
            state.Below = decision.NextBelow;
        }
        if (tick.ExchangeTime != state.LastExchangeTime || decision.Outcome == TickOutcome.First)
        {
            state.PricesAtLastTime.Clear();
            state.LastExchangeTime = tick.ExchangeTime;
        }
        if (state.PricesAtLastTime.Count == SymbolState.MaxPricesAtLastTime) state.PricesAtLastTime.RemoveAt(0);
        state.PricesAtLastTime.Add(tick.Price);
        state.LastPrice = tick.Price;
        state.BreachAbove = decision.NextBreachAbove;
        state.Updates++;
    }
}
