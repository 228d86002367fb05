using System.Text.Json.Nodes;

namespace OpsBot.Slack.Tests;

/// <summary>What each method sends: verb, URL, which token, content type and body; and what it returns.</summary>
public sealed class SlackWebApiRequestTests
{
    private const string BotToken = "xoxb-bot-1";
    private const string AppToken = "xapp-app-1";
    private readonly RecordingHandler _slack = new();

    private SlackWebApi Client(string? appToken = AppToken) =>
        new(new HttpClient(_slack) { BaseAddress = SlackWebApi.ApiBase(new Uri("https://slack.test/api")) }, new SlackTokens(BotToken, appToken));

    private SentRequest Sent => Assert.Single(_slack.Sent);
    private JsonObject SentBody => (JsonObject)JsonNode.Parse(Sent.Body!)!;

    [Fact]
    public async Task PostMessage_posts_json_with_the_bot_token_and_returns_channel_and_ts()
    {
        var message = new JsonObject { ["text"] = "hello", ["blocks"] = new JsonArray() };
        var posted = await Client().PostMessageAsync("C1", message, default);

        Assert.Equal(new SlackMessageRef("C1", "1700000000.000100"), posted);
        Assert.Equal(HttpMethod.Post, Sent.Method);
        Assert.Equal("https://slack.test/api/chat.postMessage", Sent.Url.ToString());
        Assert.Equal($"Bearer {BotToken}", Sent.Authorization);
        Assert.Equal("application/json", Sent.ContentType);
        Assert.Equal("C1", SentBody["channel"]!.GetValue<string>());
        Assert.Equal("hello", SentBody["text"]!.GetValue<string>());
        Assert.Null(SentBody["thread_ts"]);
        Assert.Null(message["channel"]); // the caller's message is not changed
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PostReply_posts_in_the_thread_and_broadcasts_only_when_asked(bool broadcast)
    {
        _slack.Answer = _ => RecordingHandler.Json("""{"ok":true,"channel":"C1","ts":"1700000001.000200"}""");
        var reply = await Client().PostReplyAsync("C1", "1700000000.000100", new JsonObject { ["text"] = "resolved" }, broadcast, default);

        Assert.Equal(new SlackMessageRef("C1", "1700000001.000200"), reply);
        Assert.Equal("https://slack.test/api/chat.postMessage", Sent.Url.ToString());
        Assert.Equal($"Bearer {BotToken}", Sent.Authorization);
        Assert.Equal("1700000000.000100", SentBody["thread_ts"]!.GetValue<string>());
        Assert.Equal(broadcast, SentBody["reply_broadcast"]?.GetValue<bool>() ?? false);
    }

    [Fact]
    public async Task UpdateMessage_posts_chat_update_with_channel_and_ts()
    {
        _slack.Answer = _ => RecordingHandler.Json("""{"ok":true,"channel":"C1","ts":"1700000000.000100","text":"edited"}""");
        var updated = await Client().UpdateMessageAsync("C1", "1700000000.000100", new JsonObject { ["text"] = "edited", ["blocks"] = new JsonArray() }, default);

        Assert.Equal(new SlackMessageRef("C1", "1700000000.000100"), updated);
        Assert.Equal(HttpMethod.Post, Sent.Method);
        Assert.Equal("https://slack.test/api/chat.update", Sent.Url.ToString());
        Assert.Equal($"Bearer {BotToken}", Sent.Authorization);
        Assert.Equal("C1", SentBody["channel"]!.GetValue<string>());
        Assert.Equal("1700000000.000100", SentBody["ts"]!.GetValue<string>());
        Assert.Equal("edited", SentBody["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdateMessage_keeps_the_ts_it_edited_when_the_answer_has_none()
    {
        _slack.Answer = _ => RecordingHandler.Json("""{"ok":true}""");
        var updated = await Client().UpdateMessageAsync("C1", "1700000000.000100", new JsonObject { ["text"] = "edited" }, default);
        Assert.Equal(new SlackMessageRef("C1", "1700000000.000100"), updated);
    }

    [Fact]
    public async Task GetPermalink_gets_with_channel_and_message_ts_and_returns_the_link()
    {
        _slack.Answer = _ => RecordingHandler.Json("""{"ok":true,"channel":"C1","permalink":"https://acme.slack.com/archives/C1/p1700000000000100"}""");
        var link = await Client().GetPermalinkAsync("C1", "1700000000.000100", default);

        Assert.Equal(new Uri("https://acme.slack.com/archives/C1/p1700000000000100"), link);
        Assert.Equal(HttpMethod.Get, Sent.Method);
        Assert.Equal("https://slack.test/api/chat.getPermalink?channel=C1&message_ts=1700000000.000100", Sent.Url.ToString());
        Assert.Equal($"Bearer {BotToken}", Sent.Authorization);
        Assert.Null(Sent.Body);
    }

    [Fact]
    public async Task UserGroupMembers_gets_the_group_and_returns_its_user_ids()
    {
        _slack.Answer = _ => RecordingHandler.Json("""{"ok":true,"users":["U1","U2"]}""");
        var members = await Client().UserGroupMembersAsync("S0 1", default);

        Assert.Equal(["U1", "U2"], members);
        Assert.Equal(HttpMethod.Get, Sent.Method);
        Assert.Equal("https://slack.test/api/usergroups.users.list?usergroup=S0%201", Sent.Url.AbsoluteUri);
        Assert.Equal($"Bearer {BotToken}", Sent.Authorization);
    }

    [Fact]
    public async Task OpenSocketModeConnection_posts_with_the_app_token_and_returns_the_websocket_url()
    {
        _slack.Answer = _ => RecordingHandler.Json("""{"ok":true,"url":"wss://wss.slack.test/link/?ticket=t1"}""");
        var url = await Client().OpenSocketModeConnectionAsync(default);

        Assert.Equal(new Uri("wss://wss.slack.test/link/?ticket=t1"), url);
        Assert.Equal(HttpMethod.Post, Sent.Method);
        Assert.Equal("https://slack.test/api/apps.connections.open", Sent.Url.ToString());
        Assert.Equal($"Bearer {AppToken}", Sent.Authorization);
        Assert.Equal("application/x-www-form-urlencoded", Sent.ContentType);
    }

    [Theory]
    [InlineData("""{"ok":true,"url":42}""")]
    [InlineData("""{"ok":true,"url":"https://not-a-socket.test/"}""")]
    [InlineData("""{"ok":true}""")]
    public async Task OpenSocketModeConnection_without_a_websocket_url_is_a_SlackApiException(string answer)
    {
        _slack.Answer = _ => RecordingHandler.Json(answer);
        var e = await Assert.ThrowsAsync<SlackApiException>(() => Client().OpenSocketModeConnectionAsync(default));
        Assert.Equal("apps.connections.open", e.Method);
        Assert.Equal(SlackErrorKind.Transient, e.Kind);
    }

    [Fact]
    public async Task OpenSocketModeConnection_without_an_app_token_calls_nothing()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => Client(appToken: null).OpenSocketModeConnectionAsync(default));
        Assert.Empty(_slack.Sent);
    }

    [Fact]
    public async Task Respond_posts_json_to_the_response_url_without_a_token()
    {
        _slack.Answer = _ => new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("ok") };
        await Client().RespondAsync(new Uri("https://hooks.slack.test/actions/T1/123/secret"), new JsonObject { ["text"] = "done", ["replace_original"] = true }, default);

        Assert.Equal(HttpMethod.Post, Sent.Method);
        Assert.Equal("https://hooks.slack.test/actions/T1/123/secret", Sent.Url.ToString());
        Assert.Null(Sent.Authorization);
        Assert.Equal("application/json", Sent.ContentType);
        Assert.True(SentBody["replace_original"]!.GetValue<bool>());
    }

    [Fact]
    public void Tokens_never_print()
    {
        var text = new SlackTokens(BotToken, AppToken).ToString();
        Assert.DoesNotContain(BotToken, text);
        Assert.DoesNotContain(AppToken, text);
    }
}
