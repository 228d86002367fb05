using MassTransit;

namespace OpsBot.Contracts;

/// <summary>
/// An authorised operator confirmed <c>/ops killswitch engage|release &lt;scope&gt;</c>. Published for the
/// trading systems, which own the switch; OpsBot itself only reports its state (<see cref="KillSwitchChanged"/>).
/// </summary>
[MessageUrn("opsbot.kill-switch-requested.v1")]
[EntityName("opsbot.kill-switch-requested.v1")]
public sealed record KillSwitchRequested : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required bool Engage { get; init; }
    /// <summary><c>global</c>, a venue or a strategy.</summary>
    public required string Scope { get; init; }
    public required string RequestedBy { get; init; }
    public string? Reason { get; init; }
}
