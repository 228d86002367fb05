using System.Diagnostics;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Redrive;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;
using RabbitMQ.Client;

namespace OpsBot.Faults.Tests;

/// <summary>
/// The runbook's re-drive, on the real broker (issue 13, item 1): an alert whose delivery finally failed waits in
/// <c>notifier-slack_error</c>; once Slack is healthy again, the one documented command
/// (<c>scripts/redrive notifier-slack_error</c>, tools/OpsBot.Redrive) moves it back to <c>notifier-slack</c> and it
/// is delivered, once. Before, the runbook had the operator type a shovel definition by hand.
/// </summary>
[Collection(InfraFixture.SecondLane)]
public sealed class ErrorQueueRedriveTests(InfraFixture infra)
{
    private volatile bool _slackHealthy;

    [Fact]
    public async Task A_failed_alert_in_the_error_queue_is_redriven_by_the_redrive_command_and_delivered_once()
    {
        var rabbit = await infra.CreateVirtualHostAsync();
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
            ["NOTIFIER_REDELIVERY_DELAYS"] = "1", // one short round in notifier-slack_delay_1, then _error (as the default does, in minutes)
        });
        await notifier.WaitReadyAsync(TimeSpan.FromSeconds(60));

        var alert = Alert("redrive:test", "Redrive me");
        await PublishAsync(rabbit, alert);

        // Slack is down: every round fails and the message lands in notifier-slack_error.
        await WaitForDepthAsync(rabbit, "notifier-slack_error", 1, notifier);
        Assert.DoesNotContain(slack.Requests, r => r.Status == 200);

        // Slack is back; the operator runs the runbook's command.
        _slackHealthy = true;
        var (exit, output) = await RunRedriveAsync(rabbit, "notifier-slack_error");
        Assert.True(exit == 0, output);
        Assert.Contains("Moved 1 message(s) from notifier-slack_error to exchange notifier-slack", output);
        Assert.DoesNotContain(new Uri(rabbit).UserInfo.Split(':')[1], output); // the broker password is never printed

        var delivered = await slack.WaitForAsync(r => r.Status == 200 && (r.Text ?? "").Contains(alert.CorrelationId.ToString()), TimeSpan.FromSeconds(60));
        Assert.Contains("Redrive me", delivered.Text);
        // Sentinel instead of a fixed wait: an alert published after the re-drive is delivered, and still only one copy of the re-driven one.
        var sentinel = Alert("redrive:sentinel", "Sentinel");
        await PublishAsync(rabbit, sentinel);
        await slack.WaitForAsync(r => r.Status == 200 && (r.Text ?? "").Contains(sentinel.CorrelationId.ToString()), TimeSpan.FromSeconds(60));
        Assert.Single(slack.Requests, r => r.Status == 200 && (r.Text ?? "").Contains(alert.CorrelationId.ToString()));
        Assert.Equal(0u, await DepthAsync(rabbit, "notifier-slack_error"));
    }

    [Fact]
    public async Task A_message_that_cannot_be_routed_stays_in_the_error_queue()
    {
        var rabbit = await infra.CreateVirtualHostAsync();
        var broker = RabbitMqAddress.Parse(rabbit);
        await using var connection = await BrokerQueues.Factory(broker, "test").CreateConnectionAsync();
        await using (var setup = await connection.CreateChannelAsync())
        {
            await setup.ExchangeDeclareAsync("unbound", ExchangeType.Fanout, durable: true); // an exchange with no queue behind it
            await setup.QueueDeclareAsync("unbound_error", durable: true, exclusive: false, autoDelete: false);
            await setup.BasicPublishAsync("", "unbound_error", true, new BasicProperties { Persistent = true }, "parked"u8.ToArray());
        }
        var output = new StringWriter();
        await Assert.ThrowsAnyAsync<Exception>(() => new ErrorQueueRedriver(connection, output).RedriveAsync("unbound_error", CancellationToken.None));
        Assert.Equal(1u, await DepthAsync(rabbit, "unbound_error")); // given back, not lost
        Assert.Equal("notifier-slack", ErrorQueueRedriver.TargetOf("notifier-slack_error"));
        Assert.Equal("notifier-teams", ErrorQueueRedriver.TargetOf("notifier-teams_delay_2"));
        Assert.Null(ErrorQueueRedriver.TargetOf("notifier-slack"));
    }

    private static AlertRaised Alert(string key, string title) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        AlertId = Guid.NewGuid(),
        Severity = AlertSeverity.Critical,
        Title = title,
        Text = "An alert that failed while Slack was down",
        DedupKey = key,
        Source = "test",
    };

    private static async Task PublishAsync(string rabbit, AlertRaised alert)
    {
        var address = RabbitMqAddress.Parse(rabbit);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(address.Host, address.Port, address.VirtualHost, h => { h.Username(address.Username); h.Password(address.Password); }));
        await bus.StartAsync(TimeSpan.FromSeconds(30));
        try { await bus.Publish(alert); }
        finally { await bus.StopAsync(); }
    }

    /// <summary>Runs the built tool exactly as <c>scripts/redrive QUEUE</c> does (the script only builds it first).</summary>
    private static async Task<(int Exit, string Output)> RunRedriveAsync(string rabbit, string queue)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(RepoPaths.ServiceDll("tools/OpsBot.Redrive", "OpsBot.Redrive"));
        psi.ArgumentList.Add(queue);
        psi.Environment["RABBITMQ_URL"] = rabbit;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static async Task WaitForDepthAsync(string rabbit, string queue, uint depth, ServiceProcess notifier)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await DepthAsync(rabbit, queue) < depth)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{queue} never held {depth}:\n{string.Join('\n', notifier.Output.TakeLast(20))}");
            await Task.Delay(250);
        }
    }

    private static async Task<uint> DepthAsync(string rabbit, string queue)
    {
        await using var connection = await BrokerQueues.Factory(RabbitMqAddress.Parse(rabbit), "test-depth").CreateConnectionAsync();
        return await BrokerQueues.CountAsync(connection, queue) ?? 0;
    }
}
