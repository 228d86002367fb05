using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OpsBot.Bot.Slack;
using OpsBot.Slack;

namespace OpsBot.OpsBot.Tests.Unit;

/// <summary>The ops-bot's answer retry over the shared client: Retry-After is honoured in both of its forms; hopeless answers are not retried.</summary>
public sealed class SlackResponderTests
{
    /// <summary>Answers the scripted statuses in turn (200 once they run out) and notes when each call came.</summary>
    private sealed class ScriptedSlack(params Func<HttpResponseMessage>[] answers) : HttpMessageHandler
    {
        public List<TimeSpan> CallsAt { get; } = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (CallsAt)
            {
                CallsAt.Add(_clock.Elapsed);
                return Task.FromResult(CallsAt.Count <= answers.Length ? answers[CallsAt.Count - 1]() : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") });
            }
        }
    }

    private static SlackResponder Responder(ScriptedSlack slack) =>
        new(new SlackWebApi(new HttpClient(slack) { BaseAddress = new Uri("http://slack.test/api/") }, new SlackTokens("xoxb-1")), NullLogger<SlackResponder>.Instance);

    private static readonly Uri ResponseUrl = new("http://slack.test/response/1");

    /// <summary>
    /// Fails on the old SlackWebClient, which read only Retry-After seconds: a 429 whose Retry-After is a date 3 s
    /// ahead was retried after the 500 ms backoff. Now the retry waits for the date (the header has whole seconds: at
    /// least 2 s).
    /// </summary>
    [Fact]
    public async Task A_429_with_a_Retry_After_date_is_retried_after_that_date_not_after_the_backoff()
    {
        var slack = new ScriptedSlack(() =>
        {
            var answer = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
            answer.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddSeconds(3));
            return answer;
        });
        Assert.True(await Responder(slack).RespondAsync(ResponseUrl, new JsonObject { ["text"] = "hi" }, CancellationToken.None));
        Assert.Equal(2, slack.CallsAt.Count);
        Assert.True(slack.CallsAt[1] - slack.CallsAt[0] >= TimeSpan.FromSeconds(1.5), $"retried after {(slack.CallsAt[1] - slack.CallsAt[0]).TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_5xx_is_retried_and_the_answer_arrives()
    {
        var slack = new ScriptedSlack(() => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        Assert.True(await Responder(slack).RespondAsync(ResponseUrl, new JsonObject { ["text"] = "hi" }, CancellationToken.None));
        Assert.Equal(2, slack.CallsAt.Count);
    }

    /// <summary>An expired response_url (404) cannot start working: one call, no retries, reported as not answered.</summary>
    [Fact]
    public async Task A_404_from_an_expired_response_url_is_not_retried()
    {
        var slack = new ScriptedSlack(() => new HttpResponseMessage(HttpStatusCode.NotFound), () => new HttpResponseMessage(HttpStatusCode.NotFound));
        Assert.False(await Responder(slack).RespondAsync(ResponseUrl, new JsonObject { ["text"] = "hi" }, CancellationToken.None));
        Assert.Single(slack.CallsAt);
    }
}
