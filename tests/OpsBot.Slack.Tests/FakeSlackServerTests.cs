using System.Text.Json.Nodes;
using OpsBot.FakeSlack;

namespace OpsBot.Slack.Tests;

/// <summary>
/// The fake Slack the notifier, ops-bot and end-to-end tests post to, driven through the shared client: thread replies
/// apart from top-level messages, edits by channel + ts, stable permalinks, user groups, and the optional per-channel
/// rate limit with its 429 counters.
/// </summary>
public sealed class FakeSlackServerTests
{
    private static SlackWebApi Client(FakeSlackServer server, string token = "xoxb-1") =>
        new(new HttpClient { BaseAddress = server.ApiUrl, Timeout = TimeSpan.FromSeconds(30) }, new SlackTokens(token));

    private static JsonObject Text(string text) => new() { ["text"] = text };

    [Fact]
    public async Task Thread_replies_are_recorded_apart_from_top_level_messages_and_edits_by_channel_and_ts()
    {
        await using var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { ExpectedToken = "xoxb-1" });
        var slack = Client(server);

        var first = await slack.PostMessageAsync("C1", Text("🔴 firing"), default);
        var other = await slack.PostMessageAsync("C1", Text("another incident"), default);
        var reply = await slack.PostReplyAsync("C1", first.Ts, Text("escalated to critical"), broadcast: true, default);
        await slack.UpdateMessageAsync("C1", first.Ts, Text("🔴 firing ×2"), default);
        await slack.UpdateMessageAsync("C1", first.Ts, Text("✅ resolved"), default);

        Assert.Equal([first.Ts, other.Ts], server.Messages.Select(m => m.Ts));
        var thread = Assert.Single(server.RepliesTo("C1", first.Ts));
        Assert.Equal(reply.Ts, thread.Ts);
        Assert.True(thread.Broadcast);
        Assert.Equal("escalated to critical", thread.Text);
        Assert.Empty(server.RepliesTo("C1", other.Ts));
        Assert.Equal(["🔴 firing ×2", "✅ resolved"], server.UpdatesOf("C1", first.Ts).Select(u => u.Text));
        Assert.Empty(server.UpdatesOf("C1", other.Ts));
        Assert.Equal("✅ resolved", server.CurrentMessage("C1", first.Ts)?["text"]?.GetValue<string>());
        Assert.Equal("another incident", server.CurrentMessage("C1", other.Ts)?["text"]?.GetValue<string>());
    }

    [Fact]
    public async Task Editing_a_message_that_does_not_exist_is_message_not_found()
    {
        await using var server = await FakeSlackServer.StartAsync();
        var e = await Assert.ThrowsAsync<SlackApiException>(() => Client(server).UpdateMessageAsync("C1", "1.000001", Text("x"), default));
        Assert.Equal("message_not_found", e.Error);
        Assert.Equal(SlackErrorKind.Permanent, e.Kind);
        Assert.Empty(server.Updates);
    }

    [Fact]
    public async Task A_permalink_is_stable_per_message_and_unknown_messages_have_none()
    {
        await using var server = await FakeSlackServer.StartAsync();
        var slack = Client(server);
        var posted = await slack.PostMessageAsync("C9", Text("x"), default);

        var link = await slack.GetPermalinkAsync("C9", posted.Ts, default);
        Assert.Equal(link, await slack.GetPermalinkAsync("C9", posted.Ts, default));
        Assert.Equal(server.PermalinkOf("C9", posted.Ts), link);
        Assert.Contains("/archives/C9/p", link.ToString());
        var e = await Assert.ThrowsAsync<SlackApiException>(() => slack.GetPermalinkAsync("C9", "9.999999", default));
        Assert.Equal("message_not_found", e.Error);
    }

    [Fact]
    public async Task User_groups_answer_their_members()
    {
        await using var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { UserGroups = new Dictionary<string, string[]> { ["SONCALL"] = ["U1", "U2"] } });
        var slack = Client(server);
        Assert.Equal(["U1", "U2"], await slack.UserGroupMembersAsync("SONCALL", default));
        server.SetUserGroup("SDESK", "U3");
        Assert.Equal(["U3"], await slack.UserGroupMembersAsync("SDESK", default));
        Assert.Equal("no_such_subteam", (await Assert.ThrowsAsync<SlackApiException>(() => slack.UserGroupMembersAsync("SNONE", default))).Error);
    }

    [Fact]
    public async Task The_rate_limit_answers_429_with_Retry_After_beyond_N_a_second_per_channel_and_counts_them()
    {
        await using var server = await FakeSlackServer.StartAsync(new FakeSlackOptions { MessagesPerSecondPerChannel = 2 });
        var slack = Client(server);
        var first = await slack.PostMessageAsync("C1", Text("1"), default);
        await slack.PostReplyAsync("C1", first.Ts, Text("2"), false, default); // a thread reply counts too
        await slack.PostMessageAsync("C2", Text("other channel"), default);

        var e = await Assert.ThrowsAsync<SlackApiException>(() => slack.PostMessageAsync("C1", Text("3"), default));
        Assert.Equal(SlackErrorKind.RateLimited, e.Kind);
        Assert.True(e.RetryAfter >= TimeSpan.FromSeconds(1));
        await slack.UpdateMessageAsync("C1", first.Ts, Text("edits are not paced"), default);

        Assert.Equal(1, server.RateLimitedCount);
        Assert.Equal(1, server.RateLimitedCountFor("C1"));
        Assert.Equal(0, server.RateLimitedCountFor("C2"));
        Assert.Single(server.Messages, m => m.Channel == "C1");

        await Task.Delay(e.RetryAfter!.Value); // Slack's advice: after it the channel has room again
        await slack.PostMessageAsync("C1", Text("3 again"), default);
        Assert.Equal(1, server.RateLimitedCount);
    }

    [Fact]
    public async Task Without_a_rate_limit_no_post_is_refused()
    {
        await using var server = await FakeSlackServer.StartAsync();
        var slack = Client(server);
        for (var i = 0; i < 20; i++) await slack.PostMessageAsync("C1", Text($"{i}"), default);
        Assert.Equal(20, server.Messages.Count);
        Assert.Equal(0, server.RateLimitedCount);
    }
}
