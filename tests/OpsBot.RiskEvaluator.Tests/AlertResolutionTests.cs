using OpsBot.Contracts;
using OpsBot.RiskEvaluator.State;
using OpsBot.Testing;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>
/// Resolution as an event, on the real process with real RabbitMQ and Redis (a key prefix of its own): a loss and its
/// recovery give one AlertRaised and exactly one AlertResolved, also when risk-evaluator is killed between the two
/// (the open incident is in Redis). "Exactly one" is proven by a positive sentinel: a later loss of another strategy,
/// published after risk-evaluator has finished with every message before it.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class AlertResolutionTests(InfraFixture infra) : IAsyncLifetime
{
    private readonly string _prefix = $"opsbot:risk-test:{Guid.NewGuid():N}:";
    private readonly Dictionary<string, string> _env = [];
    private RiskProbe _probe = null!;
    private ServiceProcess _risk = null!;

    public async Task InitializeAsync()
    {
        var vhost = await infra.CreateVirtualHostAsync();
        _env["RABBITMQ_URL"] = vhost;
        _env["REDIS_URL"] = infra.RedisUrl;
        _env["RISK_REDIS_PREFIX"] = _prefix;
        _env["ALERT_PNL_THRESHOLD"] = "1000";
        _env["ALERT_DRAWDOWN_THRESHOLD"] = "0";
        _env["RISK_RESOLVE_HYSTERESIS"] = "100";
        _env["LOG_FORMAT"] = "text";
        _probe = await RiskProbe.StartAsync(vhost);
        await StartRiskAsync();
    }

    private async Task StartRiskAsync()
    {
        _risk = ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", _env);
        await _risk.WaitReadyAsync(TimeSpan.FromSeconds(90));
    }

    private Task<string> Metrics() => _risk.GetStringAsync("metrics");

    /// <summary>The sentinel: a loss of another strategy, published after everything before it was handled; waits for its alert.</summary>
    private async Task SentinelAsync(DateTimeOffset at)
    {
        var strategy = $"sentinel-{Guid.NewGuid():N}";
        await _probe.SendInOrderAsync(Metrics, "pnl", [RiskProbe.Pnl(strategy, -1500, at)]);
        await _probe.WaitForAsync($"pnl-loss:acct-r:{strategy}", AlertSeverity.Warning, [_risk]);
    }

    [Fact]
    public async Task A_loss_then_a_recovery_gives_one_alert_then_exactly_one_resolution_and_hovering_resolves_nothing()
    {
        var t = DateTimeOffset.UtcNow;
        const string key = "pnl-loss:acct-r:recovering";
        await _probe.SendInOrderAsync(Metrics, "pnl", [
            RiskProbe.Pnl("recovering", -1500, t),
            RiskProbe.Pnl("recovering", -990, t.AddSeconds(1)),   // above the line, not by the hysteresis: no resolution
            RiskProbe.Pnl("recovering", -1010, t.AddSeconds(2)),  // below again: the same incident, no alert
            RiskProbe.Pnl("recovering", -400, t.AddSeconds(3)),   // recovered: the resolution
            RiskProbe.Pnl("recovering", -300, t.AddSeconds(4)),   // still recovered: nothing
            RiskProbe.Pnl("recovering", -400, t.AddSeconds(3)),   // a late copy of the recovery (older than the last judged): nothing
        ]);
        var resolved = await _probe.WaitForResolvedAsync(key, [_risk]);
        await SentinelAsync(t.AddSeconds(5));

        Assert.Equal(1, _probe.Count(key));
        Assert.Equal(1, _probe.ResolvedCount(key));
        Assert.Equal("risk-evaluator", resolved.Source);
        Assert.Equal("-400", resolved.Labels["pnl_total"]);
        Assert.Equal(t.AddSeconds(3), resolved.Timestamp);
        Assert.Contains("-400.00 USD", resolved.Reason);
        Assert.Equal(1, await RiskProbe.MetricAsync(Metrics, "opsbot_risk_alerts_resolved_total", "rule=\"pnl_loss\""));
    }

    [Fact]
    public async Task A_restart_between_the_loss_and_the_recovery_still_resolves_from_the_state_in_redis()
    {
        var t = DateTimeOffset.UtcNow;
        const string key = "pnl-loss:acct-r:restarted";
        await _probe.Publish(RiskProbe.Pnl("restarted", -1500, t));
        await _probe.WaitForAsync(key, AlertSeverity.Warning, [_risk]);
        var stored = new RiskStateKeys(_prefix).Strategy("acct-r", "restarted");
        await RiskProbe.Until(() => RiskProbe.StoredAsync(infra.Redis, stored).Result is not null, () => $"{stored} never stored");
        await _risk.KillAsync(); // SIGKILL: nothing is flushed on the way out
        await _risk.DisposeAsync();
        await StartRiskAsync();

        await _probe.SendInOrderAsync(Metrics, "pnl", [RiskProbe.Pnl("restarted", -200, t.AddSeconds(1))]);
        var resolved = await _probe.WaitForResolvedAsync(key, [_risk]);
        await SentinelAsync(t.AddSeconds(2));
        Assert.Equal(1, _probe.ResolvedCount(key));
        Assert.Equal(1, _probe.Count(key));
        Assert.Equal("-200", resolved.Labels["pnl_total"]);
    }

    public async Task DisposeAsync()
    {
        await _risk.DisposeAsync();
        await _probe.DisposeAsync();
    }
}
