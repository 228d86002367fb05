using MassTransit;

namespace OpsBot.Contracts;

/// <summary>A risk condition an operator must see. The notifier delivers it to Slack and Teams.</summary>
[MessageUrn("opsbot.alert-raised.v1")]
[EntityName("opsbot.alert-raised.v1")]
public sealed record AlertRaised : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Unique per alert instance.</summary>
    public required Guid AlertId { get; init; }
    public required AlertSeverity Severity { get; init; }
    public required string Title { get; init; }
    public required string Text { get; init; }
    /// <summary>Stable key for the condition (e.g. <c>pnl-loss:acct-1:momentum</c>); repeats within the dedup window are folded.</summary>
    public required string DedupKey { get; init; }
    /// <summary>The service that raised it (e.g. <c>risk-evaluator</c>).</summary>
    public required string Source { get; init; }
    /// <summary>Facts shown as fields (strategy, PnL, threshold, ...). Never secrets.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
