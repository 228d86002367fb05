using MassTransit;

namespace OpsBot.Contracts;

/// <summary>An order update from the exchange's user channel, normalised.</summary>
[MessageUrn("opsbot.user-update-received.v1")]
[EntityName("opsbot.user-update-received.v1")]
public sealed record UserUpdateReceived : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required string OrderId { get; init; }
    public string? ClientOrderId { get; init; }
    public required string Symbol { get; init; }
    /// <summary><c>BUY</c> or <c>SELL</c>.</summary>
    public required string Side { get; init; }
    /// <summary>Exchange order status, e.g. <c>OPEN</c>, <c>FILLED</c>, <c>CANCELLED</c>.</summary>
    public required string Status { get; init; }
    public required decimal FilledSize { get; init; }
    public decimal? AveragePrice { get; init; }
    public required long Sequence { get; init; }
    public required DateTimeOffset ExchangeTime { get; init; }
    /// <summary>Which feed client produced it (<c>raw</c> or <c>sdk</c>).</summary>
    public required string Client { get; init; }
}
