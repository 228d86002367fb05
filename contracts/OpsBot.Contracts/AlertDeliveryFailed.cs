using MassTransit;

namespace OpsBot.Contracts;

/// <summary>An alert could not be delivered to a channel after the last retry.</summary>
[MessageUrn("opsbot.alert-delivery-failed.v1")]
[EntityName("opsbot.alert-delivery-failed.v1")]
public sealed record AlertDeliveryFailed : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required Guid AlertId { get; init; }
    public required string DedupKey { get; init; }
    public required DeliveryChannel Channel { get; init; }
    public required string Destination { get; init; }
    public required DeliveryFailureReason Reason { get; init; }
    /// <summary>What the channel answered, shortened; never a token or a URL with credentials.</summary>
    public required string Error { get; init; }
    public required int Attempts { get; init; }
}
