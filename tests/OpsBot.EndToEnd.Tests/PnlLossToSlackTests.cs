using System.Text.Json;
using OpsBot.FakeSlack;
using OpsBot.Testing;
using StackExchange.Redis;

namespace OpsBot.EndToEnd.Tests;

/// <summary>
/// The walking skeleton end to end on real servers: a losing PnL PUBLISHed on Redis goes through
/// pnl-ingest, risk-evaluator and notifier (three processes, RabbitMQ between them) and reaches a
/// local Slack stand-in as exactly one chat.postMessage; malformed PnL messages reach nothing.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class PnlLossToSlackTests(InfraFixture infra) : IAsyncLifetime
{
    private const string Token = "xoxb-e2e-test-token";
    private const string SlackChannel = "C0E2E";
    private readonly string _pnlChannel = $"pnl-e2e-{Guid.NewGuid():N}";
    private readonly List<ServiceProcess> _services = [];
    private FakeSlackServer _slack = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync(new FakeSlackOptions { ExpectedToken = Token });
        var rabbit = await infra.CreateVirtualHostAsync();
        var env = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbit,
            ["REDIS_URL"] = infra.RedisUrl,
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:", // risk state of this run only (the Redis is shared)
            ["PNL_CHANNEL"] = _pnlChannel,
            ["ALERT_PNL_THRESHOLD"] = "1000",
            ["SLACK_API_URL"] = _slack.ApiUrl.ToString(),
            ["SLACK_BOT_TOKEN"] = Token,
            ["SLACK_ALERT_CHANNEL"] = SlackChannel,
        };
        // Consumers first, so their queues are bound before anything is published.
        _services.Add(ServiceProcess.Start("notifier", "services/notifier", "OpsBot.Notifier", env));
        _services.Add(ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", env));
        _services.Add(ServiceProcess.Start("pnl-ingest", "services/pnl-ingest", "OpsBot.PnlIngest", env));
        await Task.WhenAll(_services.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(60))));
    }

    [Fact]
    public async Task Losing_pnl_on_redis_becomes_exactly_one_slack_message_and_malformed_pnl_none()
    {
        var redis = infra.Redis.GetSubscriber();
        var channel = RedisChannel.Literal(_pnlChannel);
        var now = DateTimeOffset.UtcNow;

        // Malformed messages that would be losses if they were accepted: each must be rejected.
        string[] malformed =
        [
            "{\"account\":\"acct-1\",\"strategy\":\"bad-json\",\"realized\":-5000,",
            "{\"account\":\"acct-1\",\"strategy\":\"nan\",\"realized\":NaN,\"unrealized\":0,\"currency\":\"USD\",\"timestamp\":\"" + now.ToString("O") + "\"}",
            "{\"account\":\"acct-1\",\"strategy\":\"missing\",\"realized\":-5000,\"currency\":\"USD\",\"timestamp\":\"" + now.ToString("O") + "\"}",
            "{\"account\":\"acct-1\",\"strategy\":\"old\",\"realized\":-5000,\"unrealized\":0,\"currency\":\"USD\",\"timestamp\":-5}",
            "{\"account\":\"acct-1\",\"strategy\":\"huge\",\"realized\":-5000,\"unrealized\":0,\"currency\":\"USD\",\"timestamp\":\"" + now.ToString("O") + "\",\"pad\":\"" + new string('x', 70_000) + "\"}",
        ];
        foreach (var message in malformed) await redis.PublishAsync(channel, message);

        var correlationId = Guid.NewGuid();
        var losing = PnlJson("momentum", realized: -800.0, unrealized: -450.5, now, correlationId);
        // A healthy strategy beside it raises nothing.
        var healthy = PnlJson("carry", realized: 200.0, unrealized: -450.5, now, Guid.NewGuid());
        await redis.PublishAsync(channel, healthy);
        await redis.PublishAsync(channel, losing);

        var request = await _slack.WaitForAsync(r => r.Text?.Contains("momentum") == true, TimeSpan.FromSeconds(30));
        Assert.Equal("/api/chat.postMessage", request.Path);
        Assert.Equal($"Bearer {Token}", request.Authorization);
        Assert.Equal(SlackChannel, request.Channel);
        Assert.EndsWith(correlationId.ToString(), request.Text);
        Assert.Contains("-1,250.50", request.Text);
        Assert.Equal(200, request.Status);

        // Positive sentinel, not a fixed wait: each strategy now falls through the next level. The sentinel alerts take
        // the same path (pnl-ingest in order, each strategy's partition in order, the notifier's queue) as anything the
        // first messages could still cause, so once both have reached Slack a second momentum message, a carry alert
        // from the healthy PnL or an alert from a malformed message would have arrived before them.
        await redis.PublishAsync(channel, PnlJson("carry", realized: -1500.0, unrealized: 0, now, Guid.NewGuid()));
        await redis.PublishAsync(channel, PnlJson("momentum", realized: -2500.0, unrealized: 0, now, Guid.NewGuid()));
        await _slack.WaitForAsync(r => r.Text?.Contains("carry") == true, TimeSpan.FromSeconds(30));
        await _slack.WaitForAsync(r => r.Text?.Contains("momentum") == true && r.Text.Contains("-2,500.00"), TimeSpan.FromSeconds(30));
        var all = _slack.Requests;
        Assert.Single(all, r => r.Text?.Contains("-1,250.50") == true); // the first momentum alert exactly once
        Assert.Single(all, r => r.Text?.Contains("carry") == true);      // the healthy carry PnL raised nothing before its loss
        foreach (var strategy in new[] { "bad-json", "nan", "missing", "old", "huge" })
            Assert.DoesNotContain(all, r => r.Text?.Contains($"PnL loss: {strategy} at ") == true);

        var ingest = _services.Single(s => s.Name == "pnl-ingest");
        var rejections = ingest.Output.Where(l => l.Contains("Rejected PnL message")).ToList();
        Assert.Equal(malformed.Length, rejections.Count);
        foreach (var reason in new[] { "invalid-json", "missing-field", "bad-timestamp", "too-large" })
            Assert.Contains(rejections, l => l.Contains(reason));
        var metrics = await ingest.GetStringAsync("metrics");
        Assert.Contains("opsbot_pnl_rejected_total", metrics);
        Assert.Contains("opsbot_pnl_publish_confirm_seconds_bucket", metrics); // the losing PnL was published and confirmed
        // The runtime's meter rides along: GC and JIT counters for operators and for the load harness's warm-up.
        Assert.Contains("dotnet_gc_collections_total", metrics);
        Assert.Contains("dotnet_jit_compilation_time_seconds_total", metrics);
    }

    private static string PnlJson(string strategy, double realized, double unrealized, DateTimeOffset at, Guid correlationId) =>
        JsonSerializer.Serialize(new
        {
            account = "acct-1",
            strategy,
            realized,
            unrealized,
            currency = "USD",
            timestamp = at.ToString("O"),
            correlation_id = correlationId.ToString(),
        });

    public async Task DisposeAsync()
    {
        foreach (var service in _services) await service.DisposeAsync();
        await _slack.DisposeAsync();
        Assert.DoesNotContain(_services.SelectMany(s => s.Output), l => l.Contains(Token));
    }
}
