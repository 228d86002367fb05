using System.Net;
using System.Text.Json.Nodes;
using OpsBot.Bot.Slack;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Slack;

/// <summary>
/// /slack/commands and /slack/interactions on the real broker and Redis: a correctly signed request is served;
/// anything else is 401 and runs nothing; refusals are counted and logged rate-limited.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class HttpEndpointTests(InfraFixture infra) : IAsyncLifetime
{
    private FakeSlackPlatform _slack = null!;
    private BrokerListener _broker = null!;
    private BotHost _bot = null!;

    public async Task InitializeAsync()
    {
        var vhost = await infra.CreateVirtualHostAsync();
        _broker = await BrokerListener.StartAsync(vhost);
        _slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        var settings = BotHost.OnInfra(BotHost.Settings(_slack), infra, vhost);
        settings.Remove("SLACK_APP_TOKEN"); // HTTP request URLs only
        _bot = await BotHost.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _slack.DisposeAsync();
        await _broker.DisposeAsync();
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
        await _broker.WaitAsync<SilenceRequested>(m => m.Matcher == "pnl-loss:*" && m.RequestedBy == "UADMIN1");
        Assert.Equal(0, _slack.ConnectionCount); // no Socket Mode without SLACK_APP_TOKEN
    }

    public static readonly string[] Spoilers = ["tampered body", "wrong secret", "stale timestamp", "future timestamp", "missing timestamp", "missing signature"];

    [Fact]
    public async Task Badly_signed_commands_are_refused_with_401_and_have_no_effect()
    {
        foreach (var spoiler in Spoilers)
        {
            var body = SlackPayloads.Form(SlackPayloads.SlashCommand("silence pnl-loss:* 2h", "UADMIN1", _slack.ResponseUrl("bad")));
            using var response = await _bot.Http.SendAsync(Spoil(Commands, body, spoiler));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, spoiler);
            Assert.Equal("", await response.Content.ReadAsStringAsync());
        }

        await MarkerAsync(); // everything before it has had its chance to show up
        Assert.Empty(_broker.Received<SilenceRequested>());
        Assert.All(_broker.Received<CommandAudited>(), a => Assert.Equal("UMARKER", a.User));
        Assert.Empty(_slack.Responses);
        Assert.Equal(Spoilers.Length, _bot.Get<RefusedRequests>().Total);
    }

    [Fact]
    public async Task Badly_signed_button_clicks_are_refused_with_401_and_have_no_effect()
    {
        foreach (var spoiler in Spoilers)
        {
            var body = SlackPayloads.InteractionForm(SlackPayloads.ButtonClick("opsbot_alert_ack", "pnl-loss:acct-1:momentum", "U777", _slack.ResponseUrl("click")));
            using var response = await _bot.Http.SendAsync(Spoil(Interactions, body, spoiler));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, spoiler);
        }

        await MarkerAsync();
        Assert.Empty(_broker.Received<AlertAcknowledged>());
        Assert.Empty(_slack.Responses);
    }

    /// <summary>
    /// Item 11: a flood of forged requests writes a bounded number of log lines (one per RefusedRequests.LogInterval,
    /// carrying the count it held back) while every single one is counted. Before, each wrote its own warning.
    /// </summary>
    [Fact]
    public async Task A_flood_of_badly_signed_requests_is_counted_in_full_but_logged_rate_limited()
    {
        const int flood = 300;
        var started = DateTime.UtcNow;
        var body = SlackPayloads.Form(SlackPayloads.SlashCommand("help", "UFORGER", _slack.ResponseUrl("forged")));
        await Parallel.ForEachAsync(Enumerable.Range(0, flood), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var response = await _bot.Http.SendAsync(SlackPayloads.Signed(Commands, body, "not-the-secret", DateTimeOffset.UtcNow), ct);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        });
        var elapsed = DateTime.UtcNow - started;

        Assert.Equal(flood, _bot.Get<RefusedRequests>().Total);
        var lines = _bot.Logs.Lines().Count(l => l.Contains("Refused /slack/commands from"));
        var allowed = 1 + (int)Math.Ceiling(elapsed / RefusedRequests.LogInterval);
        Assert.InRange(lines, 1, allowed);
        Assert.Contains(_bot.Logs.Lines(), l => l.Contains("Refused /slack/commands from") && l.Contains(": mismatch"));
    }

    [Fact]
    public async Task A_correctly_signed_button_click_acknowledges_the_alert_and_updates_it_in_place()
    {
        var click = SlackPayloads.ButtonClick("opsbot_alert_ack", "pnl-loss:acct-1:momentum", "U777", _slack.ResponseUrl("ack"), SlackPayloads.AlertMessage("pnl-loss:acct-1:momentum"));
        using var response = await _bot.Http.SendAsync(SlackPayloads.Signed(Interactions, SlackPayloads.InteractionForm(click), BotHost.SigningSecret, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _broker.WaitAsync<AlertAcknowledged>(m => m.DedupKey == "pnl-loss:acct-1:momentum" && m.AcknowledgedBy == "U777");
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
        await _broker.WaitAsync<CommandAudited>(m => m.Outcome == "refused" && m.User == "U777");

        var allowed = SlackPayloads.ButtonClick("opsbot_alert_silence_1h", "pnl-loss:acct-1:momentum", "UADMIN1", _slack.ResponseUrl("yes"), SlackPayloads.AlertMessage("pnl-loss:acct-1:momentum"));
        using (var r = await _bot.Http.SendAsync(SlackPayloads.Signed(Interactions, SlackPayloads.InteractionForm(allowed), BotHost.SigningSecret, DateTimeOffset.UtcNow)))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var update = await _slack.WaitForCallAsync(c => c.Path == "/response/yes", TimeSpan.FromSeconds(10));
        Assert.Contains("Silenced for 1 h by <@UADMIN1>", update.Body!["blocks"]!.AsArray()[^1]!["elements"]![0]!["text"]!.GetValue<string>());
        await _broker.WaitAsync<CommandAudited>(m => m.Outcome == "allowed" && m.User == "UADMIN1");
        var silence = Assert.Single(_broker.Received<SilenceRequested>());
        Assert.Equal("pnl-loss:acct-1:momentum", silence.Matcher);
        Assert.InRange(silence.Until - silence.Timestamp, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    /// <summary>A correctly signed command after the ones under test; its audit event arriving is the sentinel.</summary>
    private async Task MarkerAsync()
    {
        var body = SlackPayloads.Form(SlackPayloads.SlashCommand("help", "UMARKER", _slack.ResponseUrl("marker")));
        using var response = await _bot.Http.SendAsync(SlackPayloads.Signed(Commands, body, BotHost.SigningSecret, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _broker.WaitAsync<CommandAudited>(m => m.User == "UMARKER");
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
