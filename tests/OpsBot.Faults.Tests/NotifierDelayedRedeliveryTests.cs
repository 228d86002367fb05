using OpsBot.Contracts;
using OpsBot.Faults.Tests.Infrastructure;
using OpsBot.FakeSlack;
using OpsBot.Testing;

namespace OpsBot.Faults.Tests;

/// <summary>
/// The notifier's delayed redelivery (<c>NOTIFIER_REDELIVERY_DELAYS</c>) with the notifier run as a process against a
/// fake Slack that answers HTTP 500 while <see cref="_slackDown"/> is set.
/// </summary>
[Collection(InfraFixture.SecondLane)]
public sealed class NotifierDelayedRedeliveryTests(InfraFixture infra) : IAsyncLifetime
{
    private const string Token = "xoxb-faults-test-token";
    private const string SlackChannel = "C0FAULTS";
    private const string SlackQueue = "notifier-slack";
    private readonly string _prefix = $"test:{Guid.NewGuid():N}:";
    private readonly List<ServiceProcess> _processes = [];
    private volatile bool _slackDown = true;
    private string _rabbitUrl = "";
    private FakeSlackServer _slack = null!;
    private BusProbe _bus = null!;

    public async Task InitializeAsync()
    {
        _rabbitUrl = await infra.CreateVirtualHostAsync();
        _slack = await FakeSlackServer.StartAsync(new FakeSlackOptions
        {
            ExpectedToken = Token,
            Script = r => _slackDown ? new SlackReply(500) : null,
        });
        _bus = await BusProbe.StartAsync(_rabbitUrl);
    }

    [Fact]
    public async Task A_delayed_alert_survives_a_restart_of_the_notifier_and_reaches_slack_exactly_once_after_the_delay()
    {
        var notifier = await StartNotifierAsync("notifier-1", delays: "8");
        var alert = BusProbe.Alert("redelivery:restart");
        await _bus.Publish(alert);

        // Slack answers 500: the round fails and the alert waits in notifier-slack_delay_1 (8 s).
        await WaitForQueueAsync(SlackQueue + "_delay_1", 1, TimeSpan.FromSeconds(20));
        Assert.Equal(2, SlackRequests(alert).Count); // NOTIFIER_DELIVERY_ATTEMPTS=2
        // The wait starts when the round's last attempt failed (the fake's own clock), not when this test happened to
        // look at the queue: on a loaded machine that look can come seconds later.
        var parked = SlackRequests(alert).Max(r => r.At).UtcDateTime;
        Assert.Empty(_bus.Failed); // not the last round: no AlertDeliveryFailed yet

        await notifier.KillAsync(); // a crash: no graceful shutdown
        _slackDown = false;
        Assert.Equal(1u, await _bus.CountAsync(SlackQueue + "_delay_1")); // the broker holds it, not the process

        var second = await StartNotifierAsync("notifier-2", delays: "8");
        await BusProbe.Until(() => SlackAccepted(alert).Count > 0, TimeSpan.FromSeconds(30),
            () => $"slack saw {SlackRequests(alert).Count}; notifier-2:\n{string.Join('\n', second.Output.TakeLast(20))}");
        var accepted = SlackAccepted(alert).Single();
        Assert.True(accepted.At.UtcDateTime - parked >= TimeSpan.FromSeconds(7), $"delivered {accepted.At.UtcDateTime - parked} after it was parked; the delay is 8 s");

        // Positive sentinel, not a fixed wait: a marker alert published now goes through the same queue and pacing;
        // once Slack has it, a duplicate of the first alert (redelivered ahead of it) would have been sent already.
        var marker = BusProbe.Alert("marker:after-restart");
        await _bus.Publish(marker);
        await BusProbe.Until(() => SlackAccepted(marker).Count > 0, TimeSpan.FromSeconds(30), () => "the marker alert never reached Slack");
        Assert.Single(SlackAccepted(alert));
        await BusProbe.Until(() => _bus.Delivered.Count(d => d.AlertId == alert.AlertId) == 1, TimeSpan.FromSeconds(5), () => "no AlertDelivered");
        Assert.Empty(_bus.Failed);
        foreach (var queue in new[] { "", "_delay_1", "_error" })
            Assert.Equal(0u, await _bus.CountAsync(SlackQueue + queue));
    }

    [Fact]
    public async Task AlertDeliveryFailed_is_published_once_after_the_last_round_and_every_round_tries_slack_again()
    {
        var notifier = await StartNotifierAsync("notifier", delays: "2,4");
        var alert = BusProbe.Alert("redelivery:keeps-failing");
        var published = DateTime.UtcNow;
        await _bus.Publish(alert);

        await BusProbe.Until(() => !_bus.Failed.IsEmpty, TimeSpan.FromSeconds(30), () => $"slack saw {SlackRequests(alert).Count}");
        var failedAt = DateTime.UtcNow;
        // Positive sentinel: a marker alert fails through the same rounds (Slack still answers 500) after the first;
        // once its AlertDeliveryFailed is here, a second one for the first alert would have come already.
        var marker = BusProbe.Alert("marker:failing-too");
        await _bus.Publish(marker);
        await BusProbe.Until(() => _bus.Failed.Any(f => f.AlertId == marker.AlertId), TimeSpan.FromSeconds(60), () => "no AlertDeliveryFailed for the marker");

        var failed = Assert.Single(_bus.Failed, f => f.AlertId == alert.AlertId);
        Assert.Equal(alert.AlertId, failed.AlertId);
        Assert.Equal(alert.CorrelationId, failed.CorrelationId);
        Assert.Equal(DeliveryFailureReason.ServerError, failed.Reason);
        Assert.True(failedAt - published >= TimeSpan.FromSeconds(5.5), $"AlertDeliveryFailed after {failedAt - published}; the delays add up to 6 s");
        // Three rounds of two attempts: the dedup claim was given back after each failed round, so each round tried Slack.
        Assert.Equal(6, SlackRequests(alert).Count);
        Assert.Empty(_bus.Delivered);

        var error = await _bus.PeekAsync(SlackQueue + "_error");
        Assert.NotNull(error);
        Assert.Contains(alert.AlertId.ToString(), error.Body);
        Assert.Equal("2", error.Headers["MT-Redelivery-Count"]);
        Assert.Equal(2u, await _bus.CountAsync(SlackQueue + "_error")); // the alert, then the marker
        Assert.Equal(0u, await _bus.CountAsync(SlackQueue + "_delay_1"));
        Assert.Equal(0u, await _bus.CountAsync(SlackQueue + "_delay_2"));
        Assert.Contains(notifier.Output, l => l.Contains("tried again in 2 s") && l.Contains(alert.CorrelationId.ToString()));
        Assert.Contains(notifier.Output, l => l.Contains("tried again in 4 s"));
    }

