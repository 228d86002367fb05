using OpsBot.Contracts;
using OpsBot.Notifier.Incidents;
using OpsBot.Notifier.Tests.Infrastructure;

namespace OpsBot.Notifier.Tests.Unit;

/// <summary>The incident state machine and its timing, pure (the clock passed in).</summary>
public sealed class IncidentRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly IncidentPolicy Policy = new() { ReminderInterval = TimeSpan.FromMinutes(15), EscalateAfter = TimeSpan.FromMinutes(5) };

    private static AlertRaised Alert(AlertSeverity severity = AlertSeverity.Warning) => TestBus.Alert("pnl-loss:acct-1:momentum", severity: severity);

    [Fact]
    public void First_alert_opens_a_firing_incident_and_each_alert_counts_once_even_when_both_channels_observe_it()
    {
        var first = Alert();
        var incident = IncidentRules.Observe(null, first, T0);
        Assert.Equal(IncidentStatus.Firing, incident.Status);
        Assert.Equal(1, incident.Count);
        Assert.Same(incident, IncidentRules.Observe(incident, first, T0.AddSeconds(1))); // Teams' pipeline sees the same alert

        var repeat = IncidentRules.Observe(incident, Alert(), T0.AddMinutes(1));
        Assert.Equal(incident.Id, repeat.Id);
        Assert.Equal(2, repeat.Count);
        Assert.Equal(T0, repeat.FirstSeen);
        Assert.Equal(T0.AddMinutes(1), repeat.LastSeen);
    }

    [Fact]
    public void A_resolved_incident_that_fires_again_is_a_new_incident()
    {
        var incident = IncidentRules.Observe(null, Alert(), T0);
        var resolved = IncidentRules.Resolve(incident, Resolution(), T0.AddMinutes(3))!;
        Assert.Equal(IncidentStatus.Resolved, resolved.Status);
        Assert.Null(IncidentRules.Resolve(resolved, Resolution(), T0.AddMinutes(4))); // resolved once

        var again = IncidentRules.Observe(resolved, Alert(), T0.AddMinutes(5));
        Assert.NotEqual(incident.Id, again.Id);
        Assert.Equal(IncidentStatus.Firing, again.Status);
        Assert.Equal(1, again.Count);
        Assert.Empty(again.Messages); // a new message
    }

    [Fact]
    public void An_alert_raised_before_its_keys_resolution_is_stale_whether_or_not_an_incident_was_shown()
    {
        var resolution = Resolution() with { Timestamp = T0.AddMinutes(2) };
        var raisedBefore = Alert() with { Timestamp = T0.AddMinutes(1) };
        var raisedAfter = Alert() with { Timestamp = T0.AddMinutes(3) };

        // Held back by inhibition, resolved meanwhile: the resolution leaves a resolved incident without messages.
        var unseen = IncidentRules.ResolvedUnseen(resolution, T0.AddMinutes(2));
        Assert.False(unseen.Open);
        Assert.Empty(unseen.Messages);
        Assert.True(IncidentRules.IsStale(unseen, raisedBefore));
        Assert.False(IncidentRules.IsStale(unseen, raisedAfter)); // firing again after the resolution: a new incident

        var shown = IncidentRules.Resolve(IncidentRules.Observe(null, Alert() with { Timestamp = T0 }, T0), resolution, T0.AddMinutes(2))!;
        Assert.True(IncidentRules.IsStale(shown, raisedBefore));
        Assert.False(IncidentRules.IsStale(shown, raisedAfter));
        Assert.False(IncidentRules.IsStale(null, raisedBefore));
        Assert.False(IncidentRules.IsStale(IncidentRules.Observe(null, raisedAfter, T0), raisedBefore)); // open: counted as usual
    }

    [Fact]
    public void Decide_posts_once_per_channel_waits_for_another_claim_takes_over_a_dead_claim_and_then_edits_or_replies()
    {
        var warning = Alert();
        var incident = IncidentRules.Observe(null, warning, T0);
        var (claimed, action) = IncidentRules.Decide(incident, "slack", warning, "a", canEdit: true, T0, Policy);
        Assert.Equal(MessageAction.Post, action);
        Assert.Equal(MessageAction.Post, IncidentRules.Decide(claimed, "teams", warning, "a", canEdit: false, T0, Policy).Action); // each channel its own message

        var second = Alert();
        Assert.Equal(MessageAction.Wait, IncidentRules.Decide(claimed, "slack", second, "b", true, T0.AddSeconds(1), Policy).Action);
        Assert.Equal(MessageAction.Post, IncidentRules.Decide(claimed, "slack", warning, "a", true, T0.AddSeconds(1), Policy).Action); // the claim's own retry
        Assert.Equal(MessageAction.Post, IncidentRules.Decide(claimed, "slack", second, "b", true, T0 + Policy.ClaimTimeout, Policy).Action); // its replica died

        var posted = IncidentRules.Posted(claimed, "slack", "C1", "1.0001", digest: false, AlertSeverity.Warning);
        Assert.Equal(MessageAction.Update, IncidentRules.Decide(posted, "slack", second, "b", true, T0, Policy).Action);
        var critical = Alert(AlertSeverity.Critical);
        var (changed, change) = IncidentRules.Decide(IncidentRules.Observe(posted, critical, T0), "slack", critical, "c", true, T0, Policy);
        Assert.Equal(MessageAction.SeverityChanged, change);
        Assert.Equal(MessageAction.Update, IncidentRules.Decide(IncidentRules.Observe(changed, Alert(AlertSeverity.Critical), T0), "slack", critical, "d", true, T0, Policy).Action); // claimed: the next one edits
        var digest = IncidentRules.Posted(claimed, "slack", "C1", "1.0001", digest: true, AlertSeverity.Warning);
        Assert.Equal(MessageAction.Quiet, IncidentRules.Decide(digest, "slack", second, "b", true, T0, Policy).Action); // a digest line is not edited
        var teams = IncidentRules.Posted(claimed, "teams", null, "posted", false, AlertSeverity.Warning);
        Assert.Equal(MessageAction.Quiet, IncidentRules.Decide(teams, "teams", second, "b", canEdit: false, T0, Policy).Action);
        Assert.Equal(MessageAction.SeverityChanged, IncidentRules.Decide(IncidentRules.Observe(digest, critical, T0), "slack", critical, "c", true, T0, Policy).Action);
    }

    [Fact]
    public void An_older_alert_arriving_late_is_counted_but_never_lowers_the_severity_or_replaces_the_facts()
    {
        var staleWarning = Alert(AlertSeverity.Warning);
        var critical = Alert(AlertSeverity.Critical) with { Timestamp = staleWarning.Timestamp.AddSeconds(1) };
        var incident = IncidentRules.Observe(null, critical, T0);
        var late = IncidentRules.Observe(incident, staleWarning, T0.AddSeconds(2));
        Assert.Equal(2, late.Count);
        Assert.Equal(AlertSeverity.Critical, late.Severity);
        Assert.Equal(critical.AlertId, late.LastAlert.AlertId);
        var posted = IncidentRules.Posted(incident, "slack", "C1", "1.0001", false, AlertSeverity.Critical);
        Assert.Equal(MessageAction.Update, IncidentRules.Decide(IncidentRules.Observe(posted, staleWarning, T0), "slack", staleWarning, "w", true, T0, Policy).Action);
    }

    [Fact]
    public void A_reminder_is_due_every_interval_while_firing_and_unacknowledged_and_only_from_the_minimum_severity()
    {
        var incident = IncidentRules.Observe(null, Alert(), T0);
        Assert.Equal(T0.AddMinutes(15), IncidentRules.NextDue(incident, Policy));
        Assert.False(IncidentRules.Due(incident, T0.AddMinutes(15).AddTicks(-1), Policy).Any);
        var work = IncidentRules.Due(incident, T0.AddMinutes(15), Policy);
        Assert.True(work.Remind);
        Assert.False(work.Escalate); // a warning does not escalate
        var reminded = IncidentRules.Claimed(incident, work, T0.AddMinutes(15));
        Assert.False(IncidentRules.Due(reminded, T0.AddMinutes(16), Policy).Any); // once per interval
        Assert.Equal(T0.AddMinutes(30), IncidentRules.NextDue(reminded, Policy));

        var info = IncidentRules.Observe(null, Alert(AlertSeverity.Info), T0);
        Assert.Null(IncidentRules.NextDue(info, Policy));
        Assert.False(IncidentRules.Due(info, T0.AddHours(5), Policy).Any);
        Assert.Null(IncidentRules.NextDue(incident, Policy with { ReminderInterval = TimeSpan.Zero })); // 0: off
    }

    [Fact]
    public void A_critical_incident_escalates_once_after_escalate_after_counted_from_when_it_became_critical()
    {
        var incident = IncidentRules.Observe(null, Alert(), T0);
        var critical = IncidentRules.Observe(incident, Alert(AlertSeverity.Critical), T0.AddMinutes(2));
        Assert.Equal(T0.AddMinutes(2), critical.CriticalSince);
        Assert.Equal(T0.AddMinutes(7), IncidentRules.NextDue(critical, Policy));
        Assert.False(IncidentRules.Due(critical, T0.AddMinutes(6), Policy).Escalate);
        var work = IncidentRules.Due(critical, T0.AddMinutes(7), Policy);
        Assert.True(work.Escalate);
        var escalated = IncidentRules.Claimed(critical, work, T0.AddMinutes(7));
        Assert.False(IncidentRules.Due(escalated, T0.AddMinutes(14), Policy).Escalate); // once
        Assert.True(IncidentRules.Due(escalated, T0.AddMinutes(15), Policy).Remind); // reminders go on
    }

    [Fact]
    public void Acknowledgement_stops_reminders_and_escalation_but_a_worse_severity_is_still_a_change_to_show()
    {
        var critical = IncidentRules.Observe(null, Alert(AlertSeverity.Critical), T0);
        var acked = IncidentRules.Acknowledge(critical, "U42", T0.AddMinutes(1))!;
        Assert.Equal(IncidentStatus.Acknowledged, acked.Status);
        Assert.Equal("U42", acked.AcknowledgedBy);
        Assert.Null(IncidentRules.NextDue(acked, Policy));
        Assert.False(IncidentRules.Due(acked, T0.AddHours(2), Policy).Any);
        Assert.Null(IncidentRules.Acknowledge(acked, "U42", T0.AddMinutes(2))); // already theirs

        var warningAcked = IncidentRules.Acknowledge(IncidentRules.Observe(null, Alert(), T0), "U42", T0)!;
        var posted = IncidentRules.Posted(warningAcked, "slack", "C1", "1.0001", false, AlertSeverity.Warning);
        var worse = Alert(AlertSeverity.Critical);
        var observed = IncidentRules.Observe(posted, worse, T0.AddMinutes(3));
        Assert.Equal(MessageAction.SeverityChanged, IncidentRules.Decide(observed, "slack", worse, "x", true, T0.AddMinutes(3), Policy).Action);
        Assert.Contains("<@U42> owns this incident", IncidentText.SeverityChange(observed, AlertSeverity.Warning));
        Assert.Equal(IncidentStatus.Acknowledged, observed.Status); // still theirs: no reminders, no escalation
        Assert.Null(IncidentRules.Acknowledge(IncidentRules.Resolve(observed, Resolution(), T0.AddMinutes(4))!, "U7", T0.AddMinutes(5)));
    }

    [Fact]
    public void Who_may_acknowledge_is_anyone_by_default_or_the_listed_users()
    {
        Assert.True(new IncidentPolicy().MayAcknowledge("U1"));
        var listed = new IncidentPolicy { AckUsers = new HashSet<string> { "U1" } };
        Assert.True(listed.MayAcknowledge("U1"));
        Assert.False(listed.MayAcknowledge("U2"));
    }

    private static AlertResolved Resolution() => new()
    {
        CorrelationId = Guid.NewGuid(), Timestamp = T0, DedupKey = "pnl-loss:acct-1:momentum", Reason = "PnL back above -1000", Source = "risk-evaluator",
    };
}
