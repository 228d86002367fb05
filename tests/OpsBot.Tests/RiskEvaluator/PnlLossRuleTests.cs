using Microsoft.Extensions.Time.Testing;
using OpsBot.Contracts;
using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;

namespace OpsBot.Tests.RiskEvaluator;

public sealed class PnlLossRuleTests
{
    private static PnlUpdated Pnl(string strategy, decimal realized, decimal unrealized = 0) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Account = "acct",
        Strategy = strategy,
        Realized = realized,
        Unrealized = unrealized,
        Currency = "USD",
        AsOf = DateTimeOffset.UtcNow,
    };

    [Theory]
    [InlineData(0, null)]
    [InlineData(-1000, null)]          // at the threshold: not below it
    [InlineData(-1000.01, AlertSeverity.Warning)]
    [InlineData(-2000, AlertSeverity.Warning)]
    [InlineData(-2000.01, AlertSeverity.Critical)]
    public void Level_follows_total_pnl_against_the_threshold(double total, AlertSeverity? expected) =>
        Assert.Equal(expected, new PnlLossRule(1000m).LevelOf((decimal)total));

    [Fact]
    public void Uses_realized_plus_unrealized()
    {
        var rule = new PnlLossRule(1000m);
        Assert.Null(rule.Evaluate(Pnl("s", -600, -400)));
        Assert.Equal(AlertSeverity.Warning, rule.Evaluate(Pnl("s", -600, -401)));
    }

    [Fact]
    public void Raises_on_entering_a_worse_level_only_and_again_after_recovery()
    {
        var rule = new PnlLossRule(1000m);
        Assert.Equal(AlertSeverity.Warning, rule.Evaluate(Pnl("s", -1500)));
        Assert.Null(rule.Evaluate(Pnl("s", -1600)));                       // still a warning: nothing new
        Assert.Equal(AlertSeverity.Critical, rule.Evaluate(Pnl("s", -2500))); // escalation
        Assert.Null(rule.Evaluate(Pnl("s", -1500)));                       // better, still in breach
        Assert.Null(rule.Evaluate(Pnl("s", -100)));                        // recovered
        Assert.Equal(AlertSeverity.Warning, rule.Evaluate(Pnl("s", -1100))); // new breach
        Assert.Equal(AlertSeverity.Warning, rule.Evaluate(Pnl("other", -1100))); // strategies are independent
    }

    [Fact]
    public void Alert_has_a_stable_dedup_key_the_pnl_correlation_id_and_readable_text()
    {
        var factory = new AlertFactory(new ServiceIdentity("risk-evaluator"), new FakeTimeProvider());
        var update = Pnl("momentum", -800, -450.5m);
        var alert = factory.PnlLoss(update, AlertSeverity.Warning, 1000m);
        Assert.Equal("pnl-loss:acct:momentum:warning", alert.DedupKey);
        Assert.Equal(factory.PnlLoss(Pnl("momentum", -1500), AlertSeverity.Warning, 1000m).DedupKey, alert.DedupKey); // stable
        Assert.Equal("pnl-loss:acct:momentum:critical", factory.PnlLoss(Pnl("momentum", -5000), AlertSeverity.Critical, 1000m).DedupKey); // escalation is not folded
        Assert.Equal(update.CorrelationId, alert.CorrelationId);
        Assert.Equal("risk-evaluator", alert.Source);
        Assert.Contains("-1,250.50 USD", alert.Title);
        Assert.Contains("-1,000.00", alert.Text);
        Assert.Equal("-1250.5", alert.Labels["pnl_total"]);
    }
}
