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

/// <summary>The outcome of judging one tick; <see cref="Alert"/> is the breach to raise (null: none).</summary>
public readonly record struct TickDecision(TickOutcome Outcome, PriceBandBreach? Alert, bool? NextBreachAbove)
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
/// The band: last price ± k·σ·last price (<see cref="PriceBand.Around"/>); a breach is raised when the price
/// leaves it on one side, not again while it stays out on that side.
/// </summary>
public sealed class PriceBandEvaluator(double multiplier)
{
    public double Multiplier => multiplier;

    public TickDecision Evaluate(SymbolState state, TickerReceived tick)
    {
        var price = tick.Price;
        if (price <= 0) return new TickDecision(TickOutcome.NonPositivePrice, null, state.BreachAbove);
        if (state.Updates == 0 || state.LastPrice <= 0) return new TickDecision(TickOutcome.First, null, null);
        if (tick.ExchangeTime < state.LastExchangeTime) return new TickDecision(TickOutcome.Stale, null, state.BreachAbove);
        if (tick.ExchangeTime == state.LastExchangeTime && state.PricesAtLastTime.Contains(price))
            return new TickDecision(TickOutcome.Duplicate, null, state.BreachAbove);

        var model = state.Model;
        if (!model.IsReady) return new TickDecision(TickOutcome.Accepted, null, null);
        var last = (double)state.LastPrice;
        var band = PriceBand.Around(last, model.Sigma, multiplier);
        var p = (double)price;
        if (band.Contains(p)) return new TickDecision(TickOutcome.Accepted, null, null);
        var breach = new PriceBandBreach(tick.Symbol, p, last, band.Lower, band.Upper, model.Name, band.Sigma, band.Multiplier);
        var alert = state.BreachAbove == breach.IsAbove ? (PriceBandBreach?)null : breach;
        return new TickDecision(TickOutcome.Accepted, alert, breach.IsAbove);
    }

    /// <summary>Advances the state by a decision of <see cref="Evaluate"/> on the same tick; nothing for an ignored tick.</summary>
    public static void Apply(SymbolState state, TickerReceived tick, in TickDecision decision)
    {
        if (!decision.Changes) return;
        if (decision.Outcome == TickOutcome.Accepted)
            state.Model.Update((double)tick.Price / (double)state.LastPrice - 1.0);
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
