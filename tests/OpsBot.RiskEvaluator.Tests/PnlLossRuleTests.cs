using Microsoft.Extensions.Time.Testing;
using OpsBot.Contracts;
using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;

namespace OpsBot.RiskEvaluator.Tests;

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

    /// <summary>The loss rule through the pure strategy evaluator, threading the state by hand as the consumer does.</summary>
    private sealed class Strategies()
    {
        private readonly StrategyEvaluator _evaluator = new(new PnlLossRule(1000m), 0m);
        private readonly Dictionary<string, StrategyState> _states = [];

        public AlertSeverity? Evaluate(PnlUpdated update)
        {
            var decision = _evaluator.Evaluate(_states.GetValueOrDefault(update.Strategy, StrategyState.Empty), update);
            _states[update.Strategy] = decision.Next;
            return decision.Loss;
        }
    }

    [Fact]
    public void Uses_realized_plus_unrealized()
    {
        var rule = new Strategies();
        Assert.Null(rule.Evaluate(Pnl("s", -600, -400)));
        Assert.Equal(AlertSeverity.Warning, rule.Evaluate(Pnl("s", -600, -401)));
    }

    [Fact]
    public void Raises_on_entering_a_worse_level_only_and_again_after_recovery()
    {
        var rule = new Strategies();
        Assert.Equal(AlertSeverity.Warning, rule.Evaluate(Pnl("s", -1500)));
        Assert.Null(rule.Evaluate(Pnl("s", -1600)));                       // still a warning: nothing new
        Assert.Equal(AlertSeverity.Critical, rule.Evaluate(Pnl("s", -2500))); // escalation
        Assert.Null(rule.Evaluate(Pnl("s", -1500)));                       // better, still in breach
        Assert.Null(rule.Evaluate(Pnl("s", -100)));                        // recovered
        Assert.Equal(AlertSeverity.Warning, rule.Evaluate(Pnl("s", -1100))); // new breach
        Assert.Equal(AlertSeverity.Warning, rule.Evaluate(Pnl("other", -1100))); // strategies are independent
    }

    [Fact]
    public void Evaluation_is_pure_the_same_update_on_the_same_state_raises_the_same_alert_again()
    {
        // What makes a failed publish safe: nothing changes until the consumer commits, so the retry sees the same state.
        var evaluator = new StrategyEvaluator(new PnlLossRule(1000m), 500m);
        var state = StrategyState.Empty with { };
        var first = evaluator.Evaluate(StrategyState.Empty, Pnl("s", 600));
        var update = Pnl("s", -1500);
        var once = evaluator.Evaluate(first.Next, update);
        var again = evaluator.Evaluate(first.Next, update);
        Assert.Equal(once, again);
        Assert.Equal(AlertSeverity.Warning, once.Loss);
        Assert.NotNull(once.Drawdown);
        Assert.Equal(state, StrategyState.Empty);
    }

    [Fact]
    public void A_pnl_older_than_the_last_one_judged_is_stale_and_changes_nothing()
    {
        var evaluator = new StrategyEvaluator(new PnlLossRule(1000m), 0m);
        var now = DateTimeOffset.UtcNow;
        var newer = evaluator.Evaluate(StrategyState.Empty, Pnl("s", -1500) with { AsOf = now }).Next;
        var stale = evaluator.Evaluate(newer, Pnl("s", 0) with { AsOf = now.AddSeconds(-1) });
        Assert.True(stale.IsStale);
        Assert.Same(newer, stale.Next);
    }

    [Fact]
    public void The_drawdown_session_is_per_strategy_by_the_utc_day_of_its_own_pnl()
    {
        var evaluator = new StrategyEvaluator(new PnlLossRule(10_000m), 500m);
        var day = new DateTimeOffset(2026, 11, 27, 23, 0, 0, TimeSpan.Zero);
        var a = evaluator.Evaluate(StrategyState.Empty, Pnl("a", 1000) with { AsOf = day }).Next;
        // Strategy b is already on the next day; that does not end a's session.
        evaluator.Evaluate(StrategyState.Empty, Pnl("b", 0) with { AsOf = day.AddHours(2) });
        var d = evaluator.Evaluate(a, Pnl("a", 400) with { AsOf = day.AddMinutes(30) });
        Assert.Equal(600m, d.Drawdown?.Drawdown);
        // a's own next day starts a new peak.
        Assert.Null(evaluator.Evaluate(d.Next, Pnl("a", 100) with { AsOf = day.AddHours(2) }).Drawdown);
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
