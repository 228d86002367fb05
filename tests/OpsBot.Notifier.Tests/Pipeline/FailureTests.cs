using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Final failures: AlertDeliveryFailed with a reason from the closed set, the _error queue, the correlation id logged at error level.</summary>
public sealed class FailureTests(InfraFixture infra) : NotifierTestBase(infra)
{
    // Bad inputs by dedup key: "fail5xx:*" always gets HTTP 500, "failauth:*" invalid_auth, "failchannel:*" channel_not_found.
    protected override FakeSlackOptions SlackOptions => new()
    {
        ExpectedToken = Token,
        MessagesPerSecondPerChannel = 1,
        Script = r =>
        {
            var json = r.Body?.ToJsonString() ?? "";
            if (json.Contains("fail5xx:")) return new SlackReply(500);
            if (json.Contains("failauth:")) return new SlackReply(200, "invalid_auth");
            if (json.Contains("failchannel:")) return new SlackReply(200, "channel_not_found");
            return null;
        },
    };

    [Fact]
    public async Task Three_5xx_answers_end_in_AlertDeliveryFailed_the_error_queue_and_the_correlation_id_logged_at_error_level()
    {
        // Delayed redelivery is on by default (a 5xx would wait 60 s in notifier-slack_delay_1); this test is about the
        // last round, so it turns the delays off explicitly. The rounds are tested in tests/OpsBot.Faults.Tests.
        var settings = Settings();
        settings["NOTIFIER_REDELIVERY_DELAYS"] = "off";
        var host = await StartNotifierAsync(settings);
        var alert = TestBus.Alert("fail5xx:acct-1");
        await Bus.Publish(alert);

        await TestBus.Until(() => !Bus.Failed.IsEmpty, TimeSpan.FromSeconds(20), () => $"slack saw {Slack.Requests.Count}");
        var failed = Assert.Single(Bus.Failed);
        Assert.Equal(DeliveryFailureReason.ServerError, failed.Reason);
        Assert.Equal(3, failed.Attempts);
        Assert.Equal(alert.CorrelationId, failed.CorrelationId);
        Assert.Equal(SlackChannel, failed.Destination);
        Assert.Equal(3, Slack.Requests.Count(r => r.Status == 500)); // three attempts, not 3 × the bus's retries

        await TestBus.Until(() => host.Logs.GetSnapshot().Any(l => l.Level == LogLevel.Error && l.Message.Contains(alert.CorrelationId.ToString())),
            TimeSpan.FromSeconds(5), () => host.Logs.All());
        var error = host.Logs.GetSnapshot().First(l => l.Level == LogLevel.Error && l.Message.Contains(alert.CorrelationId.ToString()));
        Assert.Contains("notifier-slack_error", error.Message);

        (uint Count, string? Body, IDictionary<string, object?>? Headers) queued = default;
        await TestBus.Until(() => { queued = Bus.PeekQueueAsync("notifier-slack_error").GetAwaiter().GetResult(); return queued.Count == 1; },
            TimeSpan.FromSeconds(10), () => $"{queued.Count} in notifier-slack_error");
        Assert.Contains(alert.CorrelationId.ToString(), queued.Body);
        Assert.Contains(alert.AlertId.ToString(), queued.Body);
        Assert.True(queued.Headers!.ContainsKey("MT-Fault-Message"));
        // The message is in _error: its processing is over (no fixed wait needed), so nothing more can follow.
        Assert.Equal(3, Slack.Requests.Count); // nothing more after the fault

        var metrics = (await host.GetAsync("metrics")).Body;
        AssertMetric(metrics, "opsbot_notifier_failed_total", "channel=\"slack\"", "reason=\"server-error\"");
    }

    [Theory]
    [InlineData("failauth:acct-1", DeliveryFailureReason.Auth)]
    [InlineData("failchannel:acct-1", DeliveryFailureReason.ClientError)]
    public async Task Auth_and_permanent_errors_fail_at_once_without_retries(string key, DeliveryFailureReason reason)
    {
        await StartNotifierAsync(Settings());
        var alert = TestBus.Alert(key);
        await Bus.Publish(alert);
        await TestBus.Until(() => !Bus.Failed.IsEmpty, TimeSpan.FromSeconds(15), () => $"slack saw {Slack.Requests.Count}");
        var failed = Assert.Single(Bus.Failed);
        Assert.Equal(reason, failed.Reason);
        Assert.Equal(1, failed.Attempts);
        // Positive evidence instead of a fixed wait: the message reached _error (not a wait queue), so it is done.
        uint parked = 0;
        await TestBus.Until(() => (parked = Bus.PeekQueueAsync("notifier-slack_error").GetAwaiter().GetResult().Count) == 1,
            TimeSpan.FromSeconds(30), () => $"{parked} in notifier-slack_error");
        Assert.Single(Slack.Requests);
        Assert.Equal(0u, (await Bus.PeekQueueAsync("notifier-slack_delay_1")).Count); // auth and client errors do not wait
    }
}
