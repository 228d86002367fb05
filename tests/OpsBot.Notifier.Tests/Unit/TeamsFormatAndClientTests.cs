using System.Text.Json.Nodes;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Teams;
using OpsBot.Notifier.Tests.Infrastructure;

namespace OpsBot.Notifier.Tests.Unit;

/// <summary>Teams payloads (Adaptive Card envelope, MessageCard, under 28 KB) and the webhook's answers, classified.</summary>
public sealed class TeamsFormatAndClientTests
{
    [Fact]
    public void Adaptive_card_is_wrapped_in_the_workflows_message_envelope_with_the_correlation_id()
    {
        var alert = TestBus.Alert("pnl-loss:a:s");
        var payload = new TeamsCardFormatter(TeamsPayload.AdaptiveCard).Format(alert);
        Assert.Equal("message", payload["type"]!.GetValue<string>());
        var attachment = payload["attachments"]![0]!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment["contentType"]!.GetValue<string>());
        Assert.Equal("AdaptiveCard", attachment["content"]!["type"]!.GetValue<string>());
        Assert.Contains(alert.CorrelationId.ToString(), payload.ToJsonString());
        Assert.Contains("CRITICAL", payload.ToJsonString());
    }

    [Theory]
    [InlineData(TeamsPayload.AdaptiveCard)]
    [InlineData(TeamsPayload.MessageCard)]
    public void Huge_alerts_are_cut_cleanly_below_28_kb(TeamsPayload format)
    {
        var labels = Enumerable.Range(0, 40).ToDictionary(i => $"label{i}", _ => new string('v', 5000));
        var alert = TestBus.Alert("k") with { Text = new string('x', 200_000), Labels = labels, Title = new string('T', 1000) };
        var payload = new TeamsCardFormatter(format).Format(alert);
        Assert.True(TeamsCardFormatter.Bytes(payload) < 28 * 1024, $"{TeamsCardFormatter.Bytes(payload)} bytes");
        Assert.Contains("[truncated]", payload.ToJsonString()); // the marker (its "…" is JSON-escaped)
        Assert.Contains(alert.CorrelationId.ToString(), payload.ToJsonString());
    }

    [Fact]
    public void A_digest_carries_as_many_alerts_as_fit_below_28_kb()
    {
        var alerts = Enumerable.Range(0, 500).Select(i => TestBus.Alert($"storm:key-{i:D3}")).ToList();
        var (payload, carried) = new TeamsCardFormatter(TeamsPayload.AdaptiveCard).FormatDigest(alerts, TimeSpan.FromSeconds(3));
        Assert.InRange(carried, 20, 499);
        Assert.True(TeamsCardFormatter.Bytes(payload) < 28 * 1024);
        Assert.Contains($"{carried} alerts in the last 3 s", payload.ToJsonString());
        Assert.Contains(alerts[carried - 1].CorrelationId.ToString(), payload.ToJsonString());
        Assert.DoesNotContain(alerts[carried].DedupKey, payload.ToJsonString());
    }

    [Theory]
    [InlineData(202, null, null, null)]                     // Workflows: Accepted
    [InlineData(200, "1", null, null)]                      // legacy connector: 200 "1"
    [InlineData(429, null, 3, DeliveryErrorKind.RateLimited)]
    [InlineData(200, "throttled", null, DeliveryErrorKind.RateLimited)] // 200 + "HTTP error 429" body
    [InlineData(500, null, null, DeliveryErrorKind.Transient)]
    [InlineData(502, null, null, DeliveryErrorKind.Transient)]
    [InlineData(401, null, null, DeliveryErrorKind.Auth)]
    [InlineData(404, null, null, DeliveryErrorKind.Permanent)]
    [InlineData(413, null, null, DeliveryErrorKind.Permanent)]
    public async Task Webhook_answers_are_classified(int status, string? body, int? retryAfter, DeliveryErrorKind? expected)
    {
        var reply = body == "throttled" ? TeamsReply.ThrottledBody() : new TeamsReply(status, body, retryAfter);
        await using var server = await FakeTeamsServer.StartAsync(new FakeTeamsOptions { Script = _ => reply });
        var client = new TeamsWebhookClient(new HttpClient(), new TeamsOptions(server.WebhookUrl, TeamsPayload.AdaptiveCard));
        var payload = new TeamsCardFormatter(TeamsPayload.AdaptiveCard).Format(TestBus.Alert("k"));
        if (expected is null)
        {
            await client.PostAsync(payload, CancellationToken.None);
            return;
        }
        var e = await Assert.ThrowsAsync<TeamsWebhookException>(() => client.PostAsync(payload, CancellationToken.None));
        Assert.Equal(expected, e.Kind);
        if (retryAfter is { } s) Assert.Equal(TimeSpan.FromSeconds(s), e.RetryAfter);
        Assert.DoesNotContain(server.Signature, e.ToString());
    }

    [Fact]
    public async Task The_fake_refuses_payloads_of_28_kb_and_the_client_never_sends_one()
    {
        await using var server = await FakeTeamsServer.StartAsync();
        var client = new TeamsWebhookClient(new HttpClient(), new TeamsOptions(server.WebhookUrl, TeamsPayload.AdaptiveCard));
        var big = new JsonObject { ["type"] = "message", ["text"] = new string('x', 30_000) };
        var e = await Assert.ThrowsAsync<TeamsWebhookException>(() => client.PostAsync(big, CancellationToken.None));
        Assert.Equal(DeliveryErrorKind.Permanent, e.Kind);
        Assert.Empty(server.Requests);
    }
}
