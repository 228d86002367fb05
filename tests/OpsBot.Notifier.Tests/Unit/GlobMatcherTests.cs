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
    [InlineData("a\\*b", "a*b", true)]    // \* is a literal star
    [InlineData("a\\*b", "axxb", false)]
    [InlineData("a\\?", "a?", true)]
    [InlineData("a\\?", "ab", false)]
    [InlineData("a\\\\b", "a\\b", true)]  // \\ is a literal backslash
    [InlineData("*:mom*", "pnl-loss:a:mom*:warning", true)]
    [InlineData("*a*b*c", "xaybzc", true)]
    [InlineData("*a*b*c", "xaybzcd", false)]
    [InlineData("", "", false)]           // an empty matcher is refused and matches nothing
    public void Globs_match_dedup_keys(string glob, string key, bool expected) => Assert.Equal(expected, GlobMatcher.IsMatch(glob, key));

    // Issue 13, item 7: the Silence 1h button silences exactly the alert's key, even when it holds * or ?.
    // On the old code the key was used as a glob unescaped: "mom*" silenced "momentum" too.
    [Theory]
    [InlineData("pnl-loss:acct-1:mom*:warning", "pnl-loss:acct-1:momentum:warning")]
    [InlineData("pnl-loss:acct-1:m?m:warning", "pnl-loss:acct-1:mam:warning")]
    public void An_escaped_key_matches_itself_and_nothing_else(string key, string other)
    {
        var pattern = SilencePattern.Escape(key);
        Assert.Null(SilencePattern.Validate(pattern));
        Assert.True(GlobMatcher.IsMatch(pattern, key));
        Assert.True(GlobMatcher.IsMatch(pattern, key.ToUpperInvariant())); // case is still ignored
        Assert.False(GlobMatcher.IsMatch(pattern, other));
        Assert.True(GlobMatcher.IsMatch(key, other)); // what the unescaped key silenced
    }

    // Issue 13, item 7: a pathological pattern is refused where it is made and stored, and matching never times out or throws.
    // On the old code this pattern compiled to a backtracking regex whose 50 ms timeout threw RegexMatchTimeoutException on IsMatch.
    [Fact]
    public void A_pathological_pattern_is_refused_and_matching_is_bounded()
    {
        var pathological = string.Concat(Enumerable.Repeat("*a", 30)) + "*b";
        Assert.Contains("more than 8 *", SilencePattern.Validate(pathological));
        Assert.Contains("lone \\", SilencePattern.Validate("pnl-loss:\\"));
        Assert.Contains("longer than", SilencePattern.Validate(new string('k', SilencePattern.MaxLength + 1)));
        Assert.Contains("control", SilencePattern.Validate("a\nb"));
        var key = "pnl-loss:" + new string('a', 5000);
        Assert.False(GlobMatcher.IsMatch(pathological, key)); // refused: matches nothing, throws nothing
        // The worst a valid pattern can do (8 stars against a long key) is quick: no timeout, no exception.
        var worst = string.Concat(Enumerable.Repeat("*a", 8)) + "b";
        Assert.False(GlobMatcher.IsMatch(worst, key));
        Assert.True(GlobMatcher.IsMatch(worst, key + "b"));
    }
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

    // Issue 13, item 1: delayed redelivery is on when NOTIFIER_REDELIVERY_DELAYS is unset (the old default was off);
    // set but empty, "off" or "none" turn it off; a list is read as given.
    [Fact]
    public void Delayed_redelivery_is_on_by_default_and_empty_or_off_turn_it_off()
    {
        const string teams = "https://x/y";
        var unset = NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams)));
        Assert.Equal(new[] { 60, 300, 900, 1800, 3600 }, unset.Redelivery.Select(d => (int)d.TotalSeconds));
        Assert.Empty(NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", ""))).Redelivery);
        Assert.Empty(NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", "off"))).Redelivery);
        Assert.Empty(NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", "none"))).Redelivery);
        Assert.Equal(new[] { 2, 4 }, NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", "2, 4"))).Redelivery.Select(d => (int)d.TotalSeconds));
        var bad = Assert.Throws<SettingsException>(() => NotifierOptions.From(With(("TEAMS_WEBHOOK_URL", teams), ("NOTIFIER_REDELIVERY_DELAYS", "soon"))));
        Assert.Contains("NOTIFIER_REDELIVERY_DELAYS", bad.Message);
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
