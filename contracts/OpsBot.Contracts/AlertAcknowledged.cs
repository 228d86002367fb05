using MassTransit;

namespace OpsBot.Contracts;

/// <summary>An operator acknowledged an alert (the "Acknowledge" button).</summary>
[MessageUrn("opsbot.alert-acknowledged.v1")]
[EntityName("opsbot.alert-acknowledged.v1")]
public sealed record AlertAcknowledged : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required string DedupKey { get; init; }
    public Guid? AlertId { get; init; }
    /// <summary>Slack user id of the operator.</summary>
    public required string AcknowledgedBy { get; init; }
}
