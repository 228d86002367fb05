using System.Net;
using System.Net.Sockets;
using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Pacing and storm folding against a Slack fake that allows 1 msg/s per channel and answers 429 + Retry-After beyond.</summary>
[Collection(InfraFixture.SecondLane)]
public sealed class PacingTests(InfraFixture infra) : NotifierTestBase(infra)
{
    private int _forced429;

    // Bad input: a 429 burst. The first six posts are refused with 429 + Retry-After: 1 whatever their pace.
    protected override FakeSlackOptions SlackOptions => new()
    {
        ExpectedToken = Token,
        MessagesPerSecondPerChannel = 1,
        Script = r => Interlocked.Increment(ref _forced429) <= 6 ? new SlackReply(429, "ratelimited", 1) : null,
    };

    [Fact]
    public async Task A_429_burst_loses_nothing_and_rate_limit_waits_are_not_counted_as_attempts()
    {
        await StartNotifierAsync(Settings());
        var alerts = Enumerable.Range(0, 40).Select(i => TestBus.Alert($"burst:key-{i:D2}")).ToList();
        foreach (var alert in alerts) await Bus.Publish(alert);

        await TestBus.Until(() => Bus.Delivered.Count >= 40, TimeSpan.FromSeconds(40), () => $"{Bus.Delivered.Count} of 40 delivered; slack saw {Slack.Requests.Count}");
        foreach (var alert in alerts)
        {
            Assert.Single(SlackAccepted($"burst:key-{alert.DedupKey[^2..]}"));
            Assert.NotEmpty(SlackAccepted(alert.CorrelationId.ToString())); // the correlation id travels with each alert
        }
        Assert.Equal(6, Slack.Requests.Count(r => r.Status == 429));
        Assert.All(Bus.Delivered, d => Assert.Equal(1, d.Attempts)); // waiting out a 429 is not an attempt
        Assert.Empty(Bus.Failed);
        Assert.True(SlackAccepted().Count < 40, "the pile-up was folded into digests");
    }
}
