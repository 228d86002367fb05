using OpsBot.Contracts;
using OpsBot.Notifier.Pipeline;
using StackExchange.Redis;

namespace OpsBot.Notifier.Incidents;

/// <summary>
/// Reminders and escalation, on a timer of the service's <see cref="TimeProvider"/>: every <see cref="Tick"/> each
/// replica reads the incidents due (<see cref="IncidentStore.DueAsync"/>) and claims each one's work by writing it
/// (compare-and-set), so with several replicas a reminder or an escalation is sent once, by the replica whose write
/// won. A firing, unacknowledged incident of at least <c>NOTIFIER_REMINDER_MIN_SEVERITY</c> gets a reply in its Slack
/// thread every <c>NOTIFIER_REMINDER_INTERVAL</c>; a critical one unacknowledged for <c>NOTIFIER_ESCALATE_AFTER</c>
/// gets, once, a reply mentioning <c>ONCALL_USERGROUP</c> and a note in <c>NOTIFIER_ESCALATION_CHANNEL</c> when set.
/// Slack only (a Teams webhook has no thread). While Redis is unreachable nothing is due (it says so once).
/// </summary>
public sealed class IncidentReminders(
    IncidentStore store,
    IncidentLifecycle lifecycle,
    TimeProvider time,
    NotifierMetrics metrics,
    ILogger<IncidentReminders> logger) : BackgroundService
{
    private readonly IncidentPolicy _policy = lifecycle.Policy;
    private bool _warned;

    /// <summary>A fifth of the shorter of the reminder interval and the escalation delay, between 100 ms and 10 s.</summary>
    public TimeSpan Tick
    {
        get
        {
            var spans = new[] { _policy.ReminderInterval, _policy.EscalateAfter }.Where(s => s > TimeSpan.Zero).ToList();
            if (spans.Count == 0) return TimeSpan.FromSeconds(10);
            var tick = spans.Min() / 5;
            return tick < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : tick > TimeSpan.FromSeconds(10) ? TimeSpan.FromSeconds(10) : tick;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (lifecycle.On(DeliveryChannel.Slack) is null || (_policy.ReminderInterval <= TimeSpan.Zero && _policy.EscalateAfter <= TimeSpan.Zero)) return;
        using var timer = new PeriodicTimer(Tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await RunOnceAsync(stoppingToken); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Reminder round failed unexpectedly; continuing");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    /// <summary>One round: sends what is due now. Returns how many reminders and escalations this replica sent.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!store.Connected) { Warn("not connected"); return 0; }
        var now = time.GetUtcNow();
        IReadOnlyList<string> due;
        try { due = await store.DueAsync(now); }
        catch (Exception e) when (e is RedisException or TimeoutException) { Warn(e.GetType().Name); return 0; }
        _warned = false;

        var sent = 0;
        foreach (var identity in due)
        {
            var work = default(DueWork);
            Incident? before, after;
            bool changed;
            try
            {
                (before, after, changed) = await store.UpdateAsync(identity, i =>
                {
                    work = i is null ? default : IncidentRules.Due(i, now, _policy);
                    if (i is null || !work.Any || SlackMessageOf(i) is null) return null;
                    return IncidentRules.Claimed(i, work, now);
                });
                if (before is null || (!changed && IncidentRules.NextDue(before, _policy) is null)) await store.ForgetDueAsync(identity);
            }
            catch (Exception e) when (e is RedisException or TimeoutException) { Warn(e.GetType().Name); return sent; }
            if (!changed || after is null) continue;
            sent += await SendAsync(identity, after, work, now, cancellationToken);
        }
        return sent;
    }

    private async Task<int> SendAsync(string identity, Incident incident, DueWork work, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var slack = lifecycle.On(DeliveryChannel.Slack)!;
        var message = SlackMessageOf(incident)!;
        var sent = 0;
        if (work.Remind)
        {
            try
            {
                await slack.ReplyAsync(incident, message, new IncidentNote("Reminder", IncidentText.Reminder(incident, now), incident.Severity), cancellationToken);
                metrics.Nudge("reminder");
                sent++;
                logger.LogInformation("Incident {DedupKey}: reminder {Number} sent (firing {Duration}, unacknowledged)", incident.Key, incident.Reminders, IncidentText.Duration(now - incident.FirstSeen));
            }
            catch (AlertDeliveryException e)
            {
                logger.LogWarning("Incident {DedupKey}: reminder could not be sent ({Error}); the next one comes in {Interval}", incident.Key, e.Cause.Error, IncidentText.Duration(_policy.ReminderInterval));
            }
        }
        if (work.Escalate)
        {
            try
            {
                var note = new IncidentNote("Escalation", IncidentText.Escalation(incident, now, _policy.OncallUsergroup), AlertSeverity.Critical);
                await slack.ReplyAsync(incident, message, note, cancellationToken);
                if (_policy.EscalationChannel is { } channel) await slack.NoteAsync(channel, note, cancellationToken);
                metrics.Nudge("escalation");
                sent++;
                logger.LogWarning("Incident {DedupKey} escalated: critical and unacknowledged for {Duration}", incident.Key, IncidentText.Duration(now - (incident.CriticalSince ?? incident.FirstSeen)));
            }
            catch (AlertDeliveryException e)
            {
                // Not sent: give the claim back so the next round tries again.
                logger.LogWarning("Incident {DedupKey}: escalation could not be sent ({Error}); tried again", incident.Key, e.Cause.Error);
                try { await store.UpdateAsync(identity, i => i?.Id == incident.Id ? i with { Escalated = false } : null); }
                catch (Exception r) when (r is RedisException or TimeoutException) { Warn(r.GetType().Name); }
            }
        }
        return sent;
    }

    /// <summary>The Slack message reminders and escalation reply to: the one in <c>SLACK_ALERT_CHANNEL</c>, else the first routed channel's.</summary>
    public static IncidentMessage? SlackMessageOf(Incident incident) =>
        incident.Messages.Where(m => m.Value.Posted && DestinationLabel.ChannelOf(m.Key) == DeliveryChannel.Slack)
            .OrderBy(m => m.Key != NotifierMetrics.Label(DeliveryChannel.Slack)).ThenBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => m.Value).FirstOrDefault();

    private void Warn(string why)
    {
        if (_warned) return;
        _warned = true;
        logger.LogWarning("Reminders and escalations wait: Redis is unreachable ({Why})", why);
    }
}
