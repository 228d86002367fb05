namespace OpsBot.Risk;

/// <summary>
/// The band a symbol's next price is expected to stay in: centre p (the last observed price) ± k·σ·p, where σ is
/// the volatility model's one-step forecast of the simple return pₜ/pₜ₋₁ − 1 and k the multiplier.
/// A price is inside when Lower ≤ price ≤ Upper; equivalently |price/p − 1| ≤ k·σ.
/// </summary>
public readonly record struct PriceBand(double Center, double Lower, double Upper, double Sigma, double Multiplier)
{
    /// <summary>The band around <paramref name="center"/> for volatility <paramref name="sigma"/> and multiplier <paramref name="multiplier"/>.</summary>
    public static PriceBand Around(double center, double sigma, double multiplier)
    {
        double half = multiplier * sigma * center;
        return new PriceBand(center, center - half, center + half, sigma, multiplier);
    }

    /// <summary>True when <paramref name="price"/> lies within [Lower, Upper].</summary>
    public bool Contains(double price) => price >= Lower && price <= Upper;
}

/// <summary>A price outside the band of the symbol's previous observation.</summary>
/// <param name="Symbol">Instrument, e.g. BTC-USD.</param>
/// <param name="Price">The new price that left the band.</param>
/// <param name="PreviousPrice">The band's centre: the price observed before.</param>
/// <param name="Lower">Lower edge of the band.</param>
/// <param name="Upper">Upper edge of the band.</param>
/// <param name="Model">Volatility method name (std, ewma, atr, garch).</param>
/// <param name="Sigma">The model's return volatility the band used.</param>
/// <param name="Multiplier">The band multiplier k.</param>
public readonly record struct PriceBandBreach(
    string Symbol, double Price, double PreviousPrice, double Lower, double Upper, string Model, double Sigma, double Multiplier)
{
    /// <summary>True for a breach above the band, false below.</summary>
    public bool IsAbove => Price > Upper;
}
