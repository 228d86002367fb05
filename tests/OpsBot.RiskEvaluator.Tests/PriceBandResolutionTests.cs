using OpsBot.Contracts;
using OpsBot.Risk;
using OpsBot.RiskEvaluator.State;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>
/// The price-band incident per side (pure rule, exchange time): a breach opens it, the price back inside its band for
/// <c>RISK_BAND_RESOLVE_AFTER</c> resolves it once, a new breach on the same side before that keeps it open without a
/// new alert; a state stored before incidents were kept still knows its open breach.
/// </summary>
public sealed class PriceBandResolutionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    private sealed class Symbol(TimeSpan resolveAfter)
    {
        private readonly PriceBandEvaluator _evaluator = new(4, resolveAfter);
        private long _sequence;

        public SymbolState State { get; } = new(VolatilityModelFactory.Create("std", new VolatilityOptions { StdWindow = 10 }));
        public List<PriceBandBreach> Alerts { get; } = [];
        public List<BandResolution> Resolutions { get; } = [];
        public List<TickerReceived> ResolvedBy { get; } = [];

        public TickerReceived Tick(decimal price, DateTimeOffset at)
        {
            var tick = new TickerReceived
            {
                CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Symbol = "BTC-USD", Price = price,
                Sequence = ++_sequence, ExchangeTime = at, Client = "raw",
            };
            var decision = _evaluator.Evaluate(State, tick);
            if (decision.Alert is { } alert) Alerts.Add(alert);
            foreach (var r in new[] { decision.ResolvedAbove, decision.ResolvedBelow })
                if (r is { } resolution) { Resolutions.Add(resolution); ResolvedBy.Add(tick); }
            PriceBandEvaluator.Apply(State, tick, decision);
            return tick;
        }

        /// <summary>12 quiet ticks (±0.1 %, one a second from T0): σ ≈ 0.1 %, a band of about ±0.4 %.</summary>
        public DateTimeOffset Quiet()
        {
            for (var i = 0; i < 12; i++) Tick(i % 2 == 0 ? 100.1m : 99.9m, T0.AddSeconds(i));
            return T0.AddSeconds(11);
        }
    }

    [Fact]
    public void Band_a_price_back_inside_for_the_resolve_time_resolves_the_side_once_in_exchange_time()
    {
        var symbol = new Symbol(TimeSpan.FromSeconds(60));
        var t = symbol.Quiet();
        symbol.Tick(103m, t.AddSeconds(1));                     // 3 % above: the incident opens
        Assert.Equal("above", Assert.Single(symbol.Alerts).IsAbove ? "above" : "below");
        Assert.NotNull(symbol.State.Above);

        var back = t.AddSeconds(2);
        symbol.Tick(103.01m, back);                             // inside the (now wide) band around 103: the clock starts
        Assert.Equal(back, symbol.State.Above!.InsideSince);
        symbol.Tick(103.02m, back.AddSeconds(59));              // 59 s: not yet
        Assert.Empty(symbol.Resolutions);
        symbol.Tick(103.01m, back.AddSeconds(60));              // 60 s of exchange time inside: resolved
        var resolution = Assert.Single(symbol.Resolutions);
        Assert.True(resolution.Incident.Above);
        Assert.Equal(103m, resolution.Incident.BreachPrice);
        Assert.Null(symbol.State.Above);
        symbol.Tick(103.02m, back.AddSeconds(61));
        Assert.Single(symbol.Resolutions);                      // once

        var factory = new AlertFactory(new ServiceIdentity("risk-evaluator"), TimeProvider.System);
        var resolved = factory.PriceBandResolved(symbol.ResolvedBy[0], resolution);
        Assert.Equal("price-band:BTC-USD:above", resolved.DedupKey);
        Assert.Equal(back.AddSeconds(60), resolved.Timestamp);
        Assert.Contains("60 s", resolved.Reason);
        Assert.Contains("103.01", resolved.Reason);
        Assert.Equal(["band_lower", "band_upper", "model", "multiplier", "previous_price", "price", "sequence", "sigma", "symbol"], resolved.Labels.Keys.Order());
    }

    [Fact]
    public void Band_a_price_flickering_across_the_edge_stays_one_incident_and_the_clock_starts_again_after_each_breach()
    {
        var symbol = new Symbol(TimeSpan.FromSeconds(60));
        var t = symbol.Quiet();
        symbol.Tick(103m, t.AddSeconds(1));                     // breach above
        symbol.Tick(103m, t.AddSeconds(2));                     // back inside: clock starts
        var again = symbol.Tick(110m, t.AddSeconds(40));      // above again before 60 s: no new alert, the clock stops
        Assert.Single(symbol.Alerts);
        Assert.Null(symbol.State.Above!.InsideSince);
        Assert.Equal(again.Price, symbol.State.Above.BreachPrice);
        symbol.Tick(110m, t.AddSeconds(41));                  // inside again
        symbol.Tick(110m, t.AddSeconds(62));                  // 60 s after the first return, 21 s after the last: still open
        Assert.Empty(symbol.Resolutions);
        symbol.Tick(110.01m, t.AddSeconds(101));                // 60 s after the last return
        Assert.Single(symbol.Resolutions);
    }

    [Fact]
    public void Band_a_duplicate_or_stale_tick_changes_no_incident()
    {
        var symbol = new Symbol(TimeSpan.Zero);
        var t = symbol.Quiet();
        symbol.Tick(103m, t.AddSeconds(1));
        symbol.Tick(103m, t.AddSeconds(1));                     // the other client's copy: a duplicate, ignored
        symbol.Tick(100m, t);                                   // stale
        Assert.NotNull(symbol.State.Above);
        symbol.Tick(103.01m, t.AddSeconds(2));                  // inside, and 0 s resolve time: resolved at once
        Assert.Single(symbol.Resolutions);
    }

    [Fact]
    public void Band_a_symbol_state_stored_before_incidents_were_kept_still_has_its_open_breach()
    {
        // A document as written before this change: no Above / Below, BreachAbove = true (the alert was raised).
        var model = VolatilityModelFactory.Create("std", new VolatilityOptions { StdWindow = 10 });
        var old = $$"""{"LastPrice":103,"BreachAbove":true,"LastExchangeTime":"2026-11-27T09:00:12+00:00","PricesAtLastTime":[103],"Updates":13,"Model":{{System.Text.Json.JsonSerializer.Serialize(model.Snapshot(), RiskStateCodec.Options)}}}""";
        var document = RiskStateCodec.DeserializeSymbol(old);
        Assert.Null(document.Above);
        var (above, below) = RiskStateCodec.OpenIncidents(document);
        Assert.Equal(new BandIncident(true, 103m, T0.AddSeconds(12), null), above);
        Assert.Null(below);

        // And the new fields round-trip.
        var state = new SymbolState(model) { LastPrice = 103m, Above = above, Updates = 13 };
        var again = RiskStateCodec.DeserializeSymbol(RiskStateCodec.Serialize(state));
        Assert.Equal(above, again.Above);
    }
}
