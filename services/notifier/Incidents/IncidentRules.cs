using OpsBot.Contracts;

namespace OpsBot.Notifier.Incidents;

/// <summary>
/// The incident settings: reminders (<c>NOTIFIER_REMINDER_INTERVAL</c>, <c>NOTIFIER_REMINDER_MIN_SEVERITY</c>),
/// escalation (<c>NOTIFIER_ESCALATE_AFTER</c>, <c>ONCALL_USERGROUP</c>, <c>NOTIFIER_ESCALATION_CHANNEL</c>), who may
/// acknowledge (<c>NOTIFIER_ACK_USERS</c>) and how long incidents are kept (<c>NOTIFIER_INCIDENT_RETENTION</c>,
/// <c>NOTIFIER_INCIDENT_OPEN_TTL</c>). A zero interval turns reminders (or escalation) off.
/// </summary>
public sealed record IncidentPolicy
{
    public TimeSpan ReminderInterval { get; init; } = TimeSpan.FromMinutes(15);
    public AlertSeverity ReminderMinSeverity { get; init; } = AlertSeverity.Warning;
    public TimeSpan EscalateAfter { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Slack user group id (<c>S…</c>) mentioned on escalation as <c>&lt;!subteam^ID&gt;</c>.</summary>
    public string? OncallUsergroup { get; init; }
    public string? EscalationChannel { get; init; }
    /// <summary>Slack user ids who may acknowledge; empty: anyone (every ack is audited by the ops-bot).</summary>
    public IReadOnlySet<string> AckUsers { get; init; } = new HashSet<string>();
    /// <summary>How long a resolved incident is kept (for a late event and for operators looking back).</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromHours(24);
    /// <summary>An open incident with no alert, ack or reminder for this long expires (its producer is gone).</summary>
    public TimeSpan OpenTtl { get; init; } = TimeSpan.FromDays(7);
    /// <summary>A first-message claim older than this is taken to be dead (its replica crashed) and may be taken over.</summary>
    public TimeSpan ClaimTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public bool MayAcknowledge(string user) => AckUsers.Count == 0 || AckUsers.Contains(user);

    public TimeSpan TtlOf(Incident incident) => incident.Open ? OpenTtl : Retention;
}

/// <summary>What one channel does with an alert of an incident.</summary>
public enum MessageAction
{
    /// <summary>No message yet: post the first (top-level) one; this delivery holds the claim.</summary>
    Post,
    /// <summary>A repeat: edit the message (count, last value, time).</summary>
    Update,
    /// <summary>The severity changed: edit the header and reply in the thread.</summary>
    SeverityChanged,
    /// <summary>A repeat where the channel cannot edit (Teams) or the message is a digest: counted, nothing posted.</summary>
    Quiet,
    /// <summary>Another delivery is posting the first message right now: wait for its ts.</summary>
    Wait,
}

/// <summary>Reminder and escalation work due for an incident.</summary>
public readonly record struct DueWork(bool Remind, bool Escalate)
{
    public bool Any => Remind || Escalate;
}

/// <summary>
/// The incident state machine, pure (no I/O, the clock passed in): firing → acknowledged → resolved; a resolved
/// incident that fires again is a new incident; severity changes; reminders and escalation timing.
/// </summary>
public static class IncidentRules
{
    private const int RecentIds = 8;

    /// <summary>An alert arrives: opens an incident (none, or the last one resolved) or updates the open one.</summary>
    public static Incident Observe(Incident? current, AlertRaised alert, DateTimeOffset now)
    {
        if (current is null || !current.Open)
        {
            return new Incident
            {
                Key = alert.DedupKey,
                Id = Guid.NewGuid(),
                Status = IncidentStatus.Firing,
                Severity = alert.Severity,
                FirstSeen = now,
                LastSeen = now,
                Count = 1,
                LastAlert = alert,
                RecentAlertIds = [alert.AlertId],
                CriticalSince = alert.Severity == AlertSeverity.Critical ? now : null,
            };
        }
        if (current.RecentAlertIds.Contains(alert.AlertId)) return current; // the other channel's pipeline saw it already
        var ids = current.RecentAlertIds.Add(alert.AlertId);
        if (ids.Count > RecentIds) ids = ids.RemoveRange(0, ids.Count - RecentIds);
        if (alert.Timestamp < current.LastAlert.Timestamp)
        {
            // Older than the alert shown (it arrived late, e.g. from the other replica): counted, but it changes neither
            // the severity nor the facts shown, so a stale warning never lowers a critical.
            return current with { LastSeen = now, Count = current.Count + 1, RecentAlertIds = ids };
        }
        return current with
        {
            Severity = alert.Severity,
            LastSeen = now,
            Count = current.Count + 1,
            LastAlert = alert,
            RecentAlertIds = ids,
            CriticalSince = alert.Severity == AlertSeverity.Critical ? current.CriticalSince ?? now : null,
        };
    }

    /// <summary>What <paramref name="channel"/> does with <paramref name="alert"/> of <paramref name="incident"/>, and the incident with its claim taken when it posts.</summary>
    public static (Incident Incident, MessageAction Action) Decide(Incident incident, string channel, AlertRaised alert, string claim, bool canEdit, DateTimeOffset now, IncidentPolicy policy)
    {
        var message = incident.MessageOn(channel);
        if (message is null || (!message.Posted && (message.Claim == claim || message.ClaimedAt is null || now - message.ClaimedAt >= policy.ClaimTimeout)))
            return (incident.WithMessage(channel, new IncidentMessage { Claim = claim, ClaimedAt = now, ShownSeverity = alert.Severity }), MessageAction.Post);
        if (!message.Posted) return (incident, MessageAction.Wait);
        // The change is claimed with the decision (the message is taken to show the new severity), so of two deliveries
        // racing with the same change one replies and the other edits.
        if (incident.Severity != message.ShownSeverity) return (incident.WithMessage(channel, message with { ShownSeverity = incident.Severity }), MessageAction.SeverityChanged);
        return (incident, canEdit && !message.Digest ? MessageAction.Update : MessageAction.Quiet);
    }

