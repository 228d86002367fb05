using MassTransit;

namespace OpsBot.Contracts;

/// <summary>
/// Version 2 of <see cref="PnlUpdated"/>: adds the fees the platform reports. pnl-ingest publishes
/// this type; its envelope lists <c>urn:message:opsbot.pnl-updated.v2</c> and
/// <c>urn:message:opsbot.pnl-updated.v1</c>, and the v2 exchange is bound to the v1 exchange, so a
/// version-1 consumer keeps receiving every update unchanged.
/// </summary>
[MessageUrn("opsbot.pnl-updated.v2")]
[EntityName("opsbot.pnl-updated.v2")]
public sealed record PnlUpdatedV2 : PnlUpdated
{
    /// <summary>Fees and commissions so far (positive is a cost), when the platform reports them.</summary>
    public decimal? Fees { get; init; }
}
