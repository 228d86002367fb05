using OpsBot.Risk;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// A band's edges as the contract's decimals without ever throwing: an absurd price (or σ) can put an edge
/// beyond decimal's ±7.9·10²⁸ or make it non-finite, and a cast would throw after the breach was found.
/// Such an edge is clamped to the decimal range (NaN to the centre), logged and counted
/// (<c>opsbot_risk_absurd_prices_total</c>).
/// </summary>
public sealed class BandEdges(RiskMetrics metrics, ILogger<BandEdges> logger)
{
    public (decimal Center, decimal Lower, decimal Upper) ToDecimal(string symbol, PriceBand band)
    {
        var center = Clamp(band.Center, 0, out var bad1);
        var lower = Clamp(band.Lower, center, out var bad2);
        var upper = Clamp(band.Upper, center, out var bad3);
        if (bad1 | bad2 | bad3)
        {
            metrics.AbsurdPrice();
            logger.LogWarning("Price band of {Symbol} is outside the decimal range (centre {Center:G6}, lower {Lower:G6}, upper {Upper:G6}): published clamped",
                symbol, band.Center, band.Lower, band.Upper);
        }
        return (center, lower, upper);
    }

    /// <summary><paramref name="value"/> as a decimal, clamped; <paramref name="clamped"/> says whether it had to be.</summary>
    public static decimal Clamp(double value, decimal nan, out bool clamped)
    {
        clamped = true;
        if (double.IsNaN(value)) return nan;
        if (value >= (double)decimal.MaxValue) return decimal.MaxValue;
        if (value <= (double)decimal.MinValue) return decimal.MinValue;
        clamped = false;
        return (decimal)value;
    }
}
