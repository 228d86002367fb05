using OpsBot.Bot.Commands;

namespace OpsBot.OpsBot.Tests.Unit;

public sealed class OpsCommandParserTests
{
    private readonly OpsCommandParser _parser = new();

    [Fact]
    public void Parses_every_command_into_its_type()
    {
        Assert.IsType<HelpCommand>(_parser.Parse(""));
        Assert.IsType<HelpCommand>(_parser.Parse("help"));
        Assert.IsType<StatusCommand>(_parser.Parse("  STATUS "));
        Assert.Equal(new PnlCommand("pnl momentum", "momentum"), _parser.Parse("pnl momentum"));
        Assert.Equal(new PnlCommand("pnl", null), _parser.Parse("pnl"));
        Assert.Equal(new RiskCommand("risk btc-usd", "BTC-USD"), _parser.Parse("risk btc-usd"));
        Assert.IsType<AlertsCommand>(_parser.Parse("alerts"));
        Assert.Equal(new AckCommand("ack pnl-loss:acct-1:momentum", "pnl-loss:acct-1:momentum"), _parser.Parse("ack pnl-loss:acct-1:momentum"));
        Assert.Equal(new ResolveCommand("resolve price-band:BTC-USD", "price-band:BTC-USD", null), _parser.Parse("resolve price-band:BTC-USD"));
        Assert.Equal(new ResolveCommand("resolve price-band:BTC-USD back  in band, checked", "price-band:BTC-USD", "back  in band, checked"), _parser.Parse("resolve price-band:BTC-USD back  in band, checked"));
        Assert.IsType<ParityCommand>(_parser.Parse("parity"));
        Assert.Equal(new SilenceCommand("silence pnl-loss:* 1h30m", "pnl-loss:*", TimeSpan.FromMinutes(90)), _parser.Parse("silence pnl-loss:* 1h30m"));
        Assert.Equal(new UnsilenceCommand("unsilence pnl-loss:acct-1:momentum", "pnl-loss:acct-1:momentum"), _parser.Parse("unsilence pnl-loss:acct-1:momentum"));
        Assert.Equal(new KillSwitchCommand("killswitch engage global", true, "global"), _parser.Parse("killswitch engage global"));
        Assert.Equal(new KillSwitchCommand("killswitch Release venue-a", false, "venue-a"), _parser.Parse("killswitch Release venue-a"));
    }

    [Theory]
    [InlineData("launch rockets", "unknown command", "Usage: /ops help | /ops status")]
    [InlineData("silence pnl-loss:*", "give a dedup key or pattern and a duration", "Usage: /ops silence")]
    [InlineData("silence pnl-loss:* forever", "is not a duration", "Usage: /ops silence")]
    [InlineData("silence pnl-loss:* 8d", "at most 7 days", "Usage: /ops silence")]
    [InlineData("silence <!channel> 1h", "may use letters", "Usage: /ops silence")]
    [InlineData("killswitch engage", "give engage or release and a scope", "Usage: /ops killswitch")]
    [InlineData("killswitch toggle global", "neither engage nor release", "Usage: /ops killswitch")]
    [InlineData("status now", "takes no arguments", "Usage: /ops status")]
    [InlineData("pnl a b", "too many arguments", "Usage: /ops pnl")]
    [InlineData("ack", "give one dedup key", "Usage: /ops ack")]
    [InlineData("ack a b", "give one dedup key", "Usage: /ops ack")]
    [InlineData("ack pnl-loss:*", "a dedup key may use", "Usage: /ops ack")]
    [InlineData("resolve", "give the dedup key of an open incident", "Usage: /ops resolve")]
    [InlineData("resolve <!channel> now", "a dedup key may use", "Usage: /ops resolve")]
    public void Bad_input_gives_the_problem_and_a_usage_line(string text, string problem, string usage)
    {
        var invalid = Assert.IsType<InvalidCommand>(_parser.Parse(text));
        Assert.Contains(problem, invalid.Problem);
        Assert.StartsWith(usage, invalid.Usage);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("30m", 1800)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("1h30m", 5400)]
    public void Reads_durations(string text, int seconds)
    {
        Assert.True(OpsCommandParser.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Fact]
    public void Only_killswitch_silence_unsilence_and_resolve_need_an_admin()
    {
        var admin = new[] { "killswitch engage global", "silence x 1h", "unsilence x", "resolve x" };
        foreach (var text in new[] { "help", "status", "pnl", "risk", "alerts", "parity", "ack x" }.Concat(admin))
            Assert.Equal(admin.Contains(text), _parser.Parse(text).NeedsAdmin);
    }
}
