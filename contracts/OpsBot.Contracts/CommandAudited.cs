using MassTransit;

namespace OpsBot.Contracts;

/// <summary>Every ops-bot command, allowed or refused, for the audit trail.</summary>
[MessageUrn("opsbot.command-audited.v1")]
[EntityName("opsbot.command-audited.v1")]
public sealed record CommandAudited : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Slack user id.</summary>
    public required string User { get; init; }
    /// <summary>The command as typed (e.g. <c>killswitch engage global</c>); never a secret.</summary>
    public required string Command { get; init; }
    /// <summary><c>allowed</c>, <c>refused</c>, <c>invalid</c> or <c>failed</c>.</summary>
    public required string Outcome { get; init; }
    public string? Detail { get; init; }
}
