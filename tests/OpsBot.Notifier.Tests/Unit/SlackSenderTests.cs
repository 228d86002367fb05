using System.Text.Json.Nodes;
using OpsBot.Contracts;
using OpsBot.FakeSlack;
using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Slack;
using OpsBot.Slack;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Unit;

/// <summary>
/// The notifier's Slack sender over the shared <see cref="SlackWebApi"/>: Slack's answers (ok, HTTP 429 with Retry-After,
/// ratelimited, auth errors, permanent errors, 5xx, a dead endpoint) reach the retry stage as the same
/// <see cref="DeliveryErrorKind"/>s the notifier's own client gave before it was replaced.
/// </summary>
public sealed class SlackSenderTests
{
    private static PreparedMessage Message(string channel = "C1") => new(new JsonObject { ["channel"] = channel, ["text"] = "hello" }, 1);

    private static SlackSender Sender(Uri apiUrl, string token, TimeSpan? timeout = null)
    {
        var options = new SlackOptions(token, "C1", apiUrl);
        var http = new HttpClient { BaseAddress = SlackWebApi.ApiBase(apiUrl), Timeout = timeout ?? TimeSpan.FromSeconds(5) };
        return new SlackSender(new SlackWebApi(http, new SlackTokens(token)), new SlackAlertFormatter(), options);
    }

    private static async Task<(FakeSlackServer, SlackSender)> Start(Func<SlackRequest, SlackReply?>? script = null, string token = "xoxb-1")
    {
        var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { ExpectedToken = "xoxb-1", Script = script });
        return (server, Sender(server.ApiUrl, token));
    }

    [Fact]
    public async Task Ok_returns_the_message_ts_and_sends_the_bearer_token()
    {
        var (server, sender) = await Start();
        await using var _ = server;
        var ts = await sender.SendAsync(Message(), CancellationToken.None);
        Assert.Equal(server.Messages.Single().Ts, ts);
        Assert.Equal("Bearer xoxb-1", server.Requests.Single().Authorization);
    }

    [Theory]
    [InlineData(429, "ratelimited", 7, DeliveryErrorKind.RateLimited)]
    [InlineData(200, "ratelimited", 3, DeliveryErrorKind.RateLimited)]
    [InlineData(200, "invalid_auth", null, DeliveryErrorKind.Auth)]
    [InlineData(200, "channel_not_found", null, DeliveryErrorKind.Permanent)]
    [InlineData(200, "not_in_channel", null, DeliveryErrorKind.Permanent)]
    [InlineData(200, "internal_error", null, DeliveryErrorKind.Transient)]
    [InlineData(500, null, null, DeliveryErrorKind.Transient)]
    [InlineData(503, null, null, DeliveryErrorKind.Transient)]
    [InlineData(400, null, null, DeliveryErrorKind.Permanent)]
    public async Task Errors_are_classified(int status, string? error, int? retryAfter, DeliveryErrorKind expected)
    {
        var (server, sender) = await Start(_ => new SlackReply(status, error, retryAfter));
        await using var _ = server;
        var e = await Assert.ThrowsAsync<DeliveryException>(() => sender.SendAsync(Message(), CancellationToken.None));
        Assert.Equal(expected, e.Kind);
        if (retryAfter is { } seconds) Assert.Equal(TimeSpan.FromSeconds(seconds), e.RetryAfter);
    }

    [Fact]
    public async Task A_wrong_token_is_an_auth_error_whose_message_does_not_contain_the_token()
    {
        var (server, sender) = await Start(token: "xoxb-secret-wrong");
        await using var _ = server;
        var e = await Assert.ThrowsAsync<DeliveryException>(() => sender.SendAsync(Message(), CancellationToken.None));
        Assert.Equal(DeliveryErrorKind.Auth, e.Kind);
        Assert.Equal(DeliveryFailureReason.Auth, e.Reason);
        Assert.DoesNotContain("xoxb-secret-wrong", e.ToString());
    }

    [Fact]
    public async Task An_unreachable_slack_is_transient()
    {
        var port = ServiceProcess.FreePort();
        var sender = Sender(new Uri($"http://127.0.0.1:{port}/api/"), "xoxb-1");
        var e = await Assert.ThrowsAsync<DeliveryException>(() => sender.SendAsync(Message(), CancellationToken.None));
        Assert.Equal(DeliveryErrorKind.Transient, e.Kind);
        Assert.Equal(DeliveryFailureReason.ServerError, e.Reason);
    }

    /// <summary>A call that outlives the HttpClient's timeout is Transient and counted as a timeout (<c>reason="timeout"</c>).</summary>
    [Fact]
    public async Task A_slack_that_does_not_answer_in_time_is_a_transient_timeout()
    {
        var release = new TaskCompletionSource();
        var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { Script = _ => { release.Task.Wait(TimeSpan.FromSeconds(30)); return null; } });
        await using var _ = server;
        try
        {
            var sender = Sender(server.ApiUrl, "xoxb-1", TimeSpan.FromMilliseconds(300));
            var e = await Assert.ThrowsAsync<DeliveryException>(() => sender.SendAsync(Message(), CancellationToken.None));
            Assert.Equal(DeliveryErrorKind.Transient, e.Kind);
            Assert.Equal(DeliveryFailureReason.Timeout, e.Reason);
        }
        finally { release.SetResult(); }
    }

    [Fact]
    public async Task The_fake_enforces_one_message_per_second_per_channel()
    {
        var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { MessagesPerSecondPerChannel = 1 });
        await using var _ = server;
        var sender = Sender(server.ApiUrl, "t");
        await sender.SendAsync(Message("C1"), CancellationToken.None);
        await sender.SendAsync(Message("C2"), CancellationToken.None);
        var e = await Assert.ThrowsAsync<DeliveryException>(() => sender.SendAsync(Message("C1"), CancellationToken.None));
        Assert.Equal(DeliveryErrorKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
        Assert.Equal(1, server.RateLimitedCountFor("C1"));
    }
}
