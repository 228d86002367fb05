using System.Text.Json.Nodes;
using OpsBot.FakeSlack;
using OpsBot.Notifier;
using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Slack;
using OpsBot.Testing;

namespace OpsBot.Notifier.Tests.Unit;

/// <summary>Slack's answers, classified: ok, HTTP 429 with Retry-After, ratelimited, auth errors, permanent errors, 5xx, a dead endpoint.</summary>
public sealed class SlackApiClientTests
{
    private static JsonObject Message(string channel = "C1") => new() { ["channel"] = channel, ["text"] = "hello" };

    private static async Task<(FakeSlackServer, SlackApiClient)> Start(Func<SlackRequest, SlackReply?>? script = null, string token = "xoxb-1")
    {
        var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { ExpectedToken = "xoxb-1", Script = script });
        var http = new HttpClient { BaseAddress = server.ApiUrl, Timeout = TimeSpan.FromSeconds(5) };
        return (server, new SlackApiClient(http, new SlackOptions(token, "C1", server.ApiUrl)));
    }

    [Fact]
    public async Task Ok_returns_the_message_ts_and_sends_the_bearer_token()
    {
        var (server, client) = await Start();
        await using var _ = server;
        var ts = await client.PostMessageAsync(Message(), CancellationToken.None);
        Assert.False(string.IsNullOrEmpty(ts));
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
        var (server, client) = await Start(_ => new SlackReply(status, error, retryAfter));
        await using var _ = server;
        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.PostMessageAsync(Message(), CancellationToken.None));
        Assert.Equal(expected, e.Kind);
        if (retryAfter is { } seconds) Assert.Equal(TimeSpan.FromSeconds(seconds), e.RetryAfter);
    }

    [Fact]
    public async Task A_wrong_token_is_an_auth_error_whose_message_does_not_contain_the_token()
    {
        var (server, client) = await Start(token: "xoxb-secret-wrong");
        await using var _ = server;
        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.PostMessageAsync(Message(), CancellationToken.None));
        Assert.Equal(DeliveryErrorKind.Auth, e.Kind);
        Assert.DoesNotContain("xoxb-secret-wrong", e.ToString());
    }

    [Fact]
    public async Task An_unreachable_slack_is_transient()
    {
        var port = ServiceProcess.FreePort();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/api/") };
        var client = new SlackApiClient(http, new SlackOptions("xoxb-1", "C1", http.BaseAddress));
        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.PostMessageAsync(Message(), CancellationToken.None));
        Assert.Equal(DeliveryErrorKind.Transient, e.Kind);
    }

    [Fact]
    public async Task The_fake_enforces_one_message_per_second_per_channel()
    {
        var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { MessagesPerSecondPerChannel = 1 });
        await using var _ = server;
        var http = new HttpClient { BaseAddress = server.ApiUrl };
        var client = new SlackApiClient(http, new SlackOptions("t", "C1", server.ApiUrl));
        await client.PostMessageAsync(Message("C1"), CancellationToken.None);
        await client.PostMessageAsync(Message("C2"), CancellationToken.None);
        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.PostMessageAsync(Message("C1"), CancellationToken.None));
        Assert.Equal(DeliveryErrorKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
    }
}
