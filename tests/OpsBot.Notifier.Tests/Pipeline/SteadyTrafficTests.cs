using System.Net;
using System.Net.Sockets;
using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Steady traffic faster than the channel allows is paced (never a 429) and folded into digests.</summary>
public sealed class SteadyTrafficTests(InfraFixture infra) : NotifierTestBase(infra)
{
    [Fact]
    public async Task Steady_traffic_above_the_pace_draws_no_429_and_pile_ups_fold_into_one_digest_message()
    {
        await StartNotifierAsync(Settings());
        // Four alerts a second for four seconds, on a channel that takes one message a second.
        for (var i = 0; i < 16; i++)
        {
            await Bus.Publish(TestBus.Alert($"steady:key-{i:D2}"));
            await Task.Delay(250);
        }
        await TestBus.Until(() => Bus.Delivered.Count >= 16, TimeSpan.FromSeconds(20), () => $"{Bus.Delivered.Count} of 16 delivered");
        Assert.DoesNotContain(Slack.Requests, r => r.Status == 429);
        Assert.InRange(Slack.Requests.Count, 3, 8);
        var digest = Slack.Requests.First(r => r.Text?.Contains("alerts in the last") == true);
        Assert.Matches(@"^\d+ alerts in the last \d+ s: ", digest.Text);
        for (var i = 0; i < 16; i++) Assert.Single(SlackAccepted($"steady:key-{i:D2}"));
        var gaps = Slack.Requests.Zip(Slack.Requests.Skip(1), (x, y) => y.At - x.At);
        Assert.All(gaps, g => Assert.True(g >= TimeSpan.FromSeconds(1), $"gap {g.TotalMilliseconds} ms"));
    }
}
