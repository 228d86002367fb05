using System.Text.Json;
using OpsBot.FakeSlack;
using OpsBot.Testing;
using StackExchange.Redis;

namespace OpsBot.Faults.Tests;

/// <summary>The three alert-path services on a dedicated broker and Redis, a fake Slack, and helpers to drive them.</summary>
public sealed class FaultScenario : IAsyncDisposable
{
    public const string SlackChannel = "C0FAULT";
    private readonly Dictionary<string, string> _env;

    private FaultScenario(DedicatedInfra infra, FakeSlackServer slack, Dictionary<string, string> env)
    {
        Infra = infra;
        Slack = slack;
        _env = env;
    }

    public DedicatedInfra Infra { get; }
    public FakeSlackServer Slack { get; }
    public Dictionary<string, ServiceProcess> Services { get; } = [];
    public string PnlChannel => _env["PNL_CHANNEL"];

    public static async Task<FaultScenario> StartAsync(DedicatedInfra infra, FakeSlackOptions? slackOptions = null, IDictionary<string, string>? extra = null)
    {
        var slack = await FakeSlackServer.StartAsync(slackOptions);
        var env = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = infra.RabbitMqUrl,
            ["REDIS_URL"] = infra.RedisUrl,
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:", // risk state of this scenario only (the Redis is shared)
            ["PNL_CHANNEL"] = $"pnl-fault-{Guid.NewGuid():N}",
            ["ALERT_PNL_THRESHOLD"] = "1000",
            ["ALERT_DRAWDOWN_THRESHOLD"] = "0",
            ["SLACK_API_URL"] = slack.ApiUrl.ToString(),
            ["SLACK_BOT_TOKEN"] = "xoxb-fault",
            ["SLACK_ALERT_CHANNEL"] = SlackChannel,
            ["NOTIFIER_SLACK_RATE"] = "20",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;
        var scenario = new FaultScenario(infra, slack, env);
        foreach (var name in new[] { "notifier", "risk-evaluator", "pnl-ingest" }) scenario.Start(name);
        await Task.WhenAll(scenario.Services.Values.Select(s => s.WaitReadyAsync(TimeSpan.FromSeconds(90))));
        return scenario;
    }

    public ServiceProcess Start(string name)
    {
        var (folder, assembly) = name switch
        {
            "notifier" => ("services/notifier", "OpsBot.Notifier"),
            "risk-evaluator" => ("services/risk-evaluator", "OpsBot.RiskEvaluator"),
            _ => ("services/pnl-ingest", "OpsBot.PnlIngest"),
        };
        return Services[name] = ServiceProcess.Start(name, folder, assembly, _env);
    }

    /// <summary>A PnL of one strategy on Redis; total = realized.</summary>
    public Task PublishPnlAsync(string strategy, decimal realized) =>
        Infra.Redis.GetSubscriber().PublishAsync(RedisChannel.Literal(PnlChannel), JsonSerializer.Serialize(new
        {
            account = "acct-f",
            strategy,
            realized,
            unrealized = 0,
            currency = "USD",
            timestamp = DateTimeOffset.UtcNow.ToString("O"),
        }));

    /// <summary>How many Slack messages mention the strategy (a digest counts for every strategy it folds).</summary>
    public int SlackMessagesAbout(string strategy) =>
        Slack.Requests.Count(r => r.Status == 200 && (r.Body?.ToJsonString() ?? "").Contains($"PnL loss: {strategy} at ", StringComparison.Ordinal));

    public async Task WaitForSlackAsync(string strategy, TimeSpan timeout, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (SlackMessagesAbout(strategy) < atLeast)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{SlackMessagesAbout(strategy)} of {atLeast} Slack messages about {strategy} within {timeout.TotalSeconds:F0} s; Slack received {Slack.Requests.Count}:\n" +
                                           string.Join('\n', Slack.Requests.Select(r => r.Text)) + "\n" + string.Join('\n', Services.Values.SelectMany(s => s.Output.TakeLast(15).Select(l => $"{s.Name}: {l}"))));
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in Services.Values) await service.DisposeAsync();
        await Slack.DisposeAsync();
    }
}
