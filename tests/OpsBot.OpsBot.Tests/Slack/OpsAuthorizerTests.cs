using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OpsBot.Bot;
using OpsBot.Bot.Commands;
using OpsBot.Bot.Secrets;
using OpsBot.Bot.Slack;
using OpsBot.OpsBot.Tests.Fakes;
using OpsBot.ServiceDefaults;
using OpsBot.Slack;

namespace OpsBot.OpsBot.Tests.Slack;

/// <summary>Item 5: user-group admins are read from Slack; when Slack cannot answer, membership is not established and the user is refused.</summary>
public sealed class OpsAuthorizerTests
{
    [Fact]
    public async Task An_expired_group_membership_is_not_used_when_Slack_fails_the_user_is_refused()
    {
        await using var slack = await FakeSlackPlatform.StartAsync(BotHost.AppToken);
        slack.UserGroups["SADMINS"] = ["UGROUPADMIN"];
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = new Settings(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["OPS_ADMINS"] = "UADMIN1,SADMINS" }).Build());
        using var http = new HttpClient { BaseAddress = SlackWebApi.ApiBase(slack.ApiUrl) };
        var client = new SlackWebApi(http, new SlackTokens(BotHost.BotToken));
        var authorizer = new OpsAuthorizer(BotOptions.From(settings), client, time, NullLogger<OpsAuthorizer>.Instance);
        await client.UserGroupMembersAsync("SADMINS", default); // warm the HTTP path: the authorizer gives Slack 2 s

        Assert.True(await authorizer.IsAdminAsync("UGROUPADMIN", default)); // read from Slack, cached
        slack.UserGroupsStatus = 500;
        Assert.True(await authorizer.IsAdminAsync("UGROUPADMIN", default)); // still inside the five-minute cache
        time.Advance(OpsAuthorizer.GroupCacheTtl + TimeSpan.FromSeconds(1));
        Assert.False(await authorizer.IsAdminAsync("UGROUPADMIN", default)); // expired and Slack fails: refused (was: the expired list)
        Assert.True(await authorizer.IsAdminAsync("UADMIN1", default)); // listed users need no Slack call

        slack.UserGroupsStatus = 200;
        Assert.True(await authorizer.IsAdminAsync("UGROUPADMIN", default)); // Slack answers again
    }
}
