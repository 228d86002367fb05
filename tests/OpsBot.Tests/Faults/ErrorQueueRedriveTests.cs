using MassTransit;
using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Testing;

namespace OpsBot.Tests.Faults;

/// <summary>
/// The runbook's re-drive, on the real broker: an alert whose delivery finally failed waits in
/// <c>notifier-slack_error</c>; once Slack is healthy again, the one-shot shovel of docs/operations.md
/// moves it back to <c>notifier-slack</c> and it is delivered, once.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class ErrorQueueRedriveTests(InfraFixture infra)
{
    private volatile bool _slackHealthy;

    [Fact]
    public async Task A_failed_alert_in_the_error_queue_is_redriven_by_the_shovel_and_delivered_once()
    {
        var rabbit = await infra.CreateVirtualHostAsync("redrive");
        var vhost = new Uri(rabbit).AbsolutePath.Trim('/');
        await using var slack = await FakeSlackServer.StartAsync(new FakeSlackOptions
        {
            Script = _ => _slackHealthy ? null : new SlackReply(503, "service_unavailable"),
        });
        await using var notifier = ServiceProcess.Start("notifier", "services/notifier", "OpsBot.Notifier", new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbit,
            ["REDIS_URL"] = infra.RedisUrl,
            ["NOTIFIER_REDIS_PREFIX"] = $"redrive:{Guid.NewGuid():N}:",
            ["SLACK_API_URL"] = slack.ApiUrl.ToString(),
            ["SLACK_BOT_TOKEN"] = "xoxb-redrive",
            ["SLACK_ALERT_CHANNEL"] = "C0REDRIVE",
            ["NOTIFIER_RETRY_DELAY_MS"] = "50",
        });
        await notifier.WaitReadyAsync(TimeSpan.FromSeconds(60));

        var url = new Uri(rabbit);
        var user = url.UserInfo.Split(':');
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(url.Host, (ushort)url.Port, vhost, h => { h.Username(user[0]); h.Password(user[1]); }));
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        var alert = new AlertRaised
        {
            CorrelationId = Guid.NewGuid(),
            Timestamp = DateTimeOffset.UtcNow,
            AlertId = Guid.NewGuid(),
            Severity = AlertSeverity.Critical,
            Title = "Redrive me",
            Text = "An alert that failed while Slack was down",
            DedupKey = "redrive:test",
            Source = "test",
        };
        try { await bus.Publish(alert); }
        finally { await bus.StopAsync(); }

        // Slack is down: the delivery fails its attempts and the message lands in notifier-slack_error.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await Depth(vhost, "notifier-slack_error") < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the alert never reached notifier-slack_error");
            await Task.Delay(250);
        }
        Assert.DoesNotContain(slack.Requests, r => r.Status == 200);

        // Slack is back; the operator re-drives the error queue with the runbook's one-shot shovel.
        _slackHealthy = true;
        await infra.Script("rabbitmqctl", infra.InfraDir, "set_parameter", "-p", vhost, "shovel", "redrive-notifier-slack",
            $$"""{"src-protocol":"amqp091","src-uri":"amqp:///{{vhost}}","src-queue":"notifier-slack_error","dest-protocol":"amqp091","dest-uri":"amqp:///{{vhost}}","dest-queue":"notifier-slack","ack-mode":"on-confirm","src-delete-after":"queue-length"}""");

        var delivered = await slack.WaitForAsync(r => r.Status == 200 && (r.Text ?? "").Contains(alert.CorrelationId.ToString()), TimeSpan.FromSeconds(60));
        Assert.Contains("Redrive me", delivered.Text);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(slack.Requests, r => r.Status == 200);
        Assert.Equal(0, await Depth(vhost, "notifier-slack_error"));
    }

    private async Task<int> Depth(string vhost, string queue)
    {
        var listing = await infra.Script("rabbitmqctl", infra.InfraDir, "list_queues", "-p", vhost, "name", "messages");
        return listing.Split('\n').Select(l => l.Split('\t')).Where(p => p.Length == 2 && p[0] == queue).Select(p => int.Parse(p[1])).FirstOrDefault();
    }
}
