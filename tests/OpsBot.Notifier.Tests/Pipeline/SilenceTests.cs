using OpsBot.Contracts;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Silences (glob over dedup keys) from the ops-bot: suppressed, not sent, and kept in Redis across a restart; acknowledgements mark the owner, they do not mute.</summary>
public sealed class SilenceTests(InfraFixture infra) : NotifierTestBase(infra)
{
    [Fact]
    public async Task A_silenced_alert_is_not_sent_is_counted_as_suppressed_and_the_silence_survives_a_restart()
    {
        var first = await StartNotifierAsync(Settings(slack: true, teams: true));
        await Bus.Publish(new SilenceRequested
        {
            CorrelationId = Guid.NewGuid(),
            Timestamp = DateTimeOffset.UtcNow,
            SilenceId = Guid.NewGuid(),
            Matcher = "pnl-loss:acct-9:*",
            Until = DateTimeOffset.UtcNow.AddHours(1),
            RequestedBy = "U123",
            Reason = "maintenance",
        });
        // The consumer logs "in force" once the silence is in Redis and in this replica's snapshot (waiting on Redis
        // alone races the snapshot reload: an alert consumed in between would still go out).
        await TestBus.Until(() => first.Logs.GetSnapshot().Any(l => l.Message.Contains("Silence pnl-loss:acct-9:* until") && l.Message.Contains("in force")),
            TimeSpan.FromSeconds(10), () => first.Logs.All());
        Assert.True(Infra.Redis.GetDatabase().HashExists(Prefix + "silences", "pnl-loss:acct-9:*"), "the silence is kept in Redis");

        await Bus.Publish(TestBus.Alert("pnl-loss:acct-9:momentum"));
        await Bus.Publish(TestBus.Alert("pnl-loss:acct-1:momentum"));
        await TestBus.Until(() => Bus.Delivered.Count >= 2, TimeSpan.FromSeconds(30), () => $"{Bus.Delivered.Count} delivered");
        // Positive evidence instead of a fixed wait (issue 13, item 12): the silenced alert was taken and decided on both
        // channels (the service's own "suppressed by silence" line), so nothing about it can still be on its way.
        await TestBus.Until(() => first.Logs.GetSnapshot().Count(l => l.Message.Contains("pnl-loss:acct-9:momentum") && l.Message.Contains("suppressed by silence")) == 2,
            TimeSpan.FromSeconds(30), () => first.Logs.All());
        Assert.Empty(SlackAccepted("acct-9"));
        Assert.Empty(TeamsAccepted("acct-9"));
        Assert.All(Bus.Delivered, d => Assert.Equal("pnl-loss:acct-1:momentum", d.DedupKey));
        Assert.Contains(first.Logs.GetSnapshot(), l => l.Message.Contains("pnl-loss:acct-9:momentum") && l.Message.Contains("suppressed by silence"));
        var metrics = (await first.GetAsync("metrics")).Body;
        AssertMetric(metrics, "opsbot_notifier_suppressed_total", "channel=\"slack\"", "reason=\"silence\"");
        AssertMetric(metrics, "opsbot_notifier_sent_total", "channel=\"slack\"");
        AssertMetric(metrics, "opsbot_notifier_delivery_latency_seconds_bucket", "channel=\"slack\"");

        // Restart: a new notifier process reads the silence back from Redis.
        await StopAsync(first);
        var second = await StartNotifierAsync(Settings(slack: true, teams: true));
        await Bus.Publish(TestBus.Alert("pnl-loss:acct-9:carry"));
        await TestBus.Until(() => second.Logs.GetSnapshot().Count(l => l.Message.Contains("pnl-loss:acct-9:carry") && l.Message.Contains("suppressed by silence")) == 2,
            TimeSpan.FromSeconds(10), () => second.Logs.All());
        Assert.Empty(SlackAccepted("acct-9"));

        // Lifted: the next one goes out.
        await Bus.Publish(new UnsilenceRequested { CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Matcher = "pnl-loss:acct-9:*", RequestedBy = "U123" });
        await TestBus.Until(() => second.Logs.GetSnapshot().Any(l => l.Message.Contains("Silence pnl-loss:acct-9:* lifted")), TimeSpan.FromSeconds(10), () => second.Logs.All());
        Assert.False(Infra.Redis.GetDatabase().HashExists(Prefix + "silences", "pnl-loss:acct-9:*"), "the silence is gone from Redis");
        await Bus.Publish(TestBus.Alert("pnl-loss:acct-9:carry"));
        await TestBus.Until(() => SlackAccepted("pnl-loss:acct-9:carry").Count == 1, TimeSpan.FromSeconds(10), () => second.Logs.All());
    }

