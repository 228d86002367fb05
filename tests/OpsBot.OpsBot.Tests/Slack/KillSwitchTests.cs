using System.Text.Json.Nodes;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;

namespace OpsBot.OpsBot.Tests.Slack;

/// <summary>/ops killswitch: refused and audited for non-admins; for admins, KillSwitchRequested only after the Confirm button.</summary>
public sealed class KillSwitchTests : IAsyncLifetime
{
    private FakeSlackPlatform _slack = null!;
    private BotHost _bot = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        _slack.UserGroups["SADMINS"] = ["UGROUPADMIN"];
        _bot = await BotHost.StartAsync(BotHost.Settings(_slack), trust: _slack);
        await _slack.WaitForConnectionsAsync(1, TimeSpan.FromSeconds(15));
    }

    public async Task DisposeAsync()
    {
        await _bot.DisposeAsync();
        await _slack.DisposeAsync();
    }

    private async Task<JsonObject> CommandAsync(string text, string user)
    {
        var id = await _slack.SendEnvelopeAsync("slash_commands", SlackPayloads.SlashCommand(text, user, _slack.ResponseUrl(Guid.NewGuid().ToString("N"))));
        var ack = await _slack.WaitForAckAsync(id, TimeSpan.FromSeconds(10));
        Assert.True(ack.Latency < TimeSpan.FromSeconds(3));
        return ack.Payload!;
    }

    [Fact]
    public async Task An_unauthorised_killswitch_is_refused_ephemerally_and_audited()
    {
        var answer = await CommandAsync("killswitch engage global", "UINTRUDER");

        Assert.Equal("ephemeral", answer["response_type"]!.GetValue<string>());
        Assert.Contains("only for the admins listed in OPS_ADMINS", answer["text"]!.GetValue<string>());
        Assert.DoesNotContain("opsbot_killswitch_confirm", answer.ToJsonString());
        await _bot.WaitPublishedAsync<CommandAudited>(m =>
            m.User == "UINTRUDER" && m.Outcome == "refused" && m.Command == "/ops killswitch engage global");
        Assert.Contains(_bot.Logs.Lines, l => l.Contains("OpsAudit user=UINTRUDER command=/ops killswitch engage global outcome=refused"));
        Assert.Empty(_bot.Published<KillSwitchRequested>());
    }

    [Fact]
    public async Task An_authorised_killswitch_publishes_KillSwitchRequested_only_after_confirmation()
    {
        var answer = await CommandAsync("killswitch engage venue-a", "UADMIN1");
        await _bot.WaitPublishedAsync<CommandAudited>(m => m.Outcome == "allowed" && m.Detail == "awaiting confirmation");
        Assert.Empty(_bot.Published<KillSwitchRequested>()); // not before the click

        var confirm = answer["blocks"]!.AsArray().SelectMany(b => b!["elements"]?.AsArray() ?? []).First(e => e!["action_id"]!.GetValue<string>() == "opsbot_killswitch_confirm")!;
        var token = confirm["value"]!.GetValue<string>();

        // someone else clicking (even an admin) cannot confirm another admin's request
        await ClickAsync("opsbot_killswitch_confirm", token, "UGROUPADMIN", "other");
        await _slack.WaitForCallAsync(c => c.Path == "/response/other", TimeSpan.FromSeconds(10));
        Assert.Empty(_bot.Published<KillSwitchRequested>());

        // a forged token is refused
        await ClickAsync("opsbot_killswitch_confirm", token[..^4] + "AAAA", "UADMIN1", "forged");
        await _slack.WaitForCallAsync(c => c.Path == "/response/forged", TimeSpan.FromSeconds(10));
        Assert.Empty(_bot.Published<KillSwitchRequested>());

        await ClickAsync("opsbot_killswitch_confirm", token, "UADMIN1", "confirm");
        await _bot.WaitPublishedAsync<KillSwitchRequested>();
        var request = Assert.Single(_bot.Published<KillSwitchRequested>());
        Assert.True(request.Engage);
        Assert.Equal("venue-a", request.Scope);
        Assert.Equal("UADMIN1", request.RequestedBy);
        var replaced = await _slack.WaitForCallAsync(c => c.Path == "/response/confirm", TimeSpan.FromSeconds(10));
        Assert.True(replaced.Body!["replace_original"]!.GetValue<bool>());
        Assert.Contains("Kill switch ENGAGE for *venue-a* requested by <@UADMIN1>", replaced.Body["text"]!.GetValue<string>());

        // the same confirmation cannot be used twice
        await ClickAsync("opsbot_killswitch_confirm", token, "UADMIN1", "again");
        await _slack.WaitForCallAsync(c => c.Path == "/response/again", TimeSpan.FromSeconds(10));
        Assert.Single(_bot.Published<KillSwitchRequested>());
    }

    [Fact]
    public async Task A_member_of_an_admin_user_group_may_release_and_cancel_publishes_nothing()
    {
        var answer = await CommandAsync("killswitch release global", "UGROUPADMIN");
        Assert.Contains("RELEASE the kill switch for *global*", answer["text"]!.GetValue<string>());
        await ClickAsync("opsbot_killswitch_cancel", "cancel", "UGROUPADMIN", "cancel");
        var cancelled = await _slack.WaitForCallAsync(c => c.Path == "/response/cancel", TimeSpan.FromSeconds(10));
        Assert.Contains("cancelled; nothing was published", cancelled.Body!["text"]!.GetValue<string>());
        Assert.Empty(_bot.Published<KillSwitchRequested>());
    }

    private async Task ClickAsync(string actionId, string value, string user, string responseId)
    {
        var id = await _slack.SendEnvelopeAsync("interactive", SlackPayloads.ButtonClick(actionId, value, user, _slack.ResponseUrl(responseId)), acceptsResponsePayload: false);
        var ack = await _slack.WaitForAckAsync(id, TimeSpan.FromSeconds(10));
        Assert.Null(ack.Payload);
        Assert.True(ack.Latency < TimeSpan.FromSeconds(3));
    }
}
