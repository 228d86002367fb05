using System.Collections.Concurrent;
using System.Text.Json;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;
using StackExchange.Redis;

namespace OpsBot.EndToEnd.Tests;

/// <summary>
/// Issue 14 end to end, through the public doors (Redis PUBLISH in, the Slack stand-in out, real pnl-ingest,
/// risk-evaluator and notifier on RabbitMQ and Redis): a loss opens ONE Slack message; falling through the critical
/// line edits that message and replies in its thread; the recovery edits the same message to resolved and replies in
/// its thread, and <c>AlertResolved</c> is on the bus for other trading systems. Before, the loss gave two separate
/// messages and the recovery none: the channel kept showing a critical loss that had ended.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class IncidentLifecycleTests(InfraFixture infra) : IAsyncLifetime
{
    private const string Token = "xoxb-e2e-incident-token";
    private const string SlackChannel = "C0INCIDENT";
    private readonly string _pnlChannel = $"pnl-incident-{Guid.NewGuid():N}";
    private readonly List<ServiceProcess> _services = [];
    private readonly ConcurrentQueue<AlertResolved> _resolved = new();
    private FakeSlackServer _slack = null!;
    private IBusControl _bus = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync(new FakeSlackOptions { ExpectedToken = Token, MessagesPerSecondPerChannel = 1 });
        var rabbit = await infra.CreateVirtualHostAsync();
        var address = RabbitMqAddress.Parse(rabbit);
        _bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(address.Host, address.Port, address.VirtualHost, h => { h.Username(address.Username); h.Password(address.Password); });
            cfg.ReceiveEndpoint("e2e-another-trading-system", e => e.Handler<AlertResolved>(c => { _resolved.Enqueue(c.Message); return Task.CompletedTask; }));
        });
        await _bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        var env = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbit,
            ["REDIS_URL"] = infra.RedisUrl,
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:",
            ["NOTIFIER_REDIS_PREFIX"] = $"opsbot:notifier-test:{Guid.NewGuid():N}:",
            ["PNL_CHANNEL"] = _pnlChannel,
            ["ALERT_PNL_THRESHOLD"] = "1000",
            ["SLACK_API_URL"] = _slack.ApiUrl.ToString(),
            ["SLACK_BOT_TOKEN"] = Token,
            ["SLACK_ALERT_CHANNEL"] = SlackChannel,
            ["LOG_FORMAT"] = "text",
        };
        _services.Add(ServiceProcess.Start("notifier", "services/notifier", "OpsBot.Notifier", env));
        _services.Add(ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", env));
        _services.Add(ServiceProcess.Start("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", env));
        await Task.WhenAll(_services.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));
    }

    [Fact]
    public async Task A_loss_is_one_message_edited_through_critical_and_resolved_in_place_with_thread_replies_and_AlertResolved_on_the_bus()
    {
        var redis = infra.Redis.GetSubscriber();
        var channel = RedisChannel.Literal(_pnlChannel);
        var t = DateTimeOffset.UtcNow;

        await redis.PublishAsync(channel, Pnl("momentum", -1500, t));
        var opened = await UntilAsync(() => _slack.Messages.FirstOrDefault(m => m.Text?.Contains("momentum") == true), "the warning's message");
        Assert.Contains("WARNING", opened.Text);

        await redis.PublishAsync(channel, Pnl("momentum", -2500, t.AddSeconds(1)));
        await UntilAsync(() => _slack.RepliesTo(SlackChannel, opened.Ts).FirstOrDefault(r => r.Text?.Contains("CRITICAL") == true), "the critical reply in the thread");
        await UntilAsync(() => _slack.UpdatesOf(SlackChannel, opened.Ts).FirstOrDefault(u => u.Text?.Contains("CRITICAL") == true), "the message's header edited to critical");

        await redis.PublishAsync(channel, Pnl("momentum", 3500, t.AddSeconds(2)));
        var resolved = await UntilAsync(() => _resolved.FirstOrDefault(r => r.DedupKey == "pnl-loss:acct-1:momentum"), "AlertResolved on the bus");
        Assert.Equal("risk-evaluator", resolved.Source);
        await UntilAsync(() => _slack.UpdatesOf(SlackChannel, opened.Ts).FirstOrDefault(u => u.Text?.Contains("RESOLVED", StringComparison.OrdinalIgnoreCase) == true), "the message edited to resolved");
        await UntilAsync(() => _slack.RepliesTo(SlackChannel, opened.Ts).FirstOrDefault(r => r.Text?.Contains("Resolved") == true), "the resolution's reply in the thread");

        // Positive sentinel: another strategy's loss opens its own message after everything above went through the same
        // queues; by then any second top-level message about momentum would have arrived.
        await redis.PublishAsync(channel, Pnl("sentinel", -1500, t.AddSeconds(3)));
        await UntilAsync(() => _slack.Messages.FirstOrDefault(m => m.Text?.Contains("sentinel") == true), "the sentinel's message");
        Assert.Single(_slack.Messages, m => m.Text?.Contains("momentum") == true); // one incident, one message
        var shown = _slack.CurrentMessage(SlackChannel, opened.Ts)!;
        Assert.DoesNotContain("\"actions\"", shown.ToJsonString()); // resolved: no buttons left
        Assert.Equal(0, _slack.RateLimitedCount);
    }

    private static async Task<T> UntilAsync<T>(Func<T?> find, string what) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (find() is { } found) return found;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not come within 60 s");
            await Task.Delay(100);
        }
    }

    private static string Pnl(string strategy, double realized, DateTimeOffset at) =>
        JsonSerializer.Serialize(new { account = "acct-1", strategy, realized, unrealized = 0.0, currency = "USD", timestamp = at.ToString("O") });

    public async Task DisposeAsync()
    {
        foreach (var service in _services) await service.DisposeAsync();
        await _bus.StopAsync();
        await _slack.DisposeAsync();
        Assert.DoesNotContain(_services.SelectMany(s => s.Output), l => l.Contains(Token));
    }
}
