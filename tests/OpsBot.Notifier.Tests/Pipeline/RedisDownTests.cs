using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Bad input: Redis unreachable. Dedup falls back in-process and says so in logs, readiness (degraded, still 200) and metrics.</summary>
public sealed class RedisDownTests(InfraFixture infra) : NotifierTestBase(infra)
{
    [Fact]
    public async Task With_redis_down_dedup_falls_back_in_process_and_reports_degraded_in_logs_readiness_and_metrics()
    {
        var settings = Settings();
        settings["REDIS_URL"] = $"127.0.0.1:{ServiceProcess.FreePort()}"; // nothing listens there
        var host = await StartNotifierAsync(settings);

        var (status, body) = await host.GetAsync("readyz");
        Assert.Equal(System.Net.HttpStatusCode.OK, status); // degraded is not failing
        Assert.Contains("\"dedup\":{\"status\":\"degraded\"", body);

        await Bus.Publish(TestBus.Alert("redis-down:key"));
        await Bus.Publish(TestBus.Alert("redis-down:key"));
        await Bus.Publish(TestBus.Alert("redis-down:other"));
        await TestBus.Until(() => Bus.Delivered.Count >= 2, TimeSpan.FromSeconds(15), () => host.Logs.All());
        await SentinelAsync();
        Assert.Single(SlackAccepted("redis-down:key"));
        Assert.Single(SlackAccepted("redis-down:other"));
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Message.Contains("Dedup falls back to the in-process cache"));
        var metrics = (await host.GetAsync("metrics")).Body;
        Assert.Matches(@"opsbot_notifier_dedup_fallback_total(\{[^}]*\})? [3-9]", metrics);
        AssertMetric(metrics, "opsbot_notifier_suppressed_total", "channel=\"slack\"", "reason=\"dedup\"");
    }

    // Issue 14: incidents need Redis to know an incident's message; without it nothing may be lost. Every alert that
    // passes dedup is posted as a new top-level message (not an edit of a message nobody can name), and AlertResolved
    // becomes a new note instead of an edit.
    [Fact]
    public async Task With_redis_down_incidents_degrade_to_new_messages_and_a_resolution_becomes_a_note()
    {
        var settings = Settings();
        settings["REDIS_URL"] = $"127.0.0.1:{ServiceProcess.FreePort()}"; // nothing listens there
        settings["ALERT_DEDUP_TTL"] = "0.1";
        var host = await StartNotifierAsync(settings);

        await Bus.Publish(TestBus.Alert("redis-down:incident"));
        await TestBus.Until(() => SlackAccepted("redis-down:incident").Count == 1, TimeSpan.FromSeconds(30), () => host.Logs.All());
        await Task.Delay(300); // past the dedup window
        await Bus.Publish(TestBus.Alert("redis-down:incident"));
        await TestBus.Until(() => SlackAccepted("redis-down:incident").Count == 2, TimeSpan.FromSeconds(30), () => host.Logs.All());
        Assert.All(SlackAccepted("redis-down:incident"), r => Assert.EndsWith("chat.postMessage", r.Path)); // posted, not edited

        await Bus.Publish(new AlertResolved
        {
            CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, DedupKey = "redis-down:incident", Reason = "back to normal", Source = "risk-evaluator",
        });
        await TestBus.Until(() => SlackAccepted("redis-down:incident").Any(r => r.Text!.Contains("Resolved") && r.Text.Contains("back to normal")), TimeSpan.FromSeconds(30), () => host.Logs.All());
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Level == LogLevel.Warning && l.Message.Contains("Incidents cannot be read from Redis"));
        Assert.Matches(@"opsbot_notifier_incidents_fallback_total(\{[^}]*\})? [1-9]", (await host.GetAsync("metrics")).Body);

        // Inhibition cannot know what is open: a warning under a critical of the same strategy is sent, not held back.
        var labels = new Dictionary<string, string> { ["account"] = "acct-r", ["strategy"] = "momentum" };
        await Bus.Publish(TestBus.Alert("pnl-loss:acct-r:momentum", severity: AlertSeverity.Critical) with { Labels = labels });
        await TestBus.Until(() => SlackAccepted("pnl-loss:acct-r:momentum").Count == 1, TimeSpan.FromSeconds(30), () => host.Logs.All());
        await Bus.Publish(TestBus.Alert("drawdown:acct-r:momentum", severity: AlertSeverity.Warning) with { Labels = labels });
        await TestBus.Until(() => SlackAccepted("drawdown:acct-r:momentum").Count == 1, TimeSpan.FromSeconds(30), () => host.Logs.All());
    }
}
