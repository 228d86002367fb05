using OpsBot.Contracts;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Silences (glob over dedup keys) and acknowledgements from the ops-bot: suppressed, not sent, and kept in Redis across a restart.</summary>
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
        await TestBus.Until(() => first.Logs.Logs.Any(l => l.Message.Contains("Silence pnl-loss:acct-9:* until") && l.Message.Contains("in force")),
            TimeSpan.FromSeconds(10), () => first.Logs.All);
        Assert.True(Infra.Redis.GetDatabase().HashExists(Prefix + "silences", "pnl-loss:acct-9:*"), "the silence is kept in Redis");

        await Bus.Publish(TestBus.Alert("pnl-loss:acct-9:momentum"));
        await Bus.Publish(TestBus.Alert("pnl-loss:acct-1:momentum"));
        await TestBus.Until(() => Bus.Delivered.Count >= 2, TimeSpan.FromSeconds(15), () => $"{Bus.Delivered.Count} delivered");
        await Task.Delay(1000);
        Assert.Empty(SlackAccepted("acct-9"));
        Assert.Empty(TeamsAccepted("acct-9"));
        Assert.All(Bus.Delivered, d => Assert.Equal("pnl-loss:acct-1:momentum", d.DedupKey));
        Assert.Contains(first.Logs.Logs, l => l.Message.Contains("pnl-loss:acct-9:momentum") && l.Message.Contains("suppressed by silence"));
        var metrics = (await first.GetAsync("metrics")).Body;
        AssertMetric(metrics, "opsbot_notifier_suppressed_total", "channel=\"slack\"", "reason=\"silence\"");
        AssertMetric(metrics, "opsbot_notifier_sent_total", "channel=\"slack\"");
        AssertMetric(metrics, "opsbot_notifier_delivery_latency_seconds_bucket", "channel=\"slack\"");

        // Restart: a new notifier process reads the silence back from Redis.
        await StopAsync(first);
        var second = await StartNotifierAsync(Settings(slack: true, teams: true));
        await Bus.Publish(TestBus.Alert("pnl-loss:acct-9:carry"));
        await TestBus.Until(() => second.Logs.Logs.Count(l => l.Message.Contains("pnl-loss:acct-9:carry") && l.Message.Contains("suppressed by silence")) == 2,
            TimeSpan.FromSeconds(10), () => second.Logs.All);
        Assert.Empty(SlackAccepted("acct-9"));

        // Lifted: the next one goes out.
        await Bus.Publish(new UnsilenceRequested { CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Matcher = "pnl-loss:acct-9:*", RequestedBy = "U123" });
        await TestBus.Until(() => second.Logs.Logs.Any(l => l.Message.Contains("Silence pnl-loss:acct-9:* lifted")), TimeSpan.FromSeconds(10), () => second.Logs.All);
        Assert.False(Infra.Redis.GetDatabase().HashExists(Prefix + "silences", "pnl-loss:acct-9:*"), "the silence is gone from Redis");
        await Bus.Publish(TestBus.Alert("pnl-loss:acct-9:carry"));
        await TestBus.Until(() => SlackAccepted("pnl-loss:acct-9:carry").Count == 1, TimeSpan.FromSeconds(10), () => second.Logs.All);
    }

    [Fact]
    public async Task An_acknowledged_key_is_quiet_for_the_ack_ttl_and_other_keys_are_not()
    {
        var host = await StartNotifierAsync(Settings());
        await Bus.Publish(new AlertAcknowledged { CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, DedupKey = "band:BTC-USD", AcknowledgedBy = "U42" });
        await TestBus.Until(() => host.Logs.Logs.Any(l => l.Message.Contains("Alert band:BTC-USD acknowledged by U42")), TimeSpan.FromSeconds(10), () => host.Logs.All);
        Assert.True(Infra.Redis.GetDatabase().HashExists(Prefix + "acks", "band:BTC-USD"), "the ack is kept in Redis");
        await Bus.Publish(TestBus.Alert("band:BTC-USD"));
        await Bus.Publish(TestBus.Alert("band:ETH-USD"));
        await TestBus.Until(() => Bus.Delivered.Count >= 1, TimeSpan.FromSeconds(10), () => host.Logs.All);
        await Task.Delay(1000);
        Assert.Empty(SlackAccepted("band:BTC-USD"));
        Assert.Single(SlackAccepted("band:ETH-USD"));
        Assert.Contains(host.Logs.Logs, l => l.Message.Contains("band:BTC-USD") && l.Message.Contains("suppressed by ack"));
    }
}