    /// <summary>The first message was posted: where it is.</summary>
    public static Incident Posted(Incident incident, string channel, string? destination, string ts, bool digest, AlertSeverity shown) =>
        incident.WithMessage(channel, new IncidentMessage { Channel = destination, Ts = ts, Digest = digest, ShownSeverity = shown });

    /// <summary>Posting the first message failed: gives the claim back, so the next delivery tries.</summary>
    public static Incident ReleaseClaim(Incident incident, string channel, string claim) =>
        incident.MessageOn(channel) is { Posted: false } m && m.Claim == claim ? incident.WithMessage(channel, null) : incident;

    /// <summary>A severity change could not be shown: the message is taken to show <paramref name="shown"/> again, so the next alert retries it.</summary>
    public static Incident? UnclaimSeverity(Incident incident, string channel, AlertSeverity claimed, AlertSeverity shown) =>
        incident.MessageOn(channel) is { } m && m.ShownSeverity == claimed ? incident.WithMessage(channel, m with { ShownSeverity = shown }) : null;

    /// <summary>An operator took it. Null when there is nothing to acknowledge (resolved, or already theirs).</summary>
    public static Incident? Acknowledge(Incident incident, string user, DateTimeOffset now)
    {
        if (!incident.Open || (incident.Status == IncidentStatus.Acknowledged && incident.AcknowledgedBy == user)) return null;
        return incident with { Status = IncidentStatus.Acknowledged, AcknowledgedBy = user, AcknowledgedAt = now };
    }

    /// <summary>The condition cleared. Null when it was resolved already.</summary>
    public static Incident? Resolve(Incident incident, AlertResolved resolved, DateTimeOffset now)
    {
        if (!incident.Open) return null;
        return incident with { Status = IncidentStatus.Resolved, ResolvedAt = now, ResolvedAsOf = resolved.Timestamp, ResolvedReason = resolved.Reason, ResolvedBy = resolved.ResolvedBy };
    }

    /// <summary>
    /// A resolution of a key with no incident (its alert was held back by inhibition, or has not arrived yet): kept as a
    /// resolved incident without messages, so that alert, arriving later, is recognised as stale (<see cref="IsStale"/>).
    /// </summary>
    public static Incident ResolvedUnseen(AlertResolved resolved, DateTimeOffset now) => new()
    {
        Key = resolved.DedupKey,
        Id = Guid.NewGuid(),
        Status = IncidentStatus.Resolved,
        Severity = AlertSeverity.Info,
        FirstSeen = now,
        LastSeen = now,
        LastAlert = new AlertRaised
        {
            CorrelationId = resolved.CorrelationId, Timestamp = resolved.Timestamp, AlertId = Guid.Empty, Severity = AlertSeverity.Info,
            Title = resolved.DedupKey, Text = resolved.Reason, DedupKey = resolved.DedupKey, Source = resolved.Source, Labels = resolved.Labels,
        },
        ResolvedAt = now,
        ResolvedAsOf = resolved.Timestamp,
        ResolvedReason = resolved.Reason,
        ResolvedBy = resolved.ResolvedBy,
    };

    /// <summary>The alert was raised before its key's last resolution: showing it now would open an incident whose condition already cleared.</summary>
    public static bool IsStale(Incident? current, AlertRaised alert) =>
        current is { Open: false, ResolvedAsOf: { } resolvedAsOf } && alert.Timestamp < resolvedAsOf;

    /// <summary>When reminder or escalation work is next due; null when none will be (acknowledged, resolved, below the severity, off).</summary>
    public static DateTimeOffset? NextDue(Incident incident, IncidentPolicy policy)
    {
        if (incident.Status != IncidentStatus.Firing) return null;
        DateTimeOffset? due = null;
        if (policy.ReminderInterval > TimeSpan.Zero && incident.Severity >= policy.ReminderMinSeverity)
            due = (incident.LastReminderAt ?? incident.FirstSeen) + policy.ReminderInterval;
        if (policy.EscalateAfter > TimeSpan.Zero && !incident.Escalated && incident.CriticalSince is { } since)
        {
            var escalation = since + policy.EscalateAfter;
            if (due is null || escalation < due) due = escalation;
        }
        return due;
    }

    public static DueWork Due(Incident incident, DateTimeOffset now, IncidentPolicy policy)
    {
        if (incident.Status != IncidentStatus.Firing) return default;
        var remind = policy.ReminderInterval > TimeSpan.Zero && incident.Severity >= policy.ReminderMinSeverity
            && now >= (incident.LastReminderAt ?? incident.FirstSeen) + policy.ReminderInterval;
        var escalate = policy.EscalateAfter > TimeSpan.Zero && !incident.Escalated
            && incident.CriticalSince is { } since && now >= since + policy.EscalateAfter;
        return new DueWork(remind, escalate);
    }

    /// <summary>The reminder/escalation was claimed (sent once, by the replica whose write won).</summary>
    public static Incident Claimed(Incident incident, DueWork work, DateTimeOffset now) => incident with
    {
        LastReminderAt = work.Remind ? now : incident.LastReminderAt,
        Reminders = work.Remind ? incident.Reminders + 1 : incident.Reminders,
        Escalated = incident.Escalated || work.Escalate,
    };
}
