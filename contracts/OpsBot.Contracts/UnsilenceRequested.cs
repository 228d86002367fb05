using MassTransit;

namespace OpsBot.Contracts;

/// <summary>An operator lifted a silence (<c>/ops unsilence</c>), by matcher.</summary>
[MessageUrn("opsbot.unsilence-requested.v1")]
[EntityName("opsbot.unsilence-requested.v1")]
public sealed record UnsilenceRequested : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required string Matcher { get; init; }
    public required string RequestedBy { get; init; }
}
