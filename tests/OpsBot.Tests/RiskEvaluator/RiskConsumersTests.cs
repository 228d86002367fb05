using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsBot.Contracts;
using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;

namespace OpsBot.Tests.RiskEvaluator;

/// <summary>risk-evaluator's consumers with its real rules, on MassTransit's in-memory test harness.</summary>
public sealed class RiskConsumersTests : IAsyncLifetime
{
    private ServiceProvider _provider = null!;
    private ITestHarness _harness = null!;

    public async Task InitializeAsync()
    {
        var settings = new Settings(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ALERT_PNL_THRESHOLD"] = "1000",
            ["ALERT_DRAWDOWN_THRESHOLD"] = "500",
            ["VOLATILITY_METHOD"] = "std",
            ["VOLATILITY_WINDOW"] = "10",
            ["BAND_MULTIPLIER"] = "4",
        }).Build());
        var options = RiskEvaluatorOptions.From(settings);
        _provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton(options)
            .AddSingleton(new PnlLossRule(options.PnlLossThreshold))
            .AddSingleton(new ServiceIdentity("risk-evaluator"))
            .AddSingleton(TimeProvider.System)
            .AddSingleton<AlertFactory>()
            .AddSingleton<PriceBandMonitor>()
            .AddSingleton<DrawdownMonitor>()
            .AddMassTransitTestHarness(x => x.AddRiskConsumers())
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    private static TickerReceived Tick(long sequence, decimal price, string client = "raw") => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Symbol = "BTC-USD",
        Price = price,
        Sequence = sequence,
        ExchangeTime = DateTimeOffset.UtcNow,
        Client = client,
    };

    private static PnlUpdated Pnl(decimal realized, DateTimeOffset asOf) => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Account = "acct",
        Strategy = "carry",
        Realized = realized,
        Unrealized = 0,
        Currency = "USD",
        AsOf = asOf,
    };

    private async Task<List<AlertRaised>> AlertsAsync(int expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30); // generous: CI runs test assemblies in parallel on 2 cores
        while (DateTime.UtcNow < deadline && _harness.Published.Select<AlertRaised>().Count() < expected) await Task.Delay(20);
        await Task.Delay(200); // and no more than expected
        return _harness.Published.Select<AlertRaised>().Select(m => m.Context.Message).ToList();
    }

    [Fact]
    public async Task A_tick_outside_the_band_raises_one_alert_and_duplicate_sequences_are_ignored()
    {
        // Quiet market: ±0.1 % moves, so σ ≈ 0.1 % and the band is about ±0.4 %.
        decimal price = 100m;
        long sequence = 0;
        for (var i = 0; i < 12; i++)
        {
            price *= i % 2 == 0 ? 1.001m : 0.999m;
            await _harness.Bus.Publish(Tick(++sequence, price));
            await _harness.Bus.Publish(Tick(sequence, price * 1.5m, client: "sdk")); // same sequence from the other client: ignored
        }
        await _harness.Bus.Publish(Tick(++sequence, price * 1.03m)); // a 3 % jump
        await _harness.Bus.Publish(Tick(++sequence, price * 1.06m)); // still running away on the same side: no new alert

        var alerts = await AlertsAsync(1);
        var alert = Assert.Single(alerts);
        Assert.Equal("price-band:BTC-USD:above", alert.DedupKey);
        Assert.Equal("std", alert.Labels["model"]);
        Assert.True(decimal.Parse(alert.Labels["band_upper"], System.Globalization.CultureInfo.InvariantCulture) < price * 1.03m);
    }

    [Fact]
    public async Task The_band_of_a_symbol_is_published_for_the_ops_bot_at_most_every_few_seconds()
    {
        decimal price = 100m;
        for (var i = 1; i <= 15; i++)
        {
            price *= i % 2 == 0 ? 1.001m : 0.999m;
            await _harness.Bus.Publish(Tick(i, price));
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !_harness.Published.Select<PriceBandUpdated>().Any()) await Task.Delay(20);
        await Task.Delay(300);
        var band = Assert.Single(_harness.Published.Select<PriceBandUpdated>()).Context.Message;
        Assert.Equal("BTC-USD", band.Symbol);
        Assert.Equal("std", band.Model);
        Assert.True(band.Lower < band.Reference && band.Reference < band.Upper);
        Assert.Equal(4, band.Multiplier);
    }

    [Fact]
    public async Task Drawdown_beyond_the_limit_from_the_session_peak_raises_one_alert()
    {
        var day = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
        await _harness.Bus.Publish(Pnl(300, day));
        await _harness.Bus.Publish(Pnl(900, day.AddMinutes(1)));   // peak
        await _harness.Bus.Publish(Pnl(450, day.AddMinutes(2)));   // drawdown 450: within
        await _harness.Bus.Publish(Pnl(350, day.AddMinutes(3)));   // drawdown 550: breach
        await _harness.Bus.Publish(Pnl(300, day.AddMinutes(4)));   // continuing: no new alert

        var alert = Assert.Single(await AlertsAsync(1));
        Assert.Equal("drawdown:acct:carry", alert.DedupKey);
        Assert.Equal("550", alert.Labels["drawdown"]);
        Assert.Equal("900", alert.Labels["session_peak"]);
    }

    [Fact]
    public async Task A_new_session_starts_a_new_peak()
    {
        var day = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
        await _harness.Bus.Publish(Pnl(2000, day));
        await _harness.Bus.Publish(Pnl(1600, day.AddDays(1))); // 400 below yesterday's peak, but a new day
        Assert.Empty(await AlertsAsync(0));
    }

    [Fact]
    public async Task Kill_switch_transitions_raise_critical_then_warning_alerts_with_distinct_keys()
    {
        await _harness.Bus.Publish(new KillSwitchChanged { CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Engaged = true, Scope = "global", Source = "trading_kill_switch" });
        await _harness.Bus.Publish(new KillSwitchChanged { CorrelationId = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Engaged = false, Scope = "global", Source = "trading_kill_switch" });
        var alerts = await AlertsAsync(2);
        Assert.Equal(2, alerts.Count);
        var engaged = alerts.Single(a => a.DedupKey == "kill-switch:global:engaged");
        Assert.Equal(AlertSeverity.Critical, engaged.Severity);
        Assert.Contains("ENGAGED", engaged.Title);
        Assert.Equal(AlertSeverity.Warning, alerts.Single(a => a.DedupKey == "kill-switch:global:released").Severity);
    }

    [Theory]
    [InlineData("VOLATILITY_METHOD", "garchh", "VOLATILITY_METHOD must be one of std | ewma | atr | garch, got 'garchh'.")]
    [InlineData("EWMA_LAMBDA", "1.5", "EWMA_LAMBDA must be between 0.5 and 0.9999, got 1.5.")]
    [InlineData("ATR_WINDOW", "zero", "ATR_WINDOW must be a whole number, got 'zero'.")]
    public void Bad_risk_settings_name_the_setting(string name, string value, string message)
    {
        var settings = new Settings(new ConfigurationBuilder().AddInMemoryCollection([new KeyValuePair<string, string?>(name, value)]).Build());
        Assert.Equal(message, Assert.Throws<SettingsException>(() => RiskEvaluatorOptions.From(settings)).Message);
    }

    public async Task DisposeAsync()
    {
        await _harness.Stop();
        await _provider.DisposeAsync();
    }
}
