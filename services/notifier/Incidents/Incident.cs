using System.Collections.Immutable;
using OpsBot.Contracts;

namespace OpsBot.Notifier.Incidents;

public enum IncidentStatus
{
    Firing,
    Acknowledged,
    Resolved,
}

/// <summary>
/// Where one channel shows an incident. Slack: the channel and <c>ts</c> of its top-level message (or of the digest
/// it was folded into, <see cref="Digest"/>). Teams: <see cref="Ts"/> is "posted" (a webhook returns no id).
/// <see cref="Claim"/> is held by the one delivery that is posting the first message, so two replicas never both post.
/// </summary>
public sealed record IncidentMessage
{
    public string? Channel { get; init; }
    public string? Ts { get; init; }
    public bool Digest { get; init; }
    /// <summary>The severity the message shows; a different one arriving is a severity change.</summary>
    public AlertSeverity ShownSeverity { get; init; }
    public string? Claim { get; init; }
    public DateTimeOffset? ClaimedAt { get; init; }
    /// <summary>The resolution is shown (edited and replied, or the follow-up posted): a redelivered AlertResolved does not repeat it.</summary>
    public bool ResolvedShown { get; init; }

    public bool Posted => Ts is not null;
}

/// <summary>
/// One incident: the life of one dedup key from its first alert to its resolution. Kept in Redis as one JSON value
/// (<see cref="IncidentStore"/>); every change is a pure function here (<see cref="IncidentRules"/>).
/// </summary>
public sealed record Incident
{
    public required string Key { get; init; }
    /// <summary>A resolved incident that fires again is a new incident with a new id (and a new message).</summary>
    public required Guid Id { get; init; }
    public IncidentStatus Status { get; init; }
    public AlertSeverity Severity { get; init; }
    public DateTimeOffset FirstSeen { get; init; }
    public DateTimeOffset LastSeen { get; init; }
    /// <summary>Distinct alerts (by AlertId) seen for this incident.</summary>
    public int Count { get; init; }
    public required AlertRaised LastAlert { get; init; }
    /// <summary>The last few AlertIds, so the Slack and Teams pipelines observing the same alert count it once.</summary>
    public ImmutableList<Guid> RecentAlertIds { get; init; } = [];
    public string? AcknowledgedBy { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    /// <summary>The resolution's own time (<c>AlertResolved.Timestamp</c>): an alert raised before it and arriving after it (late, or held back by inhibition) is stale and not shown.</summary>
    public DateTimeOffset? ResolvedAsOf { get; init; }
    public string? ResolvedReason { get; init; }
    public string? ResolvedBy { get; init; }
    /// <summary>When it became critical (escalation counts from here); null while it is not critical.</summary>
    public DateTimeOffset? CriticalSince { get; init; }
    public DateTimeOffset? LastReminderAt { get; init; }
    public int Reminders { get; init; }
    public bool Escalated { get; init; }
    /// <summary>Per channel ("slack", "teams") where the incident's message is.</summary>
    public ImmutableDictionary<string, IncidentMessage> Messages { get; init; } = ImmutableDictionary<string, IncidentMessage>.Empty;

    public bool Open => Status != IncidentStatus.Resolved;

    public IncidentMessage? MessageOn(string channel) => Messages.GetValueOrDefault(channel);

    public Incident WithMessage(string channel, IncidentMessage? message) =>
        this with { Messages = message is null ? Messages.Remove(channel) : Messages.SetItem(channel, message) };
}
