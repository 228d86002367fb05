using MassTransit;

namespace OpsBot.Contracts;

/// <summary>An alert reached a channel.</summary>
[MessageUrn("opsbot.alert-delivered.v1")]
[EntityName("opsbot.alert-delivered.v1")]
public sealed record AlertDelivered : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required Guid AlertId { get; init; }
    public required string DedupKey { get; init; }
    public required DeliveryChannel Channel { get; init; }
    /// <summary>The Slack channel id or the Teams webhook's name; never the webhook URL.</summary>
    public required string Destination { get; init; }
    /// <summary>The channel's id for the message (Slack <c>ts</c>), when it gives one.</summary>
    public string? MessageRef { get; init; }
    public required int Attempts { get; init; }
}
