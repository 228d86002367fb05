using OpsBot.Notifier.Pipeline;
using OpsBot.Notifier.Silences;
using OpsBot.ServiceDefaults;

namespace OpsBot.Notifier.Tests.Unit;

public sealed class GlobMatcherTests
{
    [Theory]
    [InlineData("pnl-loss:*", "pnl-loss:acct-1:momentum", true)]
    [InlineData("pnl-loss:acct-1:*", "pnl-loss:acct-2:momentum", false)]
    [InlineData("pnl-loss:acct-?:momentum", "pnl-loss:acct-7:momentum", true)]
    [InlineData("band:BTC-USD", "band:BTC-USD", true)]
    [InlineData("band:BTC-USD", "band:BTC-USDT", false)]
    [InlineData("BAND:btc-usd", "band:BTC-USD", true)]
    [InlineData("a.b(c)+", "a.b(c)+", true)]  // regex characters are literal
    [InlineData("a.b", "axb", false)]
    [InlineData("*", "anything:at:all", true)]
    public void Globs_match_dedup_keys(string glob, string key, bool expected) => Assert.Equal(expected, GlobMatcher.IsMatch(glob, key));
}

public sealed class NotifierOptionsTests
{
    private static Settings With(params (string Key, string Value)[] values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Defaults_follow_the_operations_guide_and_teams_alone_is_a_channel()
    {
        var options = NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", "https://prod.example/workflows/1?sig=very-secret")));
        Assert.Null(options.Slack);
        Assert.Equal(TeamsPayload.AdaptiveCard, options.Teams!.Format);
        Assert.Equal(TimeSpan.FromSeconds(60), options.DedupTtl);
        Assert.Equal(3, options.Delivery.Attempts);
        Assert.DoesNotContain("very-secret", options.Teams.ToString());
        Assert.DoesNotContain("very-secret", options.ToString());
    }

    [Fact]
    public void Bad_teams_settings_fail_clearly_and_never_echo_the_webhook()
    {
        var bad = Assert.Throws<SettingsException>(() => NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", "not a url sig=very-secret"))));
        Assert.Contains("TEAMS_WEBHOOK_URL", bad.Message);
        Assert.DoesNotContain("very-secret", bad.Message);
        var format = Assert.Throws<SettingsException>(() => NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", "https://x/y"), ("TEAMS_PAYLOAD_FORMAT", "html"))));
        Assert.Contains("TEAMS_PAYLOAD_FORMAT", format.Message);
        Assert.Equal(TeamsPayload.MessageCard, NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", "https://x/y"), ("TEAMS_PAYLOAD_FORMAT", "messagecard"))).Teams!.Format);
    }

    [Fact]
    public void Dedup_identity_is_the_key_or_a_hash_of_the_text()
    {
        var a = Infrastructure.TestBus.Alert("", title: "t", text: "x");
        var b = Infrastructure.TestBus.Alert("", title: "t", text: "x");
        var c = Infrastructure.TestBus.Alert("", title: "t", text: "y");
        Assert.Equal(DedupStage.IdentityOf(a), DedupStage.IdentityOf(b));
        Assert.NotEqual(DedupStage.IdentityOf(a), DedupStage.IdentityOf(c));
        Assert.StartsWith("sha256:", DedupStage.IdentityOf(a));
        Assert.Equal("pnl-loss:a:s", DedupStage.IdentityOf(Infrastructure.TestBus.Alert("pnl-loss:a:s")));
        Assert.StartsWith("sha256:", DedupStage.IdentityOf(Infrastructure.TestBus.Alert(new string('k', 500)))); // long keys are hashed
    }
}
