using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Tests.Infrastructure;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Pipeline;

/// <summary>Teams: Workflows (202), throttling as a 200 whose body says "HTTP error 429", and the secret webhook URL.</summary>
[Collection(InfraFixture.SecondLane)]
public sealed class TeamsTests(InfraFixture infra) : NotifierTestBase(infra)
{
    private int _posts;

    // Bad input: the first two posts are answered the legacy connector's way, 200 + "HTTP error 429" in the body.
    protected override FakeTeamsOptions TeamsOptions => new()
    {
        MessagesPerSecond = 1,
        Script = r => Interlocked.Increment(ref _posts) <= 2 ? TeamsReply.ThrottledBody() : null,
    };

    [Fact]
    public async Task A_throttled_200_body_is_waited_out_not_counted_as_an_attempt_and_the_webhook_url_is_never_logged_or_published()
    {
        var settings = Settings(slack: false, teams: true);
        var host = await StartNotifierAsync(settings);
        var alert = TestBus.Alert("teams:throttled");
        await Bus.Publish(alert);
        await TestBus.Until(() => !Bus.Delivered.IsEmpty, TimeSpan.FromSeconds(20), () => host.Logs.All());

        var delivered = Assert.Single(Bus.Delivered);
        Assert.Equal(DeliveryChannel.Teams, delivered.Channel);
        Assert.Equal("teams", delivered.Destination);
        Assert.Equal(1, delivered.Attempts);
        Assert.Equal(3, Teams.Requests.Count);
        var card = TeamsAccepted("teams:throttled").Single();
        Assert.Equal("message", card.Body!["type"]!.GetValue<string>());
        Assert.Equal("application/vnd.microsoft.card.adaptive", card.Body["attachments"]![0]!["contentType"]!.GetValue<string>());
        Assert.Contains(alert.CorrelationId.ToString(), card.Json);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), l => l.Message.Contains(Teams.Signature) || l.Message.Contains(Teams.WebhookUrl.AbsolutePath));
        Assert.Contains(host.Logs.GetSnapshot(), l => l.Message.Contains("rate limit"));
    }

    [Fact]
    public async Task Messagecard_format_is_posted_when_configured()
    {
        var settings = Settings(slack: false, teams: true);
        settings["TEAMS_PAYLOAD_FORMAT"] = "messagecard";
        await StartNotifierAsync(settings);
        await Bus.Publish(TestBus.Alert("teams:legacy"));
        await TestBus.Until(() => !Bus.Delivered.IsEmpty, TimeSpan.FromSeconds(20), () => $"{Teams.Requests.Count} posts");
        var card = TeamsAccepted("teams:legacy").Single();
        Assert.Equal("MessageCard", card.Body!["@type"]!.GetValue<string>());
    }
}
