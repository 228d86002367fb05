using MassTransit;

namespace OpsBot.Contracts.Tests.Broken;

/// <summary>
/// PnlUpdated as a careless change would leave it: <c>unrealized</c> dropped, <c>realized</c> made a
/// double, a new required field. The compatibility check must refuse it.
/// </summary>
[MessageUrn("opsbot.pnl-updated.v1")]
[EntityName("opsbot.pnl-updated.v1")]
public sealed record PnlUpdated : OpsBot.Contracts.IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required string Account { get; init; }
    public required string Strategy { get; init; }
    public required double Realized { get; init; }
    public required string Currency { get; init; }
    public required DateTimeOffset AsOf { get; init; }
    public required string Desk { get; init; }
    public decimal Total => 0;
}
