using MassTransit;

namespace OpsBot.Contracts;

/// <summary>Whether the two market-feed clients agreed over one window.</summary>
[MessageUrn("opsbot.parity-report.v1")]
[EntityName("opsbot.parity-report.v1")]
public sealed record ParityReport : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    public required DateTimeOffset WindowStart { get; init; }
    public required DateTimeOffset WindowEnd { get; init; }
    /// <summary><c>PASS</c> or <c>FAIL</c>.</summary>
    public required string Status { get; init; }
    /// <summary>Event counts by client then by event type (<c>ticker</c>, <c>user_update</c>).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Counts { get; init; }
    /// <summary>What differed, one line each; empty on PASS.</summary>
    public IReadOnlyList<string> Differences { get; init; } = [];
}
