using MassTransit;

namespace OpsBot.Contracts;

/// <summary>The platform's kill switch changed state (read from its metrics).</summary>
[MessageUrn("opsbot.kill-switch-changed.v1")]
[EntityName("opsbot.kill-switch-changed.v1")]
public sealed record KillSwitchChanged : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required bool Engaged { get; init; }
    /// <summary>What the switch covers (<c>global</c>, a venue or a strategy).</summary>
    public required string Scope { get; init; }
    /// <summary>Where the state was read, e.g. the metric name.</summary>
    public required string Source { get; init; }
}
