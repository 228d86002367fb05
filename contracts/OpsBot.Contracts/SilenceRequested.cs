using MassTransit;

namespace OpsBot.Contracts;

/// <summary>An operator asked to silence alerts until a time (from Slack: <c>/ops silence</c> or the "Silence 1h" button).</summary>
[MessageUrn("opsbot.silence-requested.v1")]
[EntityName("opsbot.silence-requested.v1")]
public sealed record SilenceRequested : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required Guid SilenceId { get; init; }
    /// <summary>A dedup key (<c>pnl-loss:acct-1:momentum</c>) or a glob over dedup keys (<c>pnl-loss:*</c>).</summary>
    public required string Matcher { get; init; }
    public required DateTimeOffset Until { get; init; }
    /// <summary>Slack user id of the operator.</summary>
    public required string RequestedBy { get; init; }
    public string? Reason { get; init; }
}
