using OpsBot.Contracts;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Dedup on real Redis: within the TTL an identical alert is not resent; after it, it is; Slack and Teams dedup independently.</summary>
public sealed class DedupTests(InfraFixture infra) : NotifierTestBase(infra)
{
    [Fact]
    public async Task Identical_alert_within_the_ttl_is_sent_once_per_channel_and_after_the_ttl_edits_the_same_message()
    {
        var settings = Settings(slack: true, teams: true);
        settings["ALERT_DEDUP_TTL"] = "3";
        var host = await StartNotifierAsync(settings);

        // Five identical alerts (distinct AlertIds, one dedup key) within the window.
        var first = TestBus.Alert("pnl-loss:acct-1:momentum");
        for (var i = 0; i < 5; i++) await Bus.Publish(TestBus.Alert("pnl-loss:acct-1:momentum") with { CorrelationId = i == 0 ? first.CorrelationId : Guid.NewGuid() });
        await TestBus.Until(() => Bus.Delivered.Count(d => d.DedupKey == "pnl-loss:acct-1:momentum") >= 2, TimeSpan.FromSeconds(15), () => $"{Bus.Delivered.Count} delivered");
        await SentinelAsync(teams: true); // stragglers would have come before it
        Assert.Single(SlackAccepted("pnl-loss:acct-1:momentum"));
        Assert.Single(TeamsAccepted("pnl-loss:acct-1:momentum"));
        Assert.Single(Bus.Delivered, d => d.Channel == DeliveryChannel.Slack && d.DedupKey == "pnl-loss:acct-1:momentum");
        Assert.Single(Bus.Delivered, d => d.Channel == DeliveryChannel.Teams && d.DedupKey == "pnl-loss:acct-1:momentum");

        // After the TTL the same alert reaches its incident again (issue 14): Slack edits the one message (same ts),
        // Teams, which cannot edit, counts it quietly; neither posts a second top-level message.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await Bus.Publish(TestBus.Alert("pnl-loss:acct-1:momentum"));
        await TestBus.Until(() => SlackAccepted("pnl-loss:acct-1:momentum").Count(r => r.Path.EndsWith("chat.update")) == 1
                && host.Logs.GetSnapshot().Any(l => l.Message.Contains("not sent to Teams: suppressed by repeat")),
            TimeSpan.FromSeconds(15), () => $"slack {SlackAccepted().Count}, teams {TeamsAccepted().Count}");
        var ts = Bus.Delivered.First(d => d.Channel == DeliveryChannel.Slack && d.DedupKey == "pnl-loss:acct-1:momentum").MessageRef;
        Assert.Equal(ts, SlackAccepted("pnl-loss:acct-1:momentum").Single(r => r.Path.EndsWith("chat.update")).Body!["ts"]!.GetValue<string>());
        await SentinelAsync(teams: true);
        Assert.Single(SlackAccepted("pnl-loss:acct-1:momentum"), r => r.Path.EndsWith("chat.postMessage"));
        Assert.Single(TeamsAccepted("pnl-loss:acct-1:momentum"));
    }

    [Fact]
    public async Task Alerts_without_a_dedup_key_are_deduplicated_on_their_text()
    {
        var settings = Settings();
        await StartNotifierAsync(settings);

        // The titles carry the difference too, so the check holds whether the two distinct alerts leave as
        // two messages or, on a busy machine, folded into one digest (a digest lists titles, not texts).
        await Bus.Publish(TestBus.Alert("", title: "Feed stale: no ticks for 30 s", text: "no ticks for 30 s"));
        await Bus.Publish(TestBus.Alert("", title: "Feed stale: no ticks for 30 s", text: "no ticks for 30 s"));
        await Bus.Publish(TestBus.Alert("", title: "Feed stale: no ticks for 90 s", text: "no ticks for 90 s"));
        await TestBus.Until(() => Bus.Delivered.Count >= 2, TimeSpan.FromSeconds(15), () => $"{Bus.Delivered.Count} delivered");
        await SentinelAsync();
        Assert.Single(SlackAccepted("no ticks for 30 s"));
        Assert.Single(SlackAccepted("no ticks for 90 s"));
        var keys = Infra.Redis.GetServers().First().Keys(pattern: Prefix + "dedup:slack:sha256:*").ToList();
        Assert.Equal(2, keys.Count);
        var ttl = await Infra.Redis.GetDatabase().KeyTimeToLiveAsync(keys[0]);
        Assert.InRange(ttl!.Value.TotalSeconds, 1, 60); // bounded by construction: every key expires
    }

    /// <summary>
    /// An incident's key carries no severity any more (<c>pnl-loss:{account}:{strategy}</c>): a critical that follows a
    /// warning of the same key within the TTL is an escalation and is delivered. On the old dedup key (without the
    /// severity) the critical was folded into the warning and never sent.
    /// </summary>
    [Fact]
    public async Task Dedup_a_critical_after_a_warning_of_the_same_key_is_delivered_and_a_second_critical_is_folded()
    {
        await StartNotifierAsync(Settings());
        const string key = "pnl-loss:acct-1:escalating";
        await Bus.Publish(TestBus.Alert(key, title: "Loss warning escalating", severity: AlertSeverity.Warning));
        await TestBus.Until(() => SlackAccepted("Loss warning escalating").Count == 1, TimeSpan.FromSeconds(30), () => $"{Bus.Delivered.Count} delivered");
        await Bus.Publish(TestBus.Alert(key, title: "Loss critical escalating", severity: AlertSeverity.Critical));
        await TestBus.Until(() => SlackAccepted("Loss critical escalating").Count == 1, TimeSpan.FromSeconds(30), () => $"{Bus.Delivered.Count} delivered");
        await Bus.Publish(TestBus.Alert(key, title: "Loss critical again escalating", severity: AlertSeverity.Critical)); // same key and severity: folded
        await SentinelAsync();
        Assert.Empty(SlackAccepted("Loss critical again escalating"));
        Assert.Equal(2, Bus.Delivered.Count(d => d.Channel == DeliveryChannel.Slack && d.DedupKey == key));
    }
}
