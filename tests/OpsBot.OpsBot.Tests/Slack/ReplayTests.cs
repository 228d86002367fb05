using System.Net;
using System.Text.Json.Nodes;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Slack;

/// <summary>
/// Item 6: two ops-bot replicas on one Redis and one broker. A signed request runs once whichever replica it
/// reaches and however often it is sent: a replay (same signature) is refused, a Slack retry (same trigger_id,
/// X-Slack-Retry-Num) is acknowledged without running, a kill-switch confirmation is spent once across
/// replicas. Each test fails on the code before: replicas shared nothing and signatures were not remembered.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class ReplayTests(InfraFixture infra) : IAsyncLifetime
{
    private FakeSlackPlatform _slack = null!;
    private BrokerListener _broker = null!;
    private BotHost _a = null!;
    private BotHost _b = null!;

    public async Task InitializeAsync()
    {
        var vhost = await infra.CreateVirtualHostAsync();
        _broker = await BrokerListener.StartAsync(vhost);
        _slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        var prefix = $"test:{Guid.NewGuid():N}:";
        _a = await BotHost.StartAsync(HttpOnly(BotHost.OnInfra(BotHost.Settings(_slack), infra, vhost, prefix)));
        _b = await BotHost.StartAsync(HttpOnly(BotHost.OnInfra(BotHost.Settings(_slack), infra, vhost, prefix)));
    }

    private static Dictionary<string, string?> HttpOnly(Dictionary<string, string?> settings)
    {
        settings.Remove("SLACK_APP_TOKEN");
        return settings;
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _slack.DisposeAsync();
        await _broker.DisposeAsync();
    }

    private static Uri Commands(BotHost bot) => new(bot.BaseUrl, "slack/commands");
    private static Uri Interactions(BotHost bot) => new(bot.BaseUrl, "slack/interactions");

    [Fact]
    public async Task A_replayed_signed_request_is_refused_on_every_replica()
    {
        var body = SlackPayloads.Form(SlackPayloads.SlashCommand("silence pnl-loss:* 2h", "UADMIN1", _slack.ResponseUrl("first")));
        var at = DateTimeOffset.UtcNow;
        using (var first = await _a.Http.SendAsync(SlackPayloads.Signed(Commands(_a), body, BotHost.SigningSecret, at)))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // the captured request, byte for byte, to the other replica and to the same one
        using (var replay = await _b.Http.SendAsync(SlackPayloads.Signed(Commands(_b), body, BotHost.SigningSecret, at)))
            Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        using (var again = await _a.Http.SendAsync(SlackPayloads.Signed(Commands(_a), body, BotHost.SigningSecret, at)))
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);

        await MarkerAsync(_b);
        Assert.Single(_broker.Received<SilenceRequested>());
        Assert.Contains(_b.Logs.Lines(), l => l.Contains("Refused /slack/commands from") && l.Contains(": replayed"));
    }

    [Fact]
    public async Task A_Slack_retry_of_a_command_is_acknowledged_but_not_run_twice()
    {
        var payload = SlackPayloads.SlashCommand("silence pnl-loss:* 2h", "UADMIN1", _slack.ResponseUrl("retried"));
        var body = SlackPayloads.Form(payload);
        using (var first = await _a.Http.SendAsync(SlackPayloads.Signed(Commands(_a), body, BotHost.SigningSecret, DateTimeOffset.UtcNow.AddSeconds(-2))))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        // Slack signs its retry afresh and marks it; the trigger_id is the same
        using (var retry = await _b.Http.SendAsync(SlackPayloads.Signed(Commands(_b), body, BotHost.SigningSecret, DateTimeOffset.UtcNow, retryNum: 1)))
        {
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal("", await retry.Content.ReadAsStringAsync());
        }

        await MarkerAsync(_a);
        Assert.Single(_broker.Received<SilenceRequested>());
        Assert.Single(_broker.Received<CommandAudited>(), a => a.User == "UADMIN1");
    }

    [Fact]
    public async Task A_double_click_on_a_kill_switch_confirmation_publishes_once_across_replicas()
    {
        var body = SlackPayloads.Form(SlackPayloads.SlashCommand("killswitch engage venue-a", "UADMIN1", _slack.ResponseUrl("ask")));
        using var asked = await _a.Http.SendAsync(SlackPayloads.Signed(Commands(_a), body, BotHost.SigningSecret, DateTimeOffset.UtcNow));
        var answer = JsonNode.Parse(await asked.Content.ReadAsStringAsync())!.AsObject();
        var token = ConfirmToken(answer);

        // two clicks (Slack spreads them over replicas), each a genuine, differently signed request
        var clicks = new[] { (_a, "click-a"), (_b, "click-b") }.Select(async c =>
        {
            var (bot, id) = c;
            var click = SlackPayloads.InteractionForm(SlackPayloads.ButtonClick("opsbot_killswitch_confirm", token, "UADMIN1", _slack.ResponseUrl(id)));
            using var response = await bot.Http.SendAsync(SlackPayloads.Signed(Interactions(bot), click, BotHost.SigningSecret, DateTimeOffset.UtcNow));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });
        await Task.WhenAll(clicks);
        var a = await _slack.WaitForCallAsync(c => c.Path == "/response/click-a", TimeSpan.FromSeconds(30));
        var b = await _slack.WaitForCallAsync(c => c.Path == "/response/click-b", TimeSpan.FromSeconds(30));

        await _broker.WaitAsync<KillSwitchRequested>();
        await MarkerAsync(_a);
        Assert.Single(_broker.Received<KillSwitchRequested>());
        var texts = new[] { a, b }.Select(c => c.Body!["text"]!.GetValue<string>()).ToList();
        Assert.Single(texts, t => t.Contains("Kill switch ENGAGE for *venue-a* requested by <@UADMIN1>"));
        Assert.Single(texts, t => t.Contains("already used"));
    }

    [Fact]
    public async Task With_Redis_unreachable_a_signed_request_is_refused_and_runs_nothing()
    {
        var vhost = await infra.CreateVirtualHostAsync();
        var settings = HttpOnly(BotHost.OnInfra(BotHost.Settings(_slack), infra, vhost));
        settings["REDIS_URL"] = BotHost.NoRedis;
        await using var bot = await BotHost.StartAsync(settings);
        var body = SlackPayloads.Form(SlackPayloads.SlashCommand("silence pnl-loss:* 2h", "UADMIN1", _slack.ResponseUrl("noredis")));

        using var response = await bot.Http.SendAsync(SlackPayloads.Signed(Commands(bot), body, BotHost.SigningSecret, DateTimeOffset.UtcNow));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode); // cannot rule out a replay: refused
        Assert.Equal(1, bot.Get<global::OpsBot.Bot.Slack.RefusedRequests>().Total); // counted as refused, so nothing ran
        Assert.Contains(bot.Logs.Lines(), l => l.Contains("replay-check-unavailable"));
    }

    private static string ConfirmToken(JsonObject answer) =>
        answer["blocks"]!.AsArray().SelectMany(b => b!["elements"]?.AsArray() ?? []).First(e => e!["action_id"]!.GetValue<string>() == "opsbot_killswitch_confirm")!["value"]!.GetValue<string>();

    private async Task MarkerAsync(BotHost bot)
    {
        var body = SlackPayloads.Form(SlackPayloads.SlashCommand("help", "UMARKER", _slack.ResponseUrl("marker")));
        using var response = await bot.Http.SendAsync(SlackPayloads.Signed(Commands(bot), body, BotHost.SigningSecret, DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _broker.WaitAsync<CommandAudited>(m => m.User == "UMARKER");
    }
}
