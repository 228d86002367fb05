using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>
/// Routing and inhibition (issue 14, item 6) through the public doors: the routing table in <c>NOTIFIER_ROUTES</c>,
/// AlertRaised and AlertResolved on the real broker, the notifier on real Redis, and what the fake Slack (1 msg/s per
/// channel) and the fake Teams received.
/// </summary>
[Collection(InfraFixture.SecondLane)]
public sealed class RoutingTests(InfraFixture infra) : NotifierTestBase(infra)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const string DeskChannel = "C0DESKA";
    private const string RiskChannel = "C0RISK";

    private const string Routes = """
        {
          "routes": [
            { "name": "desk-a", "match": { "labels": { "account": "desk-a*" } }, "slack_channel": "C0DESKA", "continue": true },
            { "name": "critical-risk", "match": { "severity": "critical", "source": "risk-*" }, "slack_channel": "C0RISK" }
          ]
        }
        """;

    [Fact]
    public async Task Alerts_go_to_channels_by_label_and_severity_continue_adds_a_channel_and_the_rest_take_the_default_route()
    {
        var settings = Settings(slack: true, teams: true);
        settings["NOTIFIER_ROUTES"] = Routes;
        settings["NOTIFIER_REMINDER_INTERVAL"] = "0";
        settings["NOTIFIER_ESCALATE_AFTER"] = "0";
        var host = await StartNotifierAsync(settings);

        await Bus.Publish(Alert("drawdown:desk-a-1:momentum", AlertSeverity.Warning, "desk-a-1", "momentum"));   // desk-a only
        await Bus.Publish(Alert("pnl-loss:desk-a-2:carry", AlertSeverity.Critical, "desk-a-2", "carry"));         // desk-a, and critical-risk by continue
        await Bus.Publish(Alert("pnl-loss:desk-b-1:carry", AlertSeverity.Critical, "desk-b-1", "carry"));         // critical-risk only
        await Bus.Publish(Alert("drawdown:desk-b-1:momentum", AlertSeverity.Warning, "desk-b-1", "momentum"));   // no route: the default (Slack + Teams)
        await TestBus.Until(() => TopLevel("pnl-loss:desk-a-2:carry", DeskChannel).Count == 1 && TopLevel("pnl-loss:desk-a-2:carry", RiskChannel).Count == 1
                                  && TopLevel("drawdown:desk-b-1:momentum", SlackChannel).Count == 1 && TeamsAccepted("drawdown:desk-b-1:momentum").Count == 1,
            Wait, () => SlackLog() + host.Logs.All());

        // Resolving the incident shown in two channels shows it in both: its own message edited (C0RISK), the digest it
        // was folded into answered in its thread (C0DESKA: the four alerts arrived together).
        await Bus.Publish(new AlertResolved
        {
            CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, DedupKey = "pnl-loss:desk-a-2:carry", Reason = "PnL back above -1,000", Source = "risk-evaluator",
            Labels = new Dictionary<string, string> { ["account"] = "desk-a-2", ["strategy"] = "carry" },
        });
        await TestBus.Until(() => new[] { DeskChannel, RiskChannel }.All(c => SlackAccepted("Resolved after").Any(r => r.Body!["thread_ts"] is not null && r.Channel == c)),
            Wait, () => SlackLog() + host.Logs.All());
        Assert.Contains(SlackAccepted("RESOLVED after"), r => r.Path.EndsWith("chat.update") && r.Channel == RiskChannel);

        await SentinelAsync(); // critical from risk-evaluator: it takes the critical-risk route
        Assert.Equal([DeskChannel], Channels("drawdown:desk-a-1:momentum"));
        Assert.Equal([DeskChannel, RiskChannel], Channels("pnl-loss:desk-a-2:carry"));
        Assert.Equal([RiskChannel], Channels("pnl-loss:desk-b-1:carry"));
        Assert.Equal([SlackChannel], Channels("drawdown:desk-b-1:momentum"));
        Assert.Empty(TeamsAccepted("desk-a")); // Teams only on the default route here
        Assert.Empty(TeamsAccepted("pnl-loss:desk-b-1"));
        Assert.Equal(0, Slack.Requests.Count(r => r.Status == 429));
        AssertMetric((await host.GetAsync("metrics")).Body, "opsbot_notifier_suppressed_total", "channel=\"teams\"", "reason=\"notrouted\"");
    }

    [Fact]
    public async Task A_warning_of_a_strategy_with_an_open_critical_is_held_back_and_sent_when_the_critical_resolves()
    {
        var settings = Settings();
        settings["NOTIFIER_REMINDER_INTERVAL"] = "0";
        settings["NOTIFIER_ESCALATE_AFTER"] = "0";
        var host = await StartNotifierAsync(settings);

        await Bus.Publish(Alert("pnl-loss:acct-9:momentum", AlertSeverity.Critical, "acct-9", "momentum"));
        await TestBus.Until(() => TopLevel("pnl-loss:acct-9:momentum", SlackChannel).Count == 1, Wait, () => SlackLog() + host.Logs.All());

        await Bus.Publish(Alert("drawdown:acct-9:momentum", AlertSeverity.Warning, "acct-9", "momentum")); // held back
        await Bus.Publish(Alert("price-gap:acct-9:momentum", AlertSeverity.Warning, "acct-9", "momentum")); // held back, then resolved while held
        await Bus.Publish(Alert("drawdown:acct-9:carry", AlertSeverity.Warning, "acct-9", "carry"));       // another strategy: sent
        await TestBus.Until(() => TopLevel("drawdown:acct-9:carry", SlackChannel).Count == 1, Wait, () => SlackLog() + host.Logs.All());
        await SentinelAsync();
        Assert.Empty(SlackAccepted("drawdown:acct-9:momentum"));
        Assert.Empty(SlackAccepted("price-gap:acct-9:momentum"));
        await Bus.Publish(new AlertResolved
        {
            CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, DedupKey = "price-gap:acct-9:momentum", Reason = "gap closed", Source = "risk-evaluator",
            Labels = new Dictionary<string, string> { ["account"] = "acct-9", ["strategy"] = "momentum" },
        });
        await TestBus.Until(() => host.Logs.All().Contains("Resolution of price-gap:acct-9:momentum"), Wait, () => host.Logs.All());
        AssertMetric((await host.GetAsync("metrics")).Body, "opsbot_notifier_suppressed_total", "channel=\"slack\"", "reason=\"inhibited\"");
        Assert.Contains(host.Logs.All().Split('\n'), l => l.Contains("drawdown:acct-9:momentum") && l.Contains("held back") && l.Contains("pnl-loss:acct-9:momentum"));

        await Bus.Publish(new AlertResolved
        {
            CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, DedupKey = "pnl-loss:acct-9:momentum", Reason = "PnL back above -1,000", Source = "risk-evaluator",
            Labels = new Dictionary<string, string> { ["account"] = "acct-9", ["strategy"] = "momentum" },
        });
        await TestBus.Until(() => TopLevel("drawdown:acct-9:momentum", SlackChannel).Count == 1, Wait, () => SlackLog() + host.Logs.All());
        await SentinelAsync();
        Assert.Single(TopLevel("drawdown:acct-9:momentum", SlackChannel)); // sent once, when the critical resolved
        Assert.Empty(SlackAccepted("price-gap:acct-9:momentum")); // resolved while held: never shown
    }

    private static AlertRaised Alert(string key, AlertSeverity severity, string account, string strategy) =>
        TestBus.Alert(key, severity: severity) with { Labels = new Dictionary<string, string> { ["account"] = account, ["strategy"] = strategy } };

    private IReadOnlyList<SlackRequest> TopLevel(string key, string channel) =>
        SlackAccepted(key).Where(r => r.Path.EndsWith("chat.postMessage") && r.Body!["thread_ts"] is null && r.Channel == channel).ToList();

    /// <summary>The channels that got a top-level message of <paramref name="key"/>, in order, each once per message.</summary>
    private List<string> Channels(string key) =>
        SlackAccepted(key).Where(r => r.Path.EndsWith("chat.postMessage") && r.Body!["thread_ts"] is null).Select(r => r.Channel!).Order(StringComparer.Ordinal).ToList();
}
