using System.Net;
using System.Text.Json.Nodes;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;

namespace OpsBot.OpsBot.Tests.Slack;

/// <summary>/slack/commands and /slack/interactions: a correctly signed request is served; anything else is 401 and runs nothing.</summary>
public sealed class HttpEndpointTests : IAsyncLifetime
{
    private FakeSlackPlatform _slack = null!;
    private BotHost _bot = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        var settings = BotHost.Settings(_slack);
        settings.Remove("SLACK_APP_TOKEN"); // HTTP request URLs only
        _bot = await BotHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private Uri Commands => new(_bot.BaseUrl, "slack/commands");
    private Uri Interactions => new(_bot.BaseUrl, "slack/interactions");

    [Fact]
    public async Task A_correctly_signed_command_is_answered()
    {
        var body = SlackPayloads.Form(SlackPayloads.SlashCommand("silence pnl-loss:* 2h", "UADMIN1", _slack.ResponseUrl("ok")));
        using var response = await _bot.Http.SendAsync(SlackPayloads.Signed(Commands, body, BotHost.SigningSecret, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("silenced until", answer["text"]!.GetValue<string>());
        await _bot.WaitPublishedAsync<SilenceRequested>(m => m.Matcher == "pnl-loss:*" && m.RequestedBy == "UADMIN1");
        Assert.Equal(0, _slack.ConnectionCount); // no Socket Mode without SLACK_APP_TOKEN
    }

    public static TheoryData<string> Spoilers => ["tampered body", "wrong secret", "stale timestamp", "future timestamp", "missing timestamp", "missing signature"];

    [Theory]
    [MemberData(nameof(Spoilers))]
    public async Task A_badly_signed_command_is_refused_with_401_and_has_no_effect(string spoiler)
    {
        var body = SlackPayloads.Form(SlackPayloads.SlashCommand("silence pnl-loss:* 2h", "UADMIN1", _slack.ResponseUrl("bad")));
        using var request = Spoil(Commands, body, spoiler);
        using var response = await _bot.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        await Task.Delay(300);
        Assert.Empty(_bot.Published<SilenceRequested>());
        Assert.Empty(_bot.Published<CommandAudited>());
        Assert.Empty(_slack.Responses);
    }

    [Theory]
    [MemberData(nameof(Spoilers))]
    public async Task A_badly_signed_button_click_is_refused_with_401_and_has_no_effect(string spoiler)
    {
        var body = SlackPayloads.InteractionForm(SlackPayloads.ButtonClick("opsbot_alert_ack", "pnl-loss:acct-1:momentum", "U777", _slack.ResponseUrl("click")));
        using var response = await _bot.Http.SendAsync(Spoil(Interactions, body, spoiler));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await Task.Delay(300);
        Assert.Empty(_bot.Published<AlertAcknowledged>());
        Assert.Empty(_slack.Responses);
    }

    [Fact]
    public async Task A_correctly_signed_button_click_acknowledges_the_alert_and_updates_it_in_place()
    {
        var click = SlackPayloads.ButtonClick("opsbot_alert_ack", "pnl-loss:acct-1:momentum", "U777", _slack.ResponseUrl("ack"), SlackPayloads.AlertMessage("pnl-loss:acct-1:momentum"));
        using var response = await _bot.Http.SendAsync(SlackPayloads.Signed(Interactions, SlackPayloads.InteractionForm(click), BotHost.SigningSecret, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _bot.WaitPublishedAsync<AlertAcknowledged>(m => m.DedupKey == "pnl-loss:acct-1:momentum" && m.AcknowledgedBy == "U777");
        var update = await _slack.WaitForCallAsync(c => c.Path == "/response/ack", TimeSpan.FromSeconds(10));
        Assert.True(update.Body!["replace_original"]!.GetValue<bool>());
        var blocks = update.Body["blocks"]!.AsArray();
        Assert.DoesNotContain(blocks, b => b!["type"]!.GetValue<string>() == "actions"); // buttons gone
        Assert.Contains(blocks, b => b!["type"]!.GetValue<string>() == "header"); // the alert itself kept
        Assert.Contains("Acknowledged by <@U777>", blocks[^1]!["elements"]![0]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Silence_1h_button_publishes_a_silence_for_admins_and_refuses_others()
    {
        var refused = SlackPayloads.ButtonClick("opsbot_alert_silence_1h", "pnl-loss:acct-1:momentum", "U777", _slack.ResponseUrl("no"), SlackPayloads.AlertMessage("pnl-loss:acct-1:momentum"));
        using (var r = await _bot.Http.SendAsync(SlackPayloads.Signed(Interactions, SlackPayloads.InteractionForm(refused), BotHost.SigningSecret, DateTimeOffset.UtcNow)))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var refusal = await _slack.WaitForCallAsync(c => c.Path == "/response/no", TimeSpan.FromSeconds(10));
        Assert.Equal("ephemeral", refusal.Body!["response_type"]!.GetValue<string>());
        Assert.False(refusal.Body["replace_original"]!.GetValue<bool>());
        await _bot.WaitPublishedAsync<CommandAudited>(m => m.Outcome == "refused" && m.User == "U777");

        var allowed = SlackPayloads.ButtonClick("opsbot_alert_silence_1h", "pnl-loss:acct-1:momentum", "UADMIN1", _slack.ResponseUrl("yes"), SlackPayloads.AlertMessage("pnl-loss:acct-1:momentum"));
        using (var r = await _bot.Http.SendAsync(SlackPayloads.Signed(Interactions, SlackPayloads.InteractionForm(allowed), BotHost.SigningSecret, DateTimeOffset.UtcNow)))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var update = await _slack.WaitForCallAsync(c => c.Path == "/response/yes", TimeSpan.FromSeconds(10));
        Assert.Contains("Silenced for 1 h by <@UADMIN1>", update.Body!["blocks"]!.AsArray()[^1]!["elements"]![0]!["text"]!.GetValue<string>());
        var silence = Assert.Single(_bot.Published<SilenceRequested>());
        Assert.Equal("pnl-loss:acct-1:momentum", silence.Matcher);
        Assert.InRange(silence.Until - silence.Timestamp, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    private static HttpRequestMessage Spoil(Uri url, string body, string spoiler) => spoiler switch
    {
        "tampered body" => SlackPayloads.Signed(url, body, BotHost.SigningSecret, DateTimeOffset.UtcNow, bodyOnTheWire: body.Replace("UADMIN1", "UADMIN2").Replace("U777", "U778")),
        "wrong secret" => SlackPayloads.Signed(url, body, "not-the-secret", DateTimeOffset.UtcNow),
        "stale timestamp" => SlackPayloads.Signed(url, body, BotHost.SigningSecret, DateTimeOffset.UtcNow.AddMinutes(-6)),
        "future timestamp" => SlackPayloads.Signed(url, body, BotHost.SigningSecret, DateTimeOffset.UtcNow.AddMinutes(6)),
        "missing timestamp" => SlackPayloads.Signed(url, body, BotHost.SigningSecret, DateTimeOffset.UtcNow, withTimestamp: false),
        "missing signature" => SlackPayloads.Signed(url, body, BotHost.SigningSecret, DateTimeOffset.UtcNow, withSignature: false),
        _ => throw new ArgumentOutOfRangeException(nameof(spoiler)),
    };
}
