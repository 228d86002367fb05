using System.Text.Json.Nodes;
using OpsBot.Contracts;
using OpsBot.Notifier;
using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Slack;

namespace OpsBot.Notifier.Tests.Unit;

public sealed class SlackAlertFormatterTests
{
    private static AlertRaised Alert(string title = "PnL loss", string text = "Strategy is down", Dictionary<string, string>? labels = null) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        AlertId = Guid.NewGuid(),
        Severity = AlertSeverity.Critical,
        Title = title,
        Text = text,
        DedupKey = "pnl-loss:a:s",
        Source = "risk-evaluator",
        Labels = labels ?? new Dictionary<string, string> { ["strategy"] = "s" },
    };

    private static IEnumerable<JsonObject> Blocks(JsonObject payload) => payload["blocks"]!.AsArray().OfType<JsonObject>();

    [Fact]
    public void Fallback_text_ends_with_the_correlation_id_and_blocks_carry_header_context_and_buttons()
    {
        var alert = Alert();
        var payload = new SlackAlertFormatter().Format(alert, "C123");
        Assert.Equal("C123", payload["channel"]!.GetValue<string>());
        Assert.EndsWith(alert.CorrelationId.ToString(), payload["text"]!.GetValue<string>());

        var header = Blocks(payload).Single(b => b["type"]!.GetValue<string>() == "header");
        Assert.Contains("CRITICAL", header["text"]!["text"]!.GetValue<string>());
        var context = Blocks(payload).Single(b => b["type"]!.GetValue<string>() == "context").ToJsonString();
        Assert.Contains(alert.CorrelationId.ToString(), context);
        Assert.Contains("risk-evaluator", context);
        var actions = Blocks(payload).Single(b => b["type"]!.GetValue<string>() == "actions")["elements"]!.AsArray();
        Assert.Equal([SlackAlertFormatter.AcknowledgeActionId, SlackAlertFormatter.SilenceActionId], actions.Select(a => a!["action_id"]!.GetValue<string>()));
        Assert.All(actions, a => Assert.Equal(alert.DedupKey, a!["value"]!.GetValue<string>()));
    }

    [Fact]
    public void Long_text_is_cut_to_slack_limits_with_a_marker()
    {
        var labels = Enumerable.Range(0, 25).ToDictionary(i => $"label{i}", i => new string('v', 2500));
        var alert = Alert(title: new string('T', 400), text: new string('x', 10_000), labels: labels);
        var payload = new SlackAlertFormatter().Format(alert, "C1");

        var header = Blocks(payload).First()["text"]!["text"]!.GetValue<string>();
        Assert.Equal(SlackAlertFormatter.MaxHeaderChars, header.Length);
        Assert.EndsWith(SlackAlertFormatter.TruncationMarker, header);
        var section = Blocks(payload).ElementAt(1)["text"]!["text"]!.GetValue<string>();
        Assert.Equal(SlackAlertFormatter.MaxSectionChars, section.Length);
        var fields = Blocks(payload).Single(b => b["fields"] is not null)["fields"]!.AsArray();
        Assert.Equal(SlackAlertFormatter.MaxFields, fields.Count);
        Assert.All(fields, f => Assert.True(f!["text"]!.GetValue<string>().Length <= SlackAlertFormatter.MaxFieldChars));
        Assert.True(Blocks(payload).Count() <= 50);
        var text = payload["text"]!.GetValue<string>();
        Assert.True(text.Length <= SlackAlertFormatter.MaxFallbackChars);
        Assert.Contains(SlackAlertFormatter.TruncationMarker, text);
        Assert.EndsWith(alert.CorrelationId.ToString(), text);
    }

    [Fact]
    public void Slack_control_characters_in_text_are_escaped()
    {
        var payload = new SlackAlertFormatter().Format(Alert(text: "<!channel> a & b > c"), "C1");
        var section = Blocks(payload).ElementAt(1)["text"]!["text"]!.GetValue<string>();
        Assert.Equal("&lt;!channel&gt; a &amp; b &gt; c", section);
    }
}
