using OpsBot.Risk;

namespace OpsBot.RiskEvaluator;

/// <summary>
/// Per-symbol price bands (last price ± multiplier × σ × price, σ from the configured volatility
/// model) around <see cref="PriceBandRule"/>, safe to call from concurrent consumers. A breach is
/// reported when a symbol leaves its band on one side; it is not reported again while the price
/// stays outside on that side (the band moves with each tick, so "outside" means each new tick jumps
/// beyond the band of the previous one). Ticks are taken in exchange sequence order per symbol:
/// a tick whose sequence is not newer than the last one seen (a redelivery, or the same tick from
/// the second feed client during a parity run) is ignored, so returns are never counted twice.
/// </summary>
public sealed class PriceBandMonitor(RiskEvaluatorOptions options)
{
    private readonly object _gate = new();
    private readonly PriceBandRule _rule = new(_ => options.CreateModel(), options.BandMultiplier);
    private readonly Dictionary<string, bool> _lastBreachAbove = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastSequence = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _lastBandPublished = new(StringComparer.Ordinal);

    /// <summary>How often a symbol's band is published at most (<c>PriceBandUpdated</c>, for the ops-bot's <c>/ops risk</c>).</summary>
    public static readonly TimeSpan BandPublishInterval = TimeSpan.FromSeconds(5);

    /// <summary>The band to publish for this symbol now, at most once per <see cref="BandPublishInterval"/>; null when none is due or known.</summary>
    public (PriceBand Band, string Model, double Sigma, double Multiplier)? BandDue(string symbol, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_lastBandPublished.TryGetValue(symbol, out var last) && now - last < BandPublishInterval) return null;
            if (!_rule.TryGetBand(symbol, out var band)) return null;
            _lastBandPublished[symbol] = now;
            var model = _rule.GetModel(symbol)!;
            return (band, model.Name, model.Sigma, options.BandMultiplier);
        }
    }

    /// <summary>The breach to alert on for this tick, or null.</summary>
    public PriceBandBreach? Observe(string symbol, decimal price, long sequence)
    {
        if (price <= 0) return null;
        lock (_gate)
        {
            if (_lastSequence.TryGetValue(symbol, out var last) && sequence <= last) return null;
            _lastSequence[symbol] = sequence;
            if (!_rule.Observe(symbol, (double)price, out var breach))
            {
                _lastBreachAbove.Remove(symbol);
                return null;
            }
            if (_lastBreachAbove.TryGetValue(symbol, out var above) && above == breach.IsAbove) return null;
            _lastBreachAbove[symbol] = breach.IsAbove;
            return breach;
        }
    }

    /// <summary>The current band and model of a symbol, if it has one yet.</summary>
    public (PriceBand Band, string Model, double Sigma)? Describe(string symbol)
    {
        lock (_gate)
        {
            if (!_rule.TryGetBand(symbol, out var band)) return null;
            var model = _rule.GetModel(symbol)!;
            return (band, model.Name, model.Sigma);
        }
    }
}
