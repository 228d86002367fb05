using OpsBot.Contracts;
using OpsBot.Notifier.Routing;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Unit;

public sealed class RoutingTableTests
{
    private static readonly string ExampleFile = Path.Combine(RepoPaths.Root, "docs", "examples", "notifier-routes.json");

    private static Settings With(params (string Key, string Value)[] values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    private static readonly (string, string)[] Slack = [("SLACK_BOT_TOKEN", "xoxb-t"), ("SLACK_ALERT_CHANNEL", "C0ALERTS")];
    private static readonly (string, string)[] SlackAndTeams = [.. Slack, ("TEAMS_WEBHOOK_URL", "https://teams.example/hook")];

    private static AlertRaised Alert(AlertSeverity severity, string source, params (string, string)[] labels) => new()
    {
        CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, AlertId = Guid.NewGuid(), Severity = severity,
        Title = "t", Text = "x", DedupKey = "k", Source = source, Labels = labels.ToDictionary(l => l.Item1, l => l.Item2),
    };

    [Fact]
    public void The_documented_example_routes_by_label_severity_and_source_with_continue_and_a_default()
    {
        var table = NotifierOptions.From(With([.. SlackAndTeams, ("NOTIFIER_ROUTES_FILE", ExampleFile)])).Routing;

        var deskWarning = table.Route(Alert(AlertSeverity.Warning, "risk-evaluator", ("account", "desk-a-7"), ("strategy", "carry")));
        Assert.Equal(["C0DESKA"], deskWarning.SlackChannels);
        Assert.False(deskWarning.Teams);

        var deskCritical = table.Route(Alert(AlertSeverity.Critical, "risk-evaluator", ("account", "desk-a-7")));
        Assert.Equal(["C0DESKA", "C0RISK"], deskCritical.SlackChannels); // continue
        Assert.True(deskCritical.Teams);
        Assert.Equal("desk-a,critical-risk", deskCritical.Routes);

        var otherCritical = table.Route(Alert(AlertSeverity.Critical, "risk-evaluator", ("account", "desk-b-1")));
        Assert.Equal(["C0RISK"], otherCritical.SlackChannels);

        var parity = table.Route(Alert(AlertSeverity.Critical, "parity-checker"));
        Assert.Equal(["C0MARKETDATA"], parity.SlackChannels); // critical-risk wants source risk-evaluator

        Assert.True(table.Route(Alert(AlertSeverity.Warning, "risk-evaluator", ("account", "desk-b-1"))).IsDefault);
        Assert.True(table.Route(Alert(AlertSeverity.Info, "ops-bot")).IsDefault);
        Assert.Equal(InhibitRule.CriticalHoldsBackWarningsOfTheStrategy.ToString(), Assert.Single(table.InhibitRules).ToString());
    }

    [Fact]
    public void Without_a_table_everything_takes_the_default_route_and_the_default_inhibition_rule_applies()
    {
        var table = NotifierOptions.From(With(Slack)).Routing;
        Assert.Empty(table.Routes);
        Assert.True(table.Route(Alert(AlertSeverity.Critical, "risk-evaluator", ("account", "a"))).IsDefault);
        var rule = Assert.Single(table.InhibitRules);
        Assert.Equal(["account", "strategy"], rule.Equal);
        Assert.True(rule.Source.Matches(Alert(AlertSeverity.Critical, "x")));
        Assert.False(rule.Source.Matches(Alert(AlertSeverity.Warning, "x")));
        Assert.True(rule.Target.Matches(Alert(AlertSeverity.Warning, "x")));
    }

    [Fact]
    public void Inhibit_rules_can_be_turned_off_and_matchers_need_every_part()
    {
        var table = RoutingTable.Parse("""{ "routes": [ { "match": { "severity": ["warning", "critical"], "labels": { "account": "A*", "strategy": "carry" } }, "slack_channel": "C1" } ], "inhibit_rules": [] }""",
            "NOTIFIER_ROUTES", slackConfigured: true, teamsConfigured: false);
        Assert.Empty(table.InhibitRules);
        Assert.Equal(["C1"], table.Route(Alert(AlertSeverity.Warning, "s", ("account", "a-1"), ("strategy", "CARRY"))).SlackChannels); // globs ignore case
        Assert.True(table.Route(Alert(AlertSeverity.Info, "s", ("account", "a-1"), ("strategy", "carry"))).IsDefault);   // severity
        Assert.True(table.Route(Alert(AlertSeverity.Warning, "s", ("account", "a-1"))).IsDefault);                        // a label missing
        Assert.True(table.Route(Alert(AlertSeverity.Warning, "s", ("account", "b-1"), ("strategy", "carry"))).IsDefault); // a label differs
        Assert.Equal("routes[0]", table.Routes[0].Name);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{ "routes": [ { "match": {}, "continue": true } ] }""", "routes[0]: sends nowhere")]
    [InlineData("""{ "routes": [ { "match": { "severity": "fatal" }, "slack_channel": "C1" } ] }""", "routes[0].match.severity: 'fatal' is not a severity")]
    [InlineData("""{ "routes": [ { "match": { "sevrity": "critical" }, "slack_channel": "C1" } ] }""", "routes[0].match.sevrity: unknown field")]
    [InlineData("""{ "routes": [ { "slack_channel": "C1", "teams": true } ] }""", "routes[0].teams: Teams is not configured")]
    [InlineData("""{ "routes": [ { "slack_channel": "C1", "continue": "yes" } ] }""", "routes[0].continue: must be true or false")]
    [InlineData("""{ "inhibit_rules": [ { "source_match": {}, "target_match": {} } ] }""", "inhibit_rules[0].equal: needs a non-empty array")]
    [InlineData("""{ "routes": {} }""", "routes: must be an array")]
    public void A_mistake_in_the_table_stops_the_service_with_the_setting_and_the_place(string json, string expected)
    {
        var e = Assert.Throws<SettingsException>(() => NotifierOptions.From(With([.. Slack, ("NOTIFIER_ROUTES", json)])));
        Assert.StartsWith("NOTIFIER_ROUTES: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_file_and_the_inline_table_exclude_each_other_and_a_missing_file_is_named()
    {
        var both = Assert.Throws<SettingsException>(() => NotifierOptions.From(With([.. Slack, ("NOTIFIER_ROUTES", "{}"), ("NOTIFIER_ROUTES_FILE", ExampleFile)])));
        Assert.Contains("not both", both.Message);
        var missing = Assert.Throws<SettingsException>(() => NotifierOptions.From(With([.. Slack, ("NOTIFIER_ROUTES_FILE", "/nonexistent/routes.json")])));
        Assert.Contains("NOTIFIER_ROUTES_FILE: cannot read /nonexistent/routes.json", missing.Message);
        var noSlack = Assert.Throws<SettingsException>(() => NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", "https://t.example/h"), ("NOTIFIER_ROUTES_FILE", ExampleFile))));
        Assert.Contains("routes[0].slack_channel: Slack is not configured", noSlack.Message);
    }
}
