using System.Net;
using OpsBot.Bot.Commands;
using OpsBot.Contracts;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;

namespace OpsBot.OpsBot.Tests.Slack;

/// <summary>
/// Issue 13, item 7, where silences are made: the "Silence 1h" button escapes the alert's key, so a strategy named
/// with <c>*</c> or <c>?</c> silences exactly that alert; <c>/ops silence</c> refuses a pathological pattern.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class SilencePatternTests(InfraFixture infra) : IAsyncLifetime
{
    private FakeSlackPlatform _slack = null!;
    private BrokerListener _broker = null!;
    private BotHost _bot = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        var vhost = await infra.CreateVirtualHostAsync();
        _broker = await BrokerListener.StartAsync(vhost);
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

    // On the old code the button published the key itself as the matcher: "pnl-loss:acct-1:mom*:warning", a glob that
    // also silenced "pnl-loss:acct-1:momentum:warning".
    [Fact]
    public async Task The_silence_button_escapes_wildcards_in_the_alert_key()
    {
        const string key = "pnl-loss:acct-1:mom*?:warning";
        var click = SlackPayloads.ButtonClick("opsbot_alert_silence_1h", key, "UADMIN1", _slack.ResponseUrl("esc"), SlackPayloads.AlertMessage(key));
        using (var r = await _bot.Http.SendAsync(SlackPayloads.Signed(new Uri(_bot.BaseUrl, "slack/interactions"), SlackPayloads.InteractionForm(click), BotHost.SigningSecret, DateTimeOffset.UtcNow)))
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var silence = await _broker.WaitAsync<SilenceRequested>();
        Assert.Equal("pnl-loss:acct-1:mom\\*\\?:warning", silence.Matcher);
        Assert.True(SilencePattern.IsMatch(silence.Matcher, key));
        Assert.False(SilencePattern.IsMatch(silence.Matcher, "pnl-loss:acct-1:momentum:warning"));
    }

    [Theory]
    [InlineData("silence *a*a*a*a*a*a*a*a*a*b 1h", "more than 8 * wildcards")]
    [InlineData("silence pnl-loss:\\ 1h", "lone \\")]
    [InlineData("silence pnl-loss:<!channel> 1h", "may use letters")]
    public void A_pathological_or_malformed_pattern_is_refused_by_the_command(string text, string problem)
    {
        var invalid = Assert.IsType<InvalidCommand>(new OpsCommandParser().Parse(text));
        Assert.Contains(problem, invalid.Problem);
    }

    [Fact]
    public void Escaped_and_wildcard_patterns_are_accepted_by_the_command()
    {
        Assert.Equal("pnl-loss:acct-?:mom\\*", Assert.IsType<SilenceCommand>(new OpsCommandParser().Parse("silence pnl-loss:acct-?:mom\\* 1h")).Matcher);
        // A silence stored before the rules can still be lifted.
        Assert.IsType<UnsilenceCommand>(new OpsCommandParser().Parse("unsilence *a*a*a*a*a*a*a*a*a*b"));
    }
}
