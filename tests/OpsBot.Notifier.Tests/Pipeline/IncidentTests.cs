using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>
/// Incidents through the public doors: AlertRaised, AlertAcknowledged and AlertResolved on the real broker, the
/// notifier on real Redis, and what the fake Slack (1 msg/s per channel) and fake Teams received.
/// </summary>
public sealed class IncidentTests(InfraFixture infra) : NotifierTestBase(infra)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task One_message_per_incident_repeats_edit_it_a_severity_change_replies_in_its_thread_resolution_edits_and_replies_and_firing_again_opens_a_new_message()
    {
        var settings = Settings(slack: true, teams: true);
        settings["ALERT_DEDUP_TTL"] = "0.1"; // every repeat reaches the incident (the window is tested in DedupTests)
        settings["NOTIFIER_REMINDER_INTERVAL"] = "0";
        settings["NOTIFIER_ESCALATE_AFTER"] = "0";
        var host = await StartNotifierAsync(settings);
        const string key = "pnl-loss:acct-1:momentum";

        await Bus.Publish(TestBus.Alert(key, severity: AlertSeverity.Warning, text: "PnL -1,200 below -1,000"));
        var ts = await FirstTsAsync(key);
        await TestBus.Until(() => TeamsAccepted(key).Count == 1, Wait, () => SlackLog() + host.Logs.All());

        await Task.Delay(300); // past the 0.1 s dedup window
        await Bus.Publish(TestBus.Alert(key, severity: AlertSeverity.Warning, text: "PnL -1,450 below -1,000"));
        await TestBus.Until(() => Updates(ts).Any(u => Text(u).Contains("fired 2 times") && Text(u).Contains("-1,450")), Wait, () => SlackLog() + host.Logs.All());

        await Task.Delay(300);
        await Bus.Publish(TestBus.Alert(key, severity: AlertSeverity.Critical, text: "PnL -2,300 below -2,000"));
        await TestBus.Until(() => Replies(ts).Any(r => r.Text!.Contains("Severity raised to CRITICAL (was WARNING)")), Wait, () => SlackLog() + host.Logs.All());
        Assert.Contains(Updates(ts), u => Header(u).Contains("CRITICAL · FIRING"));
        await TestBus.Until(() => TeamsAccepted("Severity raised to CRITICAL").Count == 1, Wait, () => SlackLog() + host.Logs.All());

        await Bus.Publish(new AlertResolved
        {
            CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, DedupKey = key, Reason = "PnL 3,500 is back above -1,000", Source = "risk-evaluator",
        });
        await TestBus.Until(() => Replies(ts).Any(r => r.Text!.Contains("✅ Resolved after") && r.Text.Contains("PnL 3,500 is back above -1,000")), Wait, () => SlackLog() + host.Logs.All());
        var resolved = Updates(ts).Last();
        Assert.StartsWith("✅ RESOLVED after", Header(resolved));
        Assert.DoesNotContain(resolved.Body!["blocks"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "actions"); // no buttons
        await TestBus.Until(() => TeamsAccepted("RESOLVED: PnL loss").Count == 1, Wait, () => SlackLog() + host.Logs.All());
        Assert.Contains("Follow-up to", TeamsAccepted("RESOLVED: PnL loss")[0].Json); // names the original card

        await Bus.Publish(TestBus.Alert(key, severity: AlertSeverity.Warning, text: "PnL -1,100 below -1,000"));
        await TestBus.Until(() => TopLevel(key).Count == 2, Wait, () => SlackLog() + host.Logs.All());
        await TestBus.Until(() => Bus.Delivered.Count(d => d.Channel == DeliveryChannel.Slack && d.DedupKey == key) == 4, Wait, () => $"{Bus.Delivered.Count} delivered");
        Assert.NotEqual(ts, Bus.Delivered.Last(d => d.Channel == DeliveryChannel.Slack && d.DedupKey == key).MessageRef); // a new incident, a new message

        await SentinelAsync(teams: true);
        Assert.Equal(2, TopLevel(key).Count); // nothing else became a top-level message
        Assert.Equal(2, TeamsAccepted("PnL loss " + key).Count(r => !r.Json.Contains("Follow-up to"))); // Teams: the two incidents' cards
        Assert.Equal(0, Slack.Requests.Count(r => r.Status == 429));
    }

    [Fact]
    public async Task An_acknowledgement_shows_the_owner_and_stops_reminders_but_a_worse_severity_still_replies_in_the_thread()
    {
        var settings = Settings();
        settings["ALERT_DEDUP_TTL"] = "0.1";
        settings["NOTIFIER_REMINDER_INTERVAL"] = "2";
        settings["NOTIFIER_ESCALATE_AFTER"] = "0";
        var host = await StartNotifierAsync(settings);
        const string key = "band:BTC-USD";

        await Bus.Publish(TestBus.Alert(key, severity: AlertSeverity.Warning));
        var ts = await FirstTsAsync(key);
        await TestBus.Until(() => Reminders(ts) >= 1, Wait, () => SlackLog() + host.Logs.All());

        await Bus.Publish(new AlertAcknowledged { CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, DedupKey = key, AcknowledgedBy = "U42" });
        await TestBus.Until(() => Updates(ts).Any(u => Text(u).Contains("acknowledged by <@U42>") && Header(u).Contains("ACKNOWLEDGED")), Wait, () => SlackLog() + host.Logs.All());

        // Sentinel: a second, unacknowledged incident; once it has had three reminders the loop has run well past the
        // acknowledged one's next reminder, so none of those may have come.
        await Bus.Publish(TestBus.Alert("band:ETH-USD", severity: AlertSeverity.Warning));
        var sentinel = await FirstTsAsync("band:ETH-USD");
        await TestBus.Until(() => Reminders(sentinel) >= 1, Wait, () => SlackLog() + host.Logs.All());
        var after = Reminders(ts);
        await TestBus.Until(() => Reminders(sentinel) >= 3, Wait, () => SlackLog() + host.Logs.All());
        Assert.Equal(after, Reminders(ts));

        await Bus.Publish(TestBus.Alert(key, severity: AlertSeverity.Critical));
        await TestBus.Until(() => Replies(ts).Any(r => r.Text!.Contains("Severity raised to CRITICAL") && r.Text.Contains("<@U42>")), Wait, () => SlackLog() + host.Logs.All());
        Assert.Single(TopLevel(key)); // the worse severity is in the thread, not a new message
    }

    [Fact]
    public async Task An_unacknowledged_critical_incident_escalates_once_to_the_oncall_group_and_the_escalation_channel()
    {
        var settings = Settings();
        settings["NOTIFIER_REMINDER_INTERVAL"] = "2";
        settings["NOTIFIER_ESCALATE_AFTER"] = "1";
        settings["ONCALL_USERGROUP"] = "S0ONCALL";
        settings["NOTIFIER_ESCALATION_CHANNEL"] = "C0ESCALATE";
        var host = await StartNotifierAsync(settings);
        const string key = "kill-switch:global";

        await Bus.Publish(TestBus.Alert(key, severity: AlertSeverity.Critical));
        var ts = await FirstTsAsync(key);
        await TestBus.Until(() => Replies(ts).Any(r => r.Text!.Contains("<!subteam^S0ONCALL>")), Wait, () => SlackLog() + host.Logs.All());
        await TestBus.Until(() => SlackAccepted().Any(r => r.Channel == "C0ESCALATE" && r.Text!.Contains("<!subteam^S0ONCALL>")), Wait, () => SlackLog() + host.Logs.All());

        // Reminders go on in the thread (the sentinel); the escalation does not come again.
        var reminders = Reminders(ts);
        await TestBus.Until(() => Reminders(ts) >= reminders + 2, Wait, () => SlackLog() + host.Logs.All());
        Assert.Single(Replies(ts), r => r.Text!.Contains("Escalation"));
        Assert.Single(SlackAccepted(), r => r.Channel == "C0ESCALATE");
        Assert.Single(TopLevel(key));
        AssertMetric((await host.GetAsync("metrics")).Body, "opsbot_notifier_incidents_nudges_total", "kind=\"escalation\"");
    }

    /// <summary>The ts of the incident's first top-level message (from AlertDelivered, as ops-bot reads it).</summary>
    private async Task<string> FirstTsAsync(string key)
    {
        await TestBus.Until(() => Bus.Delivered.Any(d => d.Channel == DeliveryChannel.Slack && d.DedupKey == key), Wait, () => $"{Bus.Delivered.Count} delivered");
        return Bus.Delivered.First(d => d.Channel == DeliveryChannel.Slack && d.DedupKey == key).MessageRef!;
    }

    private IReadOnlyList<SlackRequest> TopLevel(string key) =>
        SlackAccepted(key).Where(r => r.Path.EndsWith("chat.postMessage") && r.Body!["thread_ts"] is null && r.Channel == SlackChannel).ToList();

    private IReadOnlyList<SlackRequest> Updates(string ts) =>
        SlackAccepted().Where(r => r.Path.EndsWith("chat.update") && r.Body!["ts"]?.GetValue<string>() == ts).ToList();

    private IReadOnlyList<SlackRequest> Replies(string ts) =>
        SlackAccepted().Where(r => r.Path.EndsWith("chat.postMessage") && r.Body!["thread_ts"]?.GetValue<string>() == ts).ToList();

    private int Reminders(string ts) => Replies(ts).Count(r => r.Text!.StartsWith("⏰ Reminder"));

    /// <summary>Every text in the message's blocks (JSON-escaped text would hide &lt; and &gt;).</summary>
    private static string Text(SlackRequest request) =>
        string.Join("\n", SlackMessagePrinter.BodyLines(request.Body));


    private static string Header(SlackRequest request) =>
        request.Body!["blocks"]!.AsArray().First(b => b!["type"]!.GetValue<string>() == "header")!["text"]!["text"]!.GetValue<string>();
}
