using OpsBot.Contracts;
using System.Text.Json;
using OpsBot.RiskEvaluator.State;
using OpsBot.Testing;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>
/// Redis stopped under a running risk-evaluator (a real redis-server of this test's own, stopped and started with
/// scripts/infra.sh stop-redis / start-redis): alerts are still raised from memory, the failures are counted, and
/// when Redis is back the latest state of every key written meanwhile reaches it.
/// </summary>
public sealed class RiskRedisOutageTests : IAsyncLifetime
{
    private readonly DedicatedInfra _infra = new(ownRabbitMq: false); // it stops Redis only
    private readonly string _prefix = $"opsbot:risk-test:{Guid.NewGuid():N}:";
    private RiskProbe _probe = null!;
    private ServiceProcess _risk = null!;

    public async Task InitializeAsync()
    {
        await _infra.InitializeAsync();
        _probe = await RiskProbe.StartAsync(_infra.RabbitMqUrl);
        _risk = ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = _infra.RabbitMqUrl,
            ["REDIS_URL"] = _infra.RedisUrl,
            ["RISK_REDIS_PREFIX"] = _prefix,
            ["ALERT_PNL_THRESHOLD"] = "1000",
            ["ALERT_DRAWDOWN_THRESHOLD"] = "0",
            ["LOG_FORMAT"] = "text",
        });
        await _risk.WaitReadyAsync(TimeSpan.FromSeconds(90));
    }

    private Task<string> Metrics() => _risk.GetStringAsync("metrics");

    [Fact]
    public async Task With_redis_down_alerts_come_from_memory_failures_are_counted_and_the_state_is_written_when_redis_returns()
    {
        var keys = new RiskStateKeys(_prefix);
        var t = DateTimeOffset.UtcNow;
        await _probe.Publish(RiskProbe.Pnl("before", -1500, t));
        await _probe.WaitForAsync("pnl-loss:acct-r:before", AlertSeverity.Warning, [_risk]);
        await RiskProbe.Until(() => RiskProbe.StoredAsync(_infra.Redis, keys.Strategy("acct-r", "before")).Result is not null, () => "never stored");

        await _infra.StopRedisAsync();
        await _probe.Publish(RiskProbe.Pnl("during", -1500, t.AddSeconds(1)));   // a new strategy: starts from empty state
        await _probe.WaitForAsync("pnl-loss:acct-r:during", AlertSeverity.Warning, [_risk]);
        await _probe.Publish(RiskProbe.Pnl("before", -1600, t.AddSeconds(2)));   // still a warning, known from memory: nothing new
        await _probe.Publish(RiskProbe.Pnl("before", -2500, t.AddSeconds(3)));   // sentinel: the escalation, same strategy so after it
        await _probe.WaitForAsync("pnl-loss:acct-r:before", AlertSeverity.Critical, [_risk]);
        Assert.Equal(1, _probe.Count("pnl-loss:acct-r:before", AlertSeverity.Warning));
        Assert.True(await RiskProbe.MetricAsync(Metrics, "opsbot_risk_state_write_failures_total") >= 3);
        Assert.True(await RiskProbe.MetricAsync(Metrics, "opsbot_risk_state_load_failures_total", "reason=\"unavailable\"") >= 1);
        Assert.Equal(2, await RiskProbe.MetricAsync(Metrics, "opsbot_risk_state_dirty"));

        await _infra.StartRedisAsync();
        // Written by the background writer, without any new message for those strategies.
        await RiskProbe.Until(() => string.Equals(StoredLevel(keys.Strategy("acct-r", "during")), "warning", StringComparison.OrdinalIgnoreCase) &&
                                 string.Equals(StoredLevel(keys.Strategy("acct-r", "before")), "critical", StringComparison.OrdinalIgnoreCase),
            () => $"not written after Redis returned: during={StoredLevel(keys.Strategy("acct-r", "during"))}, before={StoredLevel(keys.Strategy("acct-r", "before"))}", 90);
        await RiskProbe.Until(() => RiskProbe.MetricAsync(Metrics, "opsbot_risk_state_dirty").Result == 0, () => "dirty keys left");
    }

    private string? StoredLevel(string key)
    {
        try
        {
            if (RiskProbe.StoredAsync(_infra.Redis, key).Result is not { } stored) return null;
            using var json = JsonDocument.Parse(stored.Json);
            return json.RootElement.GetProperty("LossLevel").GetString();
        }
        catch (AggregateException)
        {
            return null; // the test's own connection is still reconnecting
        }
    }

    public async Task DisposeAsync()
    {
        await _risk.DisposeAsync();
        await _probe.DisposeAsync();
        await _infra.DisposeAsync();
    }
}
