using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace OpsBot.Slack.Tests;

/// <summary>
/// The one classification every Slack call shares (the notifier's former lists are the reference), Retry-After as
/// seconds and as a date, timeouts, dead endpoints, answers that are not JSON, and no secret in any exception.
/// </summary>
public sealed class SlackWebApiErrorTests
{
    private const string BotToken = "xoxb-SECRET-bot";
    private const string AppToken = "xapp-SECRET-app";
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 5, 0, 0, TimeSpan.Zero);
    private readonly RecordingHandler _slack = new();
    private readonly FakeTimeProvider _time = new(Now);

    private SlackWebApi Client(TimeSpan? timeout = null) =>
        new(new HttpClient(_slack) { BaseAddress = new Uri("https://slack.test/api/"), Timeout = timeout ?? TimeSpan.FromSeconds(30) }, new SlackTokens(BotToken, AppToken), _time);

    private Task<SlackApiException> Post(SlackWebApi? client = null) =>
        Assert.ThrowsAsync<SlackApiException>(() => (client ?? Client()).PostMessageAsync("C1", new JsonObject { ["text"] = "x" }, default));

    [Theory]
    [InlineData(200, "ratelimited", SlackErrorKind.RateLimited)]
    [InlineData(200, "invalid_auth", SlackErrorKind.Auth)]
    [InlineData(200, "not_authed", SlackErrorKind.Auth)]
    [InlineData(200, "token_revoked", SlackErrorKind.Auth)]
    [InlineData(200, "missing_scope", SlackErrorKind.Auth)]
    [InlineData(200, "channel_not_found", SlackErrorKind.Permanent)]
    [InlineData(200, "not_in_channel", SlackErrorKind.Permanent)]
    [InlineData(200, "is_archived", SlackErrorKind.Permanent)]
    [InlineData(200, "msg_too_long", SlackErrorKind.Permanent)]
    [InlineData(200, "invalid_blocks", SlackErrorKind.Permanent)]
    [InlineData(200, "message_not_found", SlackErrorKind.Permanent)]
    [InlineData(200, "cant_update_message", SlackErrorKind.Permanent)]
    [InlineData(200, "internal_error", SlackErrorKind.Transient)]
    [InlineData(200, "fatal_error", SlackErrorKind.Transient)]
    [InlineData(200, "something_new", SlackErrorKind.Transient)]
    public async Task Slack_error_codes_are_classified(int status, string error, SlackErrorKind expected)
    {
        _slack.Answer = _ => RecordingHandler.Json($$"""{"ok":false,"error":"{{error}}"}""", (HttpStatusCode)status);
        var e = await Post();
        Assert.Equal(expected, e.Kind);
        Assert.Equal(error, e.Error);
        Assert.Equal("chat.postMessage", e.Method);
        Assert.Contains($"Slack chat.postMessage failed: {error}", e.Message);
    }

    [Theory]
    [InlineData(500, SlackErrorKind.Transient)]
    [InlineData(502, SlackErrorKind.Transient)]
    [InlineData(503, SlackErrorKind.Transient)]
    [InlineData(401, SlackErrorKind.Auth)]
    [InlineData(403, SlackErrorKind.Auth)]
    [InlineData(400, SlackErrorKind.Permanent)]
    [InlineData(404, SlackErrorKind.Permanent)]
    [InlineData(410, SlackErrorKind.Permanent)]
    public async Task Http_statuses_are_classified_for_web_api_calls_and_response_urls(int status, SlackErrorKind expected)
    {
        _slack.Answer = _ => new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("<html>oops</html>") };
        var e = await Post();
        Assert.Equal(expected, e.Kind);
        Assert.Equal((HttpStatusCode)status, e.Status);
        Assert.Equal($"HTTP {status}", e.Error);

        var r = await Assert.ThrowsAsync<SlackApiException>(() => Client().RespondAsync(new Uri("https://hooks.slack.test/x"), new JsonObject(), default));
        Assert.Equal(expected, r.Kind);
        Assert.Equal("response_url", r.Method);
    }

    [Fact]
    public async Task A_429_with_Retry_After_seconds_is_rate_limited_for_that_long()
    {
        _slack.Answer = _ => WithRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)));
        var e = await Post();
        Assert.Equal(SlackErrorKind.RateLimited, e.Kind);
        Assert.Equal(HttpStatusCode.TooManyRequests, e.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
    }

    /// <summary>The ops-bot's former client dropped this one (it read only seconds); now every caller waits for the date.</summary>
    [Fact]
    public async Task A_429_with_Retry_After_as_a_date_waits_until_that_date()
    {
        _slack.Answer = _ => WithRetryAfter(new RetryConditionHeaderValue(Now.AddSeconds(42)));
        var e = await Post();
        Assert.Equal(SlackErrorKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(42), e.RetryAfter);

        var r = await Assert.ThrowsAsync<SlackApiException>(() => Client().RespondAsync(new Uri("https://hooks.slack.test/x"), new JsonObject(), default));
        Assert.Equal(TimeSpan.FromSeconds(42), r.RetryAfter);
    }

    [Fact]
    public async Task A_429_with_a_past_date_or_no_Retry_After_waits_the_default_second()
    {
        _slack.Answer = _ => WithRetryAfter(new RetryConditionHeaderValue(Now.AddSeconds(-5)));
        Assert.Equal(SlackWebApi.DefaultRetryAfter, (await Post()).RetryAfter);

        _slack.Answer = _ => WithRetryAfter(null);
        Assert.Equal(SlackWebApi.DefaultRetryAfter, (await Post()).RetryAfter);
    }

    [Fact]
    public async Task Ratelimited_in_an_ok_status_answer_takes_its_Retry_After()
    {
        _slack.Answer = _ =>
        {
            var answer = RecordingHandler.Json("""{"ok":false,"error":"ratelimited"}""");
            answer.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
            return answer;
        };
        var e = await Post();
        Assert.Equal(SlackErrorKind.RateLimited, e.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
    }

    [Fact]
    public async Task Errors_other_than_rate_limits_carry_no_Retry_After()
    {
        _slack.Answer = _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Headers = { RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(9)) } };
        Assert.Null((await Post()).RetryAfter);
    }

    [Fact]
    public async Task A_call_that_outlives_the_timeout_is_a_transient_timeout()
    {
        var slow = new SlowHandler();
        var client = new SlackWebApi(new HttpClient(slow) { BaseAddress = new Uri("https://slack.test/api/"), Timeout = TimeSpan.FromMilliseconds(200) }, new SlackTokens(BotToken));
        var e = await Post(client);
        Assert.Equal(SlackErrorKind.Transient, e.Kind);
        Assert.True(e.TimedOut);
        Assert.Equal("timeout", e.Error);
    }

    [Fact]
    public async Task The_callers_own_cancellation_is_not_turned_into_a_slack_error()
    {
        var client = new SlackWebApi(new HttpClient(new SlowHandler()) { BaseAddress = new Uri("https://slack.test/api/") }, new SlackTokens(BotToken));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PostMessageAsync("C1", new JsonObject { ["text"] = "x" }, cancel.Token));
    }

    [Fact]
    public async Task An_unreachable_slack_is_transient()
    {
        var client = new SlackWebApi(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}/api/") }, new SlackTokens(BotToken));
        var e = await Post(client);
        Assert.Equal(SlackErrorKind.Transient, e.Kind);
        Assert.StartsWith("connection failed", e.Error);
        Assert.False(e.TimedOut);
    }

    [Theory]
    [InlineData("<html>Bad gateway</html>")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public async Task An_answer_that_is_not_a_JSON_object_is_transient(string body)
    {
        _slack.Answer = _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) };
        var e = await Post();
        Assert.Equal(SlackErrorKind.Transient, e.Kind);
        Assert.Equal("answer is not a JSON object", e.Error);
    }

    /// <summary>ok without a ts: the message may well be posted, so no retry (Permanent) that could post it twice.</summary>
    [Fact]
    public async Task An_ok_post_without_a_ts_is_permanent_not_retried()
    {
        _slack.Answer = _ => RecordingHandler.Json("""{"ok":true}""");
        Assert.Equal(SlackErrorKind.Permanent, (await Post()).Kind);
    }

    /// <summary>Every method, every failure path: neither token nor the response_url's secret path appear in the exception (message, inner, stack).</summary>
    [Fact]
    public async Task No_token_or_response_url_appears_in_any_exception_text()
    {
        var responseUrl = new Uri($"http://127.0.0.1:{FreePort()}/actions/T1/SECRET-response-path");
        var answers = new Func<HttpRequestMessage, HttpResponseMessage>[]
        {
            _ => RecordingHandler.Json("""{"ok":false,"error":"invalid_auth"}"""),
            _ => WithRetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(1))),
            _ => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent(BotToken) },
            _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("not json " + BotToken) },
            _ => throw new HttpRequestException("connection reset", null, HttpStatusCode.BadGateway),
        };
        var texts = new List<string>();
        foreach (var answer in answers)
        {
            _slack.Answer = answer;
            var client = Client();
            texts.Add((await Post(client)).ToString());
            texts.Add((await Assert.ThrowsAsync<SlackApiException>(() => client.UpdateMessageAsync("C1", "1.2", new JsonObject { ["text"] = "x" }, default))).ToString());
            texts.Add((await Assert.ThrowsAsync<SlackApiException>(() => client.PostReplyAsync("C1", "1.2", new JsonObject { ["text"] = "x" }, true, default))).ToString());
            texts.Add((await Assert.ThrowsAsync<SlackApiException>(() => client.GetPermalinkAsync("C1", "1.2", default))).ToString());
            texts.Add((await Assert.ThrowsAsync<SlackApiException>(() => client.UserGroupMembersAsync("S1", default))).ToString());
            texts.Add((await Assert.ThrowsAsync<SlackApiException>(() => client.OpenSocketModeConnectionAsync(default))).ToString());
        }
        // A response_url that does not answer at all (a real refused connection, not a scripted one).
        var real = new SlackWebApi(new HttpClient(), new SlackTokens(BotToken, AppToken));
        texts.Add((await Assert.ThrowsAsync<SlackApiException>(() => real.RespondAsync(responseUrl, new JsonObject(), default))).ToString());

        Assert.Equal(answers.Length * 6 + 1, texts.Count);
        Assert.All(texts, text =>
        {
            Assert.DoesNotContain("SECRET", text);
            Assert.DoesNotContain("xoxb-", text);
            Assert.DoesNotContain("xapp-", text);
        });
    }

    private static HttpResponseMessage WithRetryAfter(RetryConditionHeaderValue? retryAfter)
    {
        var answer = RecordingHandler.Json("""{"ok":false,"error":"ratelimited"}""", HttpStatusCode.TooManyRequests);
        answer.Headers.RetryAfter = retryAfter;
        return answer;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers only when cancelled (an endpoint that hangs).</summary>
    private sealed class SlowHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new UnreachableException();
        }
    }
}
