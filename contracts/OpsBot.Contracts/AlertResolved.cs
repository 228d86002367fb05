using MassTransit;

namespace OpsBot.Contracts;

/// <summary>
/// The condition behind an alert has cleared: PnL back above the loss threshold, drawdown back within its
/// limit or a new session, a price back inside its band, parity PASS after a FAIL, the kill switch released,
/// or an operator resolved it by hand. It closes the incident the notifier opened for <see cref="DedupKey"/>.
/// </summary>
[MessageUrn("opsbot.alert-resolved.v1")]
[EntityName("opsbot.alert-resolved.v1")]
public sealed record AlertResolved : IOpsBotMessage
{
    public required Guid CorrelationId { get; init; }
    /// <summary>When the condition cleared (the time of the update that cleared it).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The incident key: the <c>DedupKey</c> of the <see cref="AlertRaised"/> alerts it resolves.</summary>
    public required string DedupKey { get; init; }
    /// <summary>Why it cleared, one sentence an operator reads (e.g. "PnL -420 is back above -1000 (hysteresis 100)").</summary>
    public required string Reason { get; init; }
    /// <summary>The service that resolved it (e.g. <c>risk-evaluator</c>, <c>parity-checker</c>, <c>ops-bot</c>).</summary>
    public required string Source { get; init; }
    /// <summary>The operator's Slack user id when resolved by hand (<c>/ops resolve</c>); absent when the condition cleared.</summary>
    public string? ResolvedBy { get; init; }
    /// <summary>The last facts (strategy, PnL, threshold, ...), as in <see cref="AlertRaised.Labels"/>. Never secrets.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
