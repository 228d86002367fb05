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