    [Fact]
    public async Task An_auth_failure_does_not_wait_it_fails_at_once()
    {
        _slackDown = false; // Slack is up, but the token is wrong: invalid_auth
        await StartNotifierAsync("notifier", delays: "2,4", token: "xoxb-wrong-token");
        var alert = BusProbe.Alert("redelivery:auth");
        await _bus.Publish(alert);

        await BusProbe.Until(() => !_bus.Failed.IsEmpty, TimeSpan.FromSeconds(15), () => $"slack saw {SlackRequests(alert).Count}");
        Assert.Equal(DeliveryFailureReason.Auth, Assert.Single(_bus.Failed).Reason);
        await WaitForQueueAsync(SlackQueue + "_error", 1, TimeSpan.FromSeconds(10));
        Assert.Equal(0u, await _bus.CountAsync(SlackQueue + "_delay_1"));
        Assert.Single(SlackRequests(alert));
        var error = await _bus.PeekAsync(SlackQueue + "_error");
        Assert.False(error!.Headers.ContainsKey("MT-Redelivery-Count"));
    }

    // Issue 13, item 1: with NOTIFIER_REDELIVERY_DELAYS unset (the production default) a failed round is not parked
    // in notifier-slack_error after a few seconds of Slack trouble: it waits in notifier-slack_delay_1 (60 s) and the
    // wait queues of the default delays exist. On the old code (default off) it went straight to notifier-slack_error.
    [Fact]
    public async Task With_no_setting_a_failed_round_waits_in_the_first_delay_queue_instead_of_the_error_queue()
    {
        var notifier = await StartNotifierAsync("notifier", delays: null);
        var alert = BusProbe.Alert("redelivery:default");
        await _bus.Publish(alert);

        await WaitForQueueAsync(SlackQueue + "_delay_1", 1, TimeSpan.FromSeconds(60));
        Assert.Equal(0u, await _bus.CountAsync(SlackQueue + "_error"));
        Assert.Empty(_bus.Failed); // not given up: no AlertDeliveryFailed
        Assert.Contains(notifier.Output, l => l.Contains("tried again in 60 s") && l.Contains(alert.CorrelationId.ToString()));
        for (var n = 2; n <= 5; n++) Assert.Equal(0u, await _bus.CountAsync($"{SlackQueue}_delay_{n}")); // declared, empty
        Assert.Contains(notifier.Output, l => l.Contains("notifier-slack_delay_5 (3600 s)"));
    }

    private async Task<ServiceProcess> StartNotifierAsync(string name, string? delays, string token = Token)
    {
        var env = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = _rabbitUrl,
            ["REDIS_URL"] = infra.RedisUrl,
            ["NOTIFIER_REDIS_PREFIX"] = _prefix,
            ["SLACK_API_URL"] = _slack.ApiUrl.ToString(),
            ["SLACK_BOT_TOKEN"] = token,
            ["SLACK_ALERT_CHANNEL"] = SlackChannel,
            ["NOTIFIER_DELIVERY_ATTEMPTS"] = "2",
            ["NOTIFIER_RETRY_DELAY_MS"] = "100",
            ["NOTIFIER_HTTP_TIMEOUT"] = "5",
            ["LOG_FORMAT"] = "text",
        };
        if (delays is not null) env["NOTIFIER_REDELIVERY_DELAYS"] = delays;
        var process = ServiceProcess.Start(name, "services/notifier", "OpsBot.Notifier", env);
        _processes.Add(process);
        await process.WaitReadyAsync(TimeSpan.FromSeconds(60));
        return process;
    }

    private IReadOnlyList<SlackRequest> SlackRequests(AlertRaised alert) =>
        _slack.Requests.Where(r => r.Body?.ToJsonString().Contains(alert.DedupKey) == true).ToList();

    private IReadOnlyList<SlackRequest> SlackAccepted(AlertRaised alert) =>
        SlackRequests(alert).Where(r => r.Status == 200 && r.Error is null).ToList();

    private async Task WaitForQueueAsync(string queue, uint count, TimeSpan timeout)
    {
        uint seen = 0;
        await BusProbe.Until(async () => (seen = await _bus.CountAsync(queue)) == count, timeout,
            () => $"{queue} holds {seen}, expected {count}\n{string.Join('\n', _processes.SelectMany(p => p.Output.TakeLast(20)))}", pollMs: 100);
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes) await process.DisposeAsync();
        await _bus.DisposeAsync();
        await _slack.DisposeAsync();
        foreach (var key in infra.Redis.GetServers().First().Keys(pattern: _prefix + "*")) await infra.Redis.GetDatabase().KeyDeleteAsync(key);
    }
}
