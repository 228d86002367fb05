using System.Text.Json.Nodes;
using OpsBot.Contracts;
using OpsBot.Notifier;
using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Slack;

namespace OpsBot.Notifier.Tests.Unit;

/// <summary>Storm digests keep Slack's limits: at most 50 blocks, sections of at most 3000 characters.</summary>
public sealed class SlackDigestTests
{
    [Fact]
    public void A_digest_lists_each_alert_with_its_key_and_correlation_id_within_slack_limits()
    {
        var alerts = Enumerable.Range(0, 37).Select(i => Infrastructure.TestBus.Alert($"storm:key-{i:D2}")).ToList();
        var (payload, carried) = new SlackAlertFormatter().FormatDigest(alerts, TimeSpan.FromSeconds(9.2), "C1");
        Assert.Equal(37, carried);
        Assert.StartsWith("37 alerts in the last 10 s: ", payload["text"]!.GetValue<string>());
        var json = payload.ToJsonString();
        Assert.All(alerts, a => { Assert.Contains(a.DedupKey, json); Assert.Contains(a.CorrelationId.ToString(), json); });
    }

    [Fact]
    public void A_huge_pile_up_is_cut_at_the_block_limit_and_the_rest_is_left_for_the_next_message()
    {
        var alerts = Enumerable.Range(0, 2000).Select(i => Infrastructure.TestBus.Alert($"storm:key-{i:D4}", title: new string('t', 200))).ToList();
        var (payload, carried) = new SlackAlertFormatter().FormatDigest(alerts, TimeSpan.FromSeconds(1), "C1");
        Assert.InRange(carried, 100, 1999);
        var blocks = payload["blocks"]!.AsArray();
        Assert.True(blocks.Count <= 50);
        Assert.All(blocks.Where(b => b!["type"]!.GetValue<string>() == "section"), b => Assert.True(b!["text"]!["text"]!.GetValue<string>().Length <= 3000));
        Assert.True(payload["text"]!.GetValue<string>().Length <= SlackAlertFormatter.MaxFallbackChars);
    }
}
