using MassTransit;

namespace OpsBot.Contracts;

/// <summary>
/// The risk-evaluator's current volatility estimate and price band for one symbol, published when it
/// changes (at most about once a second per symbol). ops-bot caches the latest for <c>/ops risk</c>.
/// </summary>
[MessageUrn("opsbot.price-band-updated.v1")]
[EntityName("opsbot.price-band-updated.v1")]
public sealed record PriceBandUpdated : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Exchange product id, e.g. <c>BTC-USD</c>.</summary>
    public required string Symbol { get; init; }
    /// <summary><c>VOLATILITY_METHOD</c> in use: <c>std</c>, <c>ewma</c>, <c>atr</c> or <c>garch</c>.</summary>
    public required string Model { get; init; }
    /// <summary>Volatility of returns per observation, as a fraction (0.012 = 1.2 %).</summary>
    public required double Volatility { get; init; }
    /// <summary>The price the band is centred on (usually the last ticker price).</summary>
    public required decimal Reference { get; init; }
    public required decimal Lower { get; init; }
    public required decimal Upper { get; init; }
    /// <summary>Band half-width in volatilities (k in reference × (1 ± k·σ)).</summary>
    public double? Multiplier { get; init; }
}
