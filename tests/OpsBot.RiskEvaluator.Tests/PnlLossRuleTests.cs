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
        Assert.Equal("pnl-loss:acct:momentum", alert.DedupKey);
        Assert.Equal(factory.PnlLoss(Pnl("momentum", -1500), AlertSeverity.Warning, 1000m).DedupKey, alert.DedupKey); // stable
        // One incident from warning to critical: the escalation keeps the key and differs in Severity (the notifier's dedup keeps them apart by it).
        var critical = factory.PnlLoss(Pnl("momentum", -5000), AlertSeverity.Critical, 1000m);
        Assert.Equal(("pnl-loss:acct:momentum", AlertSeverity.Critical), (critical.DedupKey, critical.Severity));
        Assert.Equal(update.CorrelationId, alert.CorrelationId);
        Assert.Equal("risk-evaluator", alert.Source);
        Assert.Contains("-1,250.50 USD", alert.Title);
        Assert.Contains("-1,000.00", alert.Text);
        Assert.Equal("-1250.5", alert.Labels["pnl_total"]);
    }

    /// <summary>The loss and drawdown rules with a hysteresis, threading the state as the consumer does; every decision is kept.</summary>
    private sealed class Judged(decimal threshold, decimal hysteresis, decimal drawdown = 0m)
    {
        private readonly StrategyEvaluator _evaluator = new(new PnlLossRule(threshold, hysteresis), drawdown);
        private DateTimeOffset _asOf = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

        public StrategyState State { get; private set; } = StrategyState.Empty;

        public StrategyDecision Next(decimal total, TimeSpan? after = null)
        {
            _asOf += after ?? TimeSpan.FromSeconds(1);
            var decision = _evaluator.Evaluate(State, Pnl("s", total) with { AsOf = _asOf });
            State = decision.Next;
            return decision;
        }
    }

    [Fact]
    public void Hysteresis_pnl_hovering_around_the_warning_line_gives_one_alert_and_no_resolution_until_it_clears_the_hysteresis()
    {
        var rule = new Judged(1000m, 100m);
        Assert.Equal(AlertSeverity.Warning, rule.Next(-1001).Loss);
        // Hovering across −1,000: on the old rule each crossing back was a recovery and the next dip a new warning.
        foreach (var total in new decimal[] { -999, -1001, -990, -1005, -950, -1000, -900.01m })
        {
            var d = rule.Next(total);
            Assert.Null(d.Loss);
            Assert.False(d.LossResolved, $"resolved at {total}");
        }
        var cleared = rule.Next(-900); // at −1,000 + 100
        Assert.True(cleared.LossResolved);
        Assert.Null(cleared.Next.LossLevel);
        Assert.False(rule.Next(-800).LossResolved); // resolved once
        Assert.Equal(AlertSeverity.Warning, rule.Next(-1001).Loss); // a new incident
    }

    [Fact]
    public void Hysteresis_zero_gives_the_old_rule_a_pnl_back_at_the_line_resolves()
    {
        var rule = new Judged(1000m, 0m);
        Assert.Equal(AlertSeverity.Warning, rule.Next(-1001).Loss);
        Assert.True(rule.Next(-1000).LossResolved);
    }

    [Fact]
    public void Hysteresis_holds_critical_too_a_pnl_hovering_at_twice_the_threshold_escalates_once_and_resolves_only_above_the_warning_line()
    {
        var rule = new Judged(1000m, 100m);
        Assert.Equal(AlertSeverity.Warning, rule.Next(-1500).Loss);
        Assert.Equal(AlertSeverity.Critical, rule.Next(-2001).Loss);
        Assert.Null(rule.Next(-1999).Loss);
        Assert.Null(rule.Next(-2001).Loss); // still the same critical: no second escalation
        var better = rule.Next(-1850);      // above −2,000 + 100: back to a warning, no alert, no resolution
        Assert.Equal((AlertSeverity?)AlertSeverity.Warning, better.Next.LossLevel);
        Assert.Null(better.Loss);
        Assert.False(better.LossResolved);
        Assert.True(rule.Next(-500).LossResolved); // one resolution for the whole incident
    }

    [Fact]
    public void A_redelivered_recovery_after_its_commit_resolves_nothing()
    {
        var evaluator = new StrategyEvaluator(new PnlLossRule(1000m, 100m), 0m);
        var t = DateTimeOffset.UtcNow;
        var open = evaluator.Evaluate(StrategyState.Empty, Pnl("s", -1500) with { AsOf = t }).Next;
        var recovery = Pnl("s", -100) with { AsOf = t.AddSeconds(1) };
        var first = evaluator.Evaluate(open, recovery);
        Assert.True(first.LossResolved);
        Assert.False(evaluator.Evaluate(first.Next, recovery).LossResolved); // the committed state already holds the resolution
    }

    [Fact]
    public void Drawdown_resolves_when_back_within_the_limit_by_the_hysteresis()
    {
        var rule = new Judged(10_000m, 100m, drawdown: 500m);
        rule.Next(900);                                      // the peak
        Assert.NotNull(rule.Next(350).Drawdown);             // 550 off: breach
        foreach (var total in new decimal[] { 450, 380, 499.99m }) // 450, 520, 400.01 off: not within the limit by 100
            Assert.Null(rule.Next(total).DrawdownResolved);
        var cleared = rule.Next(500);                        // 400 off: the limit − the hysteresis
        Assert.Equal(DrawdownClearing.WithinLimit, cleared.DrawdownResolved?.Why);
        Assert.Equal(400m, cleared.DrawdownResolved?.Drawdown);
        Assert.False(cleared.Next.DrawdownBreach);
        Assert.Null(rule.Next(600).DrawdownResolved);       // once
        Assert.NotNull(rule.Next(300).Drawdown);             // a new breach: a new incident
    }

    [Fact]
    public void Drawdown_a_new_session_resolves_the_open_breach_of_the_previous_one()
    {
        var rule = new Judged(10_000m, 100m, drawdown: 500m);
        rule.Next(900);
        Assert.NotNull(rule.Next(300).Drawdown);
        var nextDay = rule.Next(250, TimeSpan.FromDays(1)); // still 650 below yesterday's peak, but a new session
        Assert.Equal(DrawdownClearing.NewSession, nextDay.DrawdownResolved?.Why);
        Assert.Equal(250m, nextDay.DrawdownResolved?.Peak);
        Assert.False(nextDay.Next.DrawdownBreach);
        Assert.Null(rule.Next(240).DrawdownResolved);
    }

    [Fact]
    public void Resolutions_carry_the_key_the_reason_with_the_numbers_the_last_facts_and_the_clearing_update()
    {
        var factory = new AlertFactory(new ServiceIdentity("risk-evaluator"), new FakeTimeProvider());
        var update = Pnl("momentum", -420);
        var resolved = factory.PnlLossResolved(update, 1000m, 100m);
        Assert.Equal("pnl-loss:acct:momentum", resolved.DedupKey);
        Assert.Equal(update.CorrelationId, resolved.CorrelationId);
        Assert.Equal(update.AsOf, resolved.Timestamp);
        Assert.Equal("risk-evaluator", resolved.Source);
        Assert.Contains("-420.00 USD", resolved.Reason);
        Assert.Contains("-1,000.00", resolved.Reason);
        Assert.Contains("100.00", resolved.Reason);
        Assert.Equal(factory.PnlLoss(update, AlertSeverity.Warning, 1000m).Labels.Keys.Order(), resolved.Labels.Keys.Order());
        Assert.Equal("-420", resolved.Labels["pnl_total"]);

        var drawdown = factory.DrawdownResolved(update, new DrawdownResolution(DrawdownClearing.WithinLimit, -420, 0, 420, default), 500m, 100m);
        Assert.Equal("drawdown:acct:momentum", drawdown.DedupKey);
        Assert.Contains("420.00", drawdown.Reason);
        Assert.Equal("420", drawdown.Labels["drawdown"]);
    }

    [Fact]
    public void A_strategy_state_stored_before_resolutions_loads_and_its_open_loss_and_drawdown_resolve()
    {
        // As written by the version before this change: the level of the last update and the open breach.
        const string old = """{"LossLevel":"warning","SessionPeak":900,"Session":"2026-11-27","DrawdownBreach":true,"LastAsOf":"2026-11-27T09:01:00+00:00","Updates":2}""";
        var stored = OpsBot.RiskEvaluator.State.RiskStateCodec.DeserializeStrategy(old);
        var evaluator = new StrategyEvaluator(new PnlLossRule(1000m, 100m), 500m);
        var recovery = evaluator.Evaluate(stored, Pnl("s", 800) with { AsOf = new DateTimeOffset(2026, 11, 27, 9, 2, 0, TimeSpan.Zero) });
        Assert.True(recovery.LossResolved);
        Assert.Equal(DrawdownClearing.WithinLimit, recovery.DrawdownResolved?.Why);
    }
}
