using MassTransit;

namespace OpsBot.Contracts;

/// <summary>
/// A validated PnL report of one strategy, as read from the platform's Redis channel (version 1).
/// Not sealed: version 2 (<see cref="PnlUpdatedV2"/>) extends it, so one physical message carries
/// both URNs and consumers of either version read it.
/// </summary>
[MessageUrn("opsbot.pnl-updated.v1")]
[EntityName("opsbot.pnl-updated.v1")]
public record PnlUpdated : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required string Account { get; init; }
    public required string Strategy { get; init; }
    public required decimal Realized { get; init; }
    public required decimal Unrealized { get; init; }
    /// <summary>ISO 4217 code, upper case.</summary>
    public required string Currency { get; init; }
    /// <summary>When the platform measured this PnL (UTC), from the Redis message.</summary>
    public required DateTimeOffset AsOf { get; init; }

    public decimal Total => Realized + Unrealized;
}
