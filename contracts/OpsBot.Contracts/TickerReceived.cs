using MassTransit;

namespace OpsBot.Contracts;

/// <summary>A market ticker from the exchange feed, normalised.</summary>
[MessageUrn("opsbot.ticker-received.v1")]
[EntityName("opsbot.ticker-received.v1")]
public sealed record TickerReceived : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Exchange product id, e.g. <c>BTC-USD</c>.</summary>
    public required string Symbol { get; init; }
    public required decimal Price { get; init; }
    public decimal? High24h { get; init; }
    public decimal? Low24h { get; init; }
    /// <summary>Exchange sequence number of the frame.</summary>
    public required long Sequence { get; init; }
    /// <summary>Exchange time of the tick (UTC).</summary>
    public required DateTimeOffset ExchangeTime { get; init; }
    /// <summary>Which feed client produced it (<c>raw</c> or <c>sdk</c>).</summary>
    public required string Client { get; init; }
}
