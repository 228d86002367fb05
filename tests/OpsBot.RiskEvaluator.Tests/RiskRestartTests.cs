using OpsBot.Contracts;
using OpsBot.RiskEvaluator.State;
using OpsBot.Testing;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>
/// risk-evaluator killed with SIGKILL and started again mid-stream (real process, real RabbitMQ and Redis): its
/// judgement continues from the state it kept in Redis, as if it had never stopped. Each of these failed before the
/// state was durable (a restart forgot peaks, loss levels and volatility models).
/// </summary>
[Collection(InfraFixture.SecondLane)]
public sealed class RiskRestartTests(InfraFixture infra) : IAsyncLifetime
{
    private readonly string _prefix = $"opsbot:risk-test:{Guid.NewGuid():N}:";
    private readonly Dictionary<string, string> _env = [];
    private RiskProbe _probe = null!;
    private ServiceProcess _risk = null!;
    private RiskStateKeys Keys => new(_prefix);

    public async Task InitializeAsync()
    {
        var vhost = await infra.CreateVirtualHostAsync();
        _env["RABBITMQ_URL"] = vhost;
        _env["REDIS_URL"] = infra.RedisUrl;
        _env["RISK_REDIS_PREFIX"] = _prefix;
        _env["ALERT_PNL_THRESHOLD"] = "1000";
        _env["ALERT_DRAWDOWN_THRESHOLD"] = "1000";
        _env["VOLATILITY_METHOD"] = "std";
        _env["VOLATILITY_WINDOW"] = "10";
        _env["BAND_MULTIPLIER"] = "4";
        _env["LOG_FORMAT"] = "text";
        _probe = await RiskProbe.StartAsync(vhost);
        await StartRiskAsync();
    }

    private async Task StartRiskAsync()
    {
        _risk = ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", _env);
        await _risk.WaitReadyAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>Fault: SIGKILL (no graceful shutdown) once the key's state is in Redis, then a new process.</summary>
    private async Task KillAndRestartWhenStoredAsync(string key, long updates)
    {
        await RiskProbe.Until(() => RiskProbe.StoredAsync(infra.Redis, key).Result is { } s && s.Updates >= updates,
            () => $"{key} never stored with {updates} updates; stored {RiskProbe.StoredAsync(infra.Redis, key).Result}\n" + string.Join('\n', _risk.Output.TakeLast(30)));
        await _risk.KillAsync();
        await _risk.DisposeAsync();
        await StartRiskAsync();
    }

    [Fact]
    public async Task Peak_before_a_restart_and_trough_after_it_raise_exactly_one_drawdown_alert()
    {
        var t = DateTimeOffset.UtcNow;
        await _probe.SendInOrderAsync(() => _risk.GetStringAsync("metrics"), "pnl", [
            RiskProbe.Pnl("dd", 1000, t),                 // the session peak
            RiskProbe.Pnl("dd", 900, t.AddSeconds(1)),
        ]);
        // The second update changes no judgement (same peak, no breach), so only the first is written before the kill
        // (RISK_STATE_REFRESH); what decides the drawdown, the peak of 1,000, is in Redis.
        await KillAndRestartWhenStoredAsync(Keys.Strategy("acct-r", "dd"), 1);

        await _probe.Publish(RiskProbe.Pnl("dd", -200, t.AddSeconds(2)));   // 1,200 off the peak from before the restart
        var alert = await _probe.WaitForAsync("drawdown:acct-r:dd", [_risk]);
        Assert.Equal("1000", alert.Labels["session_peak"]);
        Assert.Equal("1200", alert.Labels["drawdown"]);

        await _probe.Publish(RiskProbe.Pnl("dd", -300, t.AddSeconds(3)));   // continuing breach: nothing new
        await _probe.Publish(RiskProbe.Pnl("dd", -2500, t.AddSeconds(4)));  // sentinel: a critical loss alert, same strategy so after the others
        await _probe.WaitForAsync("pnl-loss:acct-r:dd", AlertSeverity.Critical, [_risk]);
        Assert.Equal(1, _probe.Count("drawdown:acct-r:dd"));
    }

    [Fact]
    public async Task A_strategy_below_the_loss_threshold_across_a_restart_raises_no_second_loss_alert()
    {
        var t = DateTimeOffset.UtcNow;
        await _probe.Publish(RiskProbe.Pnl("lossy", -1500, t));
        await _probe.WaitForAsync("pnl-loss:acct-r:lossy", AlertSeverity.Warning, [_risk]);
        await KillAndRestartWhenStoredAsync(Keys.Strategy("acct-r", "lossy"), 1);

        await _probe.Publish(RiskProbe.Pnl("lossy", -1600, t.AddSeconds(1)));  // still a warning: nothing new
        await _probe.Publish(RiskProbe.Pnl("lossy", -2500, t.AddSeconds(2)));  // sentinel: escalation to critical
        await _probe.WaitForAsync("pnl-loss:acct-r:lossy", AlertSeverity.Critical, [_risk]);
        Assert.Equal(1, _probe.Count("pnl-loss:acct-r:lossy", AlertSeverity.Warning));
    }

    [Fact]
    public async Task A_symbol_keeps_its_volatility_model_across_a_restart_and_the_next_jump_breaches_at_once()
    {
        var t = DateTimeOffset.UtcNow;
        await _probe.SendInOrderAsync(() => _risk.GetStringAsync("metrics"), "ticker",
            Enumerable.Range(0, 12).Select(i => RiskProbe.Tick("RST-USD", RiskProbe.QuietPrice(i), i, t.AddMilliseconds(i))));
        await KillAndRestartWhenStoredAsync(Keys.Symbol("RST-USD"), 12);

        // A 3 % jump right after the restart: without the stored model there is no band for another 10 ticks.
        await _probe.Publish(RiskProbe.Tick("RST-USD", 103m, 0, t.AddMilliseconds(100)));
        var alert = await _probe.WaitForAsync("price-band:RST-USD:above", [_risk]);
        Assert.Equal("std", alert.Labels["model"]);
    }

    public async Task DisposeAsync()
    {
        await _risk.DisposeAsync();
        await _probe.DisposeAsync();
    }
}
