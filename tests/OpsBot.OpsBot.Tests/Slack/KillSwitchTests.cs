using System.Text.Json.Nodes;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Slack;

/// <summary>
/// /ops killswitch over Socket Mode, on the real broker: refused and audited for non-admins; for admins,
/// KillSwitchRequested only after the Confirm button; then (item 3) the requester hears whether any trading
/// system received it, and whether the platform's KillSwitchChanged confirmed it within KILL_SWITCH_CONFIRM_TIMEOUT.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class KillSwitchTests(InfraFixture infra) : IAsyncLifetime
{
    private FakeSlackPlatform _slack = null!;
    private string _vhost = "";
    private BrokerListener? _broker;
    private BotHost? _bot;

    private BrokerListener Broker => _broker!;
    private BotHost Bot => _bot!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        _slack.UserGroups["SADMINS"] = ["UGROUPADMIN"];
        _vhost = await infra.CreateVirtualHostAsync();
    }

    /// <summary>The bot and the rest of the platform; <paramref name="tradingSystem"/>: whether anything is bound to KillSwitchRequested.</summary>
    private async Task StartAsync(bool tradingSystem = true, string confirmTimeoutSeconds = "120", bool redis = true)
    {
        _broker = await BrokerListener.StartAsync(_vhost, tradingSystem);
        var settings = BotHost.OnInfra(BotHost.Settings(_slack, ("KILL_SWITCH_CONFIRM_TIMEOUT", confirmTimeoutSeconds)), infra, _vhost);
        if (!redis) settings["REDIS_URL"] = BotHost.NoRedis;
        _bot = await BotHost.StartAsync(settings, trust: _slack);
        await _slack.WaitForConnectionsAsync(1, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        if (_bot is not null) await _bot.DisposeAsync();
        await _slack.DisposeAsync();
        if (_broker is not null) await _broker.DisposeAsync();
    }

    private async Task<JsonObject> CommandAsync(string text, string user)
    {
        var id = await _slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand(text, user, _slack.ResponseUrl(Guid.NewGuid().ToString("N"))));
        var ack = await _slack.WaitForAckAsync(id, TimeSpan.FromSeconds(30));
        return ack.Payload!;
    }

    [Fact]
    public async Task An_unauthorised_killswitch_is_refused_ephemerally_and_audited()
    {
        await StartAsync();
        var answer = await CommandAsync("killswitch engage global", "UINTRUDER");

        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Contains("only for the admins listed in OPS_ADMINS", answer["text"]!.GetValue<string>());
        Assert.DoesNotContain("opsbot_killswitch_confirm", answer.ToJsonString());
        await Broker.WaitAsync<CommandAudited>(m =>
            m.User == "UINTRUDER" && m.Outcome == "refused" && m.Command == "/ops killswitch engage global");
        Assert.Contains(Bot.Logs.Lines(), l => l.Contains("OpsAudit user=UINTRUDER command=/ops killswitch engage global outcome=refused"));
        Assert.Empty(Broker.Received<KillSwitchRequested>());
    }

    [Fact]
    public async Task An_authorised_killswitch_publishes_KillSwitchRequested_only_after_confirmation()
    {
        await StartAsync();
        var answer = await CommandAsync("killswitch engage venue-a", "UADMIN1");
        await Broker.WaitAsync<CommandAudited>(m => m.Outcome == "allowed" && m.Detail == "awaiting confirmation");
        Assert.Empty(Broker.Received<KillSwitchRequested>()); // not before the click

        var token = ConfirmToken(answer);

        // someone else clicking (even an admin) cannot confirm another admin's request
        await ClickAsync("opsbot_killswitch_confirm", token, "UGROUPADMIN", "other");
        await _slack.WaitForCallAsync(c => c.Path == "/response/other", TimeSpan.FromSeconds(30));

        // a forged token is refused
        await ClickAsync("opsbot_killswitch_confirm", token[..^4] + "AAAA", "UADMIN1", "forged");
        await _slack.WaitForCallAsync(c => c.Path == "/response/forged", TimeSpan.FromSeconds(30));

        await ClickAsync("opsbot_killswitch_confirm", token, "UADMIN1", "confirm");
        var request = await Broker.WaitAsync<KillSwitchRequested>();
        Assert.True(request.Engage);
        Assert.Equal("venue-a", request.Scope);
        Assert.Equal("UADMIN1", request.RequestedBy);
        var replaced = await _slack.WaitForCallAsync(c => c.Path == "/response/confirm", TimeSpan.FromSeconds(30));
        Assert.True(replaced.Body!["replace_original"]!.GetValue<bool>());
        Assert.Contains("Kill switch ENGAGE for *venue-a* requested by <@UADMIN1>", replaced.Body["text"]!.GetValue<string>());
        Assert.Contains("received by the trading systems", replaced.Body["text"]!.GetValue<string>());

        // the same confirmation cannot be used twice
        await ClickAsync("opsbot_killswitch_confirm", token, "UADMIN1", "again");
        var again = await _slack.WaitForCallAsync(c => c.Path == "/response/again", TimeSpan.FromSeconds(30));
        Assert.Contains("already used", again.Body!["text"]!.GetValue<string>());

        // sentinel: a later command's audit event has arrived, so anything published before it has too
        await CommandAsync("help", "UMARKER");
        await Broker.WaitAsync<CommandAudited>(m => m.User == "UMARKER");
        Assert.Single(Broker.Received<KillSwitchRequested>());
    }

    [Fact]
    public async Task A_member_of_an_admin_user_group_may_release_and_cancel_publishes_nothing()
    {
        await StartAsync();
        var answer = await CommandAsync("killswitch release global", "UGROUPADMIN");
        Assert.Contains("RELEASE the kill switch for *global*", answer["text"]!.GetValue<string>());
        await ClickAsync("opsbot_killswitch_cancel", "cancel", "UGROUPADMIN", "cancel");
        var cancelled = await _slack.WaitForCallAsync(c => c.Path == "/response/cancel", TimeSpan.FromSeconds(30));
        Assert.Contains("cancelled; nothing was published", cancelled.Body!["text"]!.GetValue<string>());
        await Broker.WaitAsync<CommandAudited>(m => m.Command == "button killswitch cancel");
        Assert.Empty(Broker.Received<KillSwitchRequested>());
    }

    /// <summary>Item 3: no queue bound to KillSwitchRequested — RabbitMQ returns the mandatory message and the requester is told, plainly.</summary>
    [Fact]
    public async Task Without_a_trading_system_bound_the_requester_is_told_nobody_received_the_request()
    {
        await StartAsync(tradingSystem: false);
        var token = ConfirmToken(await CommandAsync("killswitch engage venue-a", "UADMIN1"));

        await ClickAsync("opsbot_killswitch_confirm", token, "UADMIN1", "unrouted");

        var told = await _slack.WaitForCallAsync(c => c.Path == "/response/unrouted", TimeSpan.FromSeconds(30));
        var text = told.Body!["text"]!.GetValue<string>();
        Assert.Contains("was NOT received by any trading system", text);
        Assert.DoesNotContain("requested by", text);
        await Broker.WaitAsync<CommandAudited>(m => m.Outcome == "failed" && m.Detail!.Contains("unrouted"));
        Assert.Equal(0, Bot.Get<global::OpsBot.Bot.Interactions.KillSwitchConfirmations>().Pending); // nothing to wait for
    }

    /// <summary>Item 3: a trading system received it and the platform's KillSwitchChanged follows — the requester hears it confirmed.</summary>
    [Fact]
    public async Task A_KillSwitchChanged_after_the_request_is_reported_as_its_confirmation()
    {
        await StartAsync();
        var token = ConfirmToken(await CommandAsync("killswitch engage venue-a", "UADMIN1"));
        await ClickAsync("opsbot_killswitch_confirm", token, "UADMIN1", "confirmed");
        var request = await Broker.WaitAsync<KillSwitchRequested>();
        await _slack.WaitForCallAsync(c => c.Path == "/response/confirmed", TimeSpan.FromSeconds(30));

        // another scope and the wrong direction do not confirm it; the right one does
        await Broker.PublishAsync(Changed("venue-b", engaged: true));
        await Broker.PublishAsync(Changed("venue-a", engaged: false));
        await Broker.PublishAsync(Changed("venue-a", engaged: true));

        var follow = await _slack.WaitForCallAsync(c => c.Path == "/response/confirmed" && Text(c).Contains("platform confirms"), TimeSpan.FromSeconds(30));
        Assert.Contains("kill switch for *venue-a* is *ENGAGED*", Text(follow));
        Assert.Contains(request.CorrelationId.ToString(), Text(follow));
        Assert.False(follow.Body!["replace_original"]!.GetValue<bool>()); // a new message under the request
    }

    /// <summary>Item 3: a trading system received it but no KillSwitchChanged came within KILL_SWITCH_CONFIRM_TIMEOUT.</summary>
    [Fact]
    public async Task Without_a_KillSwitchChanged_the_requester_hears_that_no_confirmation_came_in_time()
    {
        await StartAsync(confirmTimeoutSeconds: "2");
        var token = ConfirmToken(await CommandAsync("killswitch release global", "UADMIN1"));
        await ClickAsync("opsbot_killswitch_confirm", token, "UADMIN1", "silent");
        await Broker.WaitAsync<KillSwitchRequested>();

        var follow = await _slack.WaitForCallAsync(c => c.Path == "/response/silent" && Text(c).Contains("No confirmation"), TimeSpan.FromSeconds(30));
        Assert.Contains("No confirmation from the platform within 2 s that the kill switch for *global* is *released*", Text(follow));
    }

    /// <summary>Item 6: when Redis cannot record the confirmation as spent, a second use cannot be ruled out: refused, nothing published.</summary>
    [Fact]
    public async Task With_Redis_unreachable_a_confirmation_is_refused_and_nothing_is_published()
    {
        await StartAsync(redis: false);
        var token = ConfirmToken(await CommandAsync("killswitch engage venue-a", "UADMIN1"));

        await ClickAsync("opsbot_killswitch_confirm", token, "UADMIN1", "noredis");

        var told = await _slack.WaitForCallAsync(c => c.Path == "/response/noredis", TimeSpan.FromSeconds(30));
        Assert.Contains("Kill switch request NOT published", Text(told));
        await Broker.WaitAsync<CommandAudited>(m => m.Outcome == "refused" && m.Detail!.Contains("Redis unreachable"));
        Assert.Empty(Broker.Received<KillSwitchRequested>()); // the refusal's audit event arrived after any publish would have
    }

    private static KillSwitchChanged Changed(string scope, bool engaged) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Engaged = engaged,
        Scope = scope,
        Source = "trading_kill_switch_engaged",
    };

    private static string Text(ApiCall call) => call.Body?["text"]?.GetValue<string>() ?? "";

    private static string ConfirmToken(JsonObject answer) =>
        answer["blocks"]!.AsArray().SelectMany(b => b!["elements"]?.AsArray() ?? []).First(e => e!["action_id"]!.GetValue<string>() == "opsbot_killswitch_confirm")!["value"]!.GetValue<string>();

    private async Task ClickAsync(string actionId, string value, string user, string responseId)
    {
        var id = await _slack.SendEnvelopeAsync("interactive", SlackPayloads.ButtonClick(actionId, value, user, _slack.ResponseUrl(responseId)), acceptsResponsePayload: false);
        var ack = await _slack.WaitForAckAsync(id, TimeSpan.FromSeconds(30));
        Assert.Null(ack.Payload);
    }
}