    // Issue 14, item 3: an acknowledgement is ownership, not a one-hour mute. On the old code the ack went into the
    // {prefix}acks hash and the next alert of the key was "suppressed by ack"; now the incident's message says who took
    // it, a repeat edits that message (still no second top-level post) and nothing is kept in an acks hash.
    [Fact]
    public async Task An_acknowledgement_marks_the_owner_instead_of_muting_and_a_repeat_edits_the_one_message()
    {
        var settings = Settings();
        settings["ALERT_DEDUP_TTL"] = "0.1";
        var host = await StartNotifierAsync(settings);
        await Bus.Publish(TestBus.Alert("band:BTC-USD"));
        await TestBus.Until(() => Bus.Delivered.Any(d => d.DedupKey == "band:BTC-USD"), TimeSpan.FromSeconds(30), () => host.Logs.All());
        var ts = Bus.Delivered.First(d => d.DedupKey == "band:BTC-USD").MessageRef;

        await Bus.Publish(new AlertAcknowledged { CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, DedupKey = "band:BTC-USD", AcknowledgedBy = "U42" });
        await TestBus.Until(() => Edits(ts).Any(e => e.Contains("acknowledged by <@U42>")), TimeSpan.FromSeconds(30), () => host.Logs.All());
        Assert.False(Infra.Redis.GetDatabase().KeyExists(Prefix + "acks"), "acknowledgements are no longer kept as mutes");

        await Task.Delay(300); // past the 0.1 s dedup window
        await Bus.Publish(TestBus.Alert("band:BTC-USD"));
        await Bus.Publish(TestBus.Alert("band:ETH-USD"));
        await TestBus.Until(() => Edits(ts).Any(e => e.Contains("fired 2 times") && e.Contains("acknowledged by <@U42>")), TimeSpan.FromSeconds(30), () => host.Logs.All());
        await TestBus.Until(() => SlackAccepted("band:ETH-USD").Count == 1, TimeSpan.FromSeconds(30), () => host.Logs.All());
        await SentinelAsync();
        Assert.Single(SlackAccepted("band:BTC-USD"), r => r.Path.EndsWith("chat.postMessage"));
        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Message.Contains("suppressed by ack"));
    }

    private IEnumerable<string> Edits(string? ts) => SlackAccepted()
        .Where(r => r.Path.EndsWith("chat.update") && r.Body!["ts"]?.GetValue<string>() == ts)
        .Select(r => string.Join("\n", OpsBot.FakeSlack.SlackMessagePrinter.BodyLines(r.Body)));

    // Issue 13, item 7: a stored silence whose pattern is pathological (written before validation existed, or by hand)
    // cannot fail delivery. On the old code the pattern became a backtracking regex; its 50 ms timeout threw in the
    // mute stage for every alert, which then went through the retries into notifier-slack_error instead of Slack.
    [Fact]
    public async Task A_bad_stored_silence_pattern_is_ignored_with_a_warning_and_alerts_are_still_delivered()
    {
        var pathological = string.Concat(Enumerable.Repeat("*a", 30)) + "*b";
        var stored = new { SilenceId = Guid.NewGuid(), Matcher = pathological, Until = DateTimeOffset.UtcNow.AddHours(1), RequestedBy = "U-old", Reason = "written by hand" };
        await Infra.Redis.GetDatabase().HashSetAsync(Prefix + "silences", pathological,
            System.Text.Json.JsonSerializer.Serialize(stored, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
        var settings = Settings();
        settings["NOTIFIER_REDELIVERY_DELAYS"] = "off"; // a failure would show at once in notifier-slack_error
        var host = await StartNotifierAsync(settings);

        var key = "pnl-loss:acct-1:" + new string('a', 120);
        await Bus.Publish(TestBus.Alert(key));
        await TestBus.Until(() => SlackAccepted(key).Count == 1, TimeSpan.FromSeconds(30), () => host.Logs.All());
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Message.Contains("Ignoring the stored silence") && l.Message.Contains("more than 8 *"));

        // A new silence with such a pattern is refused on arrival (one line, counted) and not stored.
        await Bus.Publish(new SilenceRequested
        {
            CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, SilenceId = Guid.NewGuid(),
            Matcher = "*x*x*x*x*x*x*x*x*x*x", Until = DateTimeOffset.UtcNow.AddHours(1), RequestedBy = "U123",
        });
        await TestBus.Until(() => host.Logs.GetSnapshot().Any(l => l.Message.Contains("refused: the pattern has more than 8 *")), TimeSpan.FromSeconds(30), () => host.Logs.All());
        Assert.False(Infra.Redis.GetDatabase().HashExists(Prefix + "silences", "*x*x*x*x*x*x*x*x*x*x"));
        AssertMetric((await host.GetAsync("metrics")).Body, "opsbot_notifier_silences_refused_total");
        Assert.Equal(0u, (await Bus.PeekQueueAsync("notifier-slack_error")).Count);
    }
}
