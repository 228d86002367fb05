using System.Text.Json;
using OpsBot.RiskEvaluator.State;
using OpsBot.Testing;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>
/// Ticks are ordered by exchange time per symbol, never by the feed's sequence numbers (they restart from 0 on
/// every connection and differ between the raw and sdk clients), and the same market event from both clients is
/// taken once. Real risk-evaluator process on real RabbitMQ and Redis.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class FeedOrderingTests(InfraFixture infra) : IAsyncLifetime
{
    private readonly string _prefix = $"opsbot:risk-test:{Guid.NewGuid():N}:";
    private RiskProbe _probe = null!;
    private ServiceProcess _risk = null!;

    public async Task InitializeAsync()
    {
        var vhost = await infra.CreateVirtualHostAsync();
        _probe = await RiskProbe.StartAsync(vhost);
        _risk = ServiceProcess.Start("risk-evaluator", "services/risk-evaluator", "OpsBot.RiskEvaluator", new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = vhost,
            ["REDIS_URL"] = infra.RedisUrl,
            ["RISK_REDIS_PREFIX"] = _prefix,
            ["VOLATILITY_METHOD"] = "std",
            ["VOLATILITY_WINDOW"] = "10",
            ["BAND_MULTIPLIER"] = "4",
            ["LOG_FORMAT"] = "text",
        });
        await _risk.WaitReadyAsync(TimeSpan.FromSeconds(90));
    }

    private Task<string> Metrics() => _risk.GetStringAsync("metrics");

    [Fact]
    public async Task A_symbol_whose_sequences_restart_from_zero_after_a_reconnect_still_raises_its_price_band_alert()
    {
        var t = DateTimeOffset.UtcNow;
        // First connection: frames numbered 500, 501, … (a long-lived connection).
        await _probe.SendInOrderAsync(Metrics, "ticker",
            Enumerable.Range(0, 14).Select(i => RiskProbe.Tick("SEQ-USD", RiskProbe.QuietPrice(i), 500 + i, t.AddMilliseconds(i))));
        // Fault: a heartbeat-timeout reconnect; the exchange numbers the new connection's frames from 0 again.
        await _probe.SendInOrderAsync(Metrics, "ticker", [
            RiskProbe.Tick("SEQ-USD", RiskProbe.QuietPrice(14), 0, t.AddMilliseconds(100)),
            RiskProbe.Tick("SEQ-USD", RiskProbe.QuietPrice(15), 1, t.AddMilliseconds(101)),
            RiskProbe.Tick("SEQ-USD", 103m, 2, t.AddMilliseconds(102)), // a 3 % jump
        ]);
        var alert = await _probe.WaitForAsync("price-band:SEQ-USD:above", [_risk]);
        Assert.Equal("103", alert.Labels["price"]);
    }

    [Fact]
    public async Task Both_clients_publishing_the_same_ticks_feed_each_market_event_to_the_model_once()
    {
        // ONE-USD comes from the raw client only; TWO-USD has the very same market events from both clients, whose
        // sequence numbers differ (raw from 7000, sdk from 0) and who deliver in varying order.
        var t = DateTimeOffset.UtcNow;
        var prices = Enumerable.Range(0, 30).Select(i => 100m + (i * 37 % 11 - 5) * 0.03m).ToArray();
        var one = prices.Select((p, i) => RiskProbe.Tick("ONE-USD", p, 7000 + i, t.AddMilliseconds(i)));
        var two = prices.SelectMany((p, i) =>
        {
            var raw = RiskProbe.Tick("TWO-USD", p, 7000 + i, t.AddMilliseconds(i), "raw");
            var sdk = RiskProbe.Tick("TWO-USD", p, i, t.AddMilliseconds(i), "sdk");
            return i % 3 == 0 ? new[] { sdk, raw } : [raw, sdk];
        });
        await _probe.SendInOrderAsync(Metrics, "ticker", one);
        await _probe.SendInOrderAsync(Metrics, "ticker", two);

        var keys = new RiskStateKeys(_prefix);
        var oneState = await RiskProbe.StoredAsync(infra.Redis, keys.Symbol("ONE-USD"));
        var twoState = await RiskProbe.StoredAsync(infra.Redis, keys.Symbol("TWO-USD"));
        Assert.NotNull(oneState);
        Assert.NotNull(twoState);
        Assert.Equal(30, oneState.Value.Updates);
        Assert.Equal(oneState.Value.Updates, twoState.Value.Updates);  // each market event counted once
        using var a = JsonDocument.Parse(oneState.Value.Json);
        using var b = JsonDocument.Parse(twoState.Value.Json);
        Assert.Equal(a.RootElement.GetProperty("Model").GetRawText(), b.RootElement.GetProperty("Model").GetRawText()); // the same model, bit for bit
        Assert.Equal(30, await RiskProbe.MetricAsync(Metrics, "opsbot_risk_messages_ignored_total", "reason=\"duplicate\""));
    }

    public async Task DisposeAsync()
    {
        await _risk.DisposeAsync();
        await _probe.DisposeAsync();
    }
}
