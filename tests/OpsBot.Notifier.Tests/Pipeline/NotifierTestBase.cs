using OpsBot.FakeSlack;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>
/// One isolated world per test: its own RabbitMQ virtual host, its own Redis key prefix, a fake Slack
/// (1 msg/s per channel, 429 + Retry-After beyond) and a fake Teams webhook; the test's bus to publish
/// and observe; notifier hosts started with <see cref="StartNotifierAsync"/>.
/// </summary>
[Collection(InfraFixture.Collection)]
public abstract class NotifierTestBase(InfraFixture infra) : IAsyncLifetime
{
    protected const string Token = "xoxb-notifier-test-token";
    protected const string SlackChannel = "C0ALERTS";
    private readonly List<NotifierHost> _hosts = [];

    protected InfraFixture Infra => infra;
    protected string RabbitUrl { get; private set; } = "";
    protected string Prefix { get; } = $"test:{Guid.NewGuid():N}:";
    protected TestBus Bus { get; private set; } = null!;
    protected FakeSlackServer Slack { get; private set; } = null!;
    protected FakeTeamsServer Teams { get; private set; } = null!;

    /// <summary>Override to script the Slack fake.</summary>
    protected virtual FakeSlackOptions SlackOptions => new() { ExpectedToken = Token, MessagesPerSecondPerChannel = 1 };
    protected virtual FakeTeamsOptions TeamsOptions => new() { MessagesPerSecond = 1 };

    public virtual async Task InitializeAsync()
    {
        RabbitUrl = await infra.CreateVirtualHostAsync();
        Slack = await FakeSlackServer.StartAsync(SlackOptions);
        Teams = await FakeTeamsServer.StartAsync(TeamsOptions);
        Bus = await TestBus.StartAsync(RabbitUrl);
    }

    protected Dictionary<string, string> Settings(bool slack = true, bool teams = false) 
    {
        var settings = new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = RabbitUrl,
            ["REDIS_URL"] = infra.RedisUrl,
            ["NOTIFIER_REDIS_PREFIX"] = Prefix,
            ["NOTIFIER_RETRY_DELAY_MS"] = "100",
            ["NOTIFIER_HTTP_TIMEOUT"] = "5",
        };
        if (slack)
        {
            settings["SLACK_API_URL"] = Slack.ApiUrl.ToString();
            settings["SLACK_BOT_TOKEN"] = Token;
            settings["SLACK_ALERT_CHANNEL"] = SlackChannel;
        }
        if (teams) settings["TEAMS_WEBHOOK_URL"] = Teams.WebhookUrl.ToString();
        return settings;
    }

    protected async Task<NotifierHost> StartNotifierAsync(Dictionary<string, string> settings, bool waitReady = true)
    {
        var host = await NotifierHost.StartAsync(settings, waitReady);
        _hosts.Add(host);
        return host;
    }

    protected async Task StopAsync(NotifierHost host)
    {
        _hosts.Remove(host);
        await host.DisposeAsync();
    }

    /// <summary>Accepted Slack messages whose JSON mentions <paramref name="text"/>.</summary>
    protected IReadOnlyList<SlackRequest> SlackAccepted(string? text = null) =>
        Slack.Requests.Where(r => r.Status == 200 && r.Error is null && (text is null || r.Body?.ToJsonString().Contains(text) == true)).ToList();

    /// <summary>What the fake Slack received, a line a request, for a failure message.</summary>
    protected string SlackLog() => string.Join("\n", Slack.Requests.Select(r =>
        $"{r.At:HH:mm:ss.fff} {r.Path} {r.Status} {r.Error} ch={r.Channel} ts={r.Body?["ts"]} thread={r.Body?["thread_ts"]} text={r.Text}")) + "\n";

    protected IReadOnlyList<TeamsRequest> TeamsAccepted(string? text = null) =>
        Teams.Requests.Where(r => r.Accepted && (text is null || r.Json.Contains(text))).ToList();

    /// <summary>Asserts that the Prometheus text has a sample of <paramref name="name"/> with these labels (in any order, among others) and a value ≥ 1.</summary>
    /// <summary>
    /// A positive sentinel for "nothing more came": publishes a marker alert of its own key after everything else and
    /// waits until the Slack (and, with <paramref name="teams"/>, the Teams) fake accepted it. The marker goes through
    /// the same queue, dedup and pacing after the alerts before it, so a late duplicate of one of them would already
    /// be there.
    /// </summary>
    protected async Task SentinelAsync(bool teams = false)
    {
        var marker = $"sentinel:{Guid.NewGuid():N}";
        await Bus.Publish(TestBus.Alert(marker));
        await TestBus.Until(() => SlackAccepted(marker).Count > 0 && (!teams || TeamsAccepted(marker).Count > 0),
            TimeSpan.FromSeconds(60), () => $"the sentinel alert {marker} never reached {(teams ? "Slack and Teams" : "Slack")}");
    }

    protected static void AssertMetric(string metrics, string name, params string[] labels)
    {
        var found = metrics.Split('\n').Any(line =>
            line.StartsWith(name + "{", StringComparison.Ordinal)
            && labels.All(l => line.Contains(l, StringComparison.Ordinal))
            && double.TryParse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var v) && v >= 1);
        Assert.True(found, $"no {name} with {string.Join(",", labels)} in:\n{string.Join('\n', metrics.Split('\n').Where(l => l.StartsWith("opsbot_notifier")))}");
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await Bus.DisposeAsync();
        await Slack.DisposeAsync();
        await Teams.DisposeAsync();
        foreach (var key in infra.Redis.GetServers().First().Keys(pattern: Prefix + "*")) await infra.Redis.GetDatabase().KeyDeleteAsync(key);
    }
}
