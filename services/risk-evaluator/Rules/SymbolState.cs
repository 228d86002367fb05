using OpsBot.Risk;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// What the price-band rule needs to judge a symbol's next tick (kept in Redis, docs/risk.md "Durable state").
/// Mutable because the volatility model is: <see cref="PriceBandEvaluator.Evaluate"/> reads it,
/// <see cref="PriceBandEvaluator.Apply"/> advances it after the alerts are published.
/// </summary>
public sealed class SymbolState(IVolatilityModel model)
{
    /// <summary>Most prices remembered at the last exchange time (distinct trades in the same instant).</summary>
    public const int MaxPricesAtLastTime = 16;

    public IVolatilityModel Model { get; set; } = model;

    /// <summary>The last accepted price (the band's centre); 0 before the first tick.</summary>
    public decimal LastPrice { get; set; }

    /// <summary>The side the last judged price was beyond (true above, false below), null when inside the band. Raising and
    /// resolving follow <see cref="Above"/> / <see cref="Below"/>; this is kept for state written before them.</summary>
    public bool? BreachAbove { get; set; }

    /// <summary>The open incident above the band (alerted, not yet resolved), or null.</summary>
    public BandIncident? Above { get; set; }

    /// <summary>The open incident below the band (alerted, not yet resolved), or null.</summary>
    public BandIncident? Below { get; set; }

    /// <summary>Exchange time of the last accepted tick; an older tick is stale.</summary>
    public DateTimeOffset LastExchangeTime { get; set; } = DateTimeOffset.MinValue;

    /// <summary>Prices already taken at <see cref="LastExchangeTime"/>: the same (time, price) again is the same market event.</summary>
    public List<decimal> PricesAtLastTime { get; } = new(2);

    /// <summary>Ticks accepted so far (the write fence's tie-breaker between states of equal exchange time).</summary>
    public long Updates { get; set; }

    /// <summary>When this symbol's band was last published (<c>PriceBandUpdated</c>); not persisted.</summary>
    public DateTimeOffset LastBandPublished { get; set; } = DateTimeOffset.MinValue;
}
