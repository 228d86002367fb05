using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsBot.Contracts;
using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;
using StackExchange.Redis;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>
/// risk-evaluator's consumers with its real rules and its real Redis state (a key prefix of their own), on
/// MassTransit's in-memory test harness. "No more alerts than expected" is proven by the harness' count of
/// consumed messages (every message sent was consumed, so every alert it could raise was published), never by a
/// fixed wait.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class RiskConsumersTests(InfraFixture infra) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
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
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:",
        }).Build());
        var options = RiskEvaluatorOptions.From(settings);
        _provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConnectionMultiplexer>(infra.Redis)
            .AddSingleton(new ServiceIdentity("risk-evaluator"))
            .AddSingleton(TimeProvider.System)
            .AddRiskEvaluatorCore(options)
            .AddMassTransitTestHarness(x => x.AddRiskConsumers())
            .BuildServiceProvider(true);
        _harness = _provider.GetRequiredService<ITestHarness>();
        await _harness.Start();
    }

    private int _sent;

    private Task Send<T>(T message) where T : class
    {
        _sent++;
        return _harness.Bus.Publish(message);
    }

    /// <summary>Tick number <paramref name="sequence"/>, at exchange time T0 + sequence ms.</summary>
    private static TickerReceived Tick(long sequence, decimal price, string client = "raw") => new()
    {
        CorrelationId = Guid.NewGuid(),
        Timestamp = DateTimeOffset.UtcNow,
        Symbol = "BTC-USD",
        Price = price,
        Sequence = sequence,
        ExchangeTime = T0.AddMilliseconds(sequence),
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

    /// <summary>
    /// Every alert, once the harness has seen every message this test sent consumed (a consumer publishes its
    /// alerts, with the broker's confirm, before it returns): nothing more can come.
    /// </summary>
    private async Task<List<AlertRaised>> AlertsAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60); // generous: CI runs on 2 busy cores
        while (_harness.Consumed.Select(_ => true).Count() < _sent)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"only {_harness.Consumed.Select(_ => true).Count()} of {_sent} messages consumed");
            await Task.Delay(20);
        }
        return _harness.Published.Select<AlertRaised>().Select(m => m.Context.Message).ToList();
    }

    [Fact]
    public async Task A_tick_outside_the_band_raises_one_alert_and_the_other_clients_copy_of_each_tick_is_ignored()
    {
        // Quiet market: ±0.1 % moves, so σ ≈ 0.1 % and the band is about ±0.4 %.
        decimal price = 100m;
        long sequence = 0;
        for (var i = 0; i < 12; i++)
        {
            price *= i % 2 == 0 ? 1.001m : 0.999m;
            await Send(Tick(++sequence, price));
            await Send(Tick(sequence, price, client: "sdk") with { Sequence = 1000 + sequence }); // the same market event from the other client: ignored
        }
        await Send(Tick(++sequence, price * 1.03m)); // a 3 % jump
        await Send(Tick(++sequence, price * 1.06m)); // still running away on the same side: no new alert

        var alerts = await AlertsAsync();
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
            await Send(Tick(i, price));
        }
        await AlertsAsync(); // all 15 consumed: every band they could publish is published
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
        await Send(Pnl(300, day));
        await Send(Pnl(900, day.AddMinutes(1)));   // peak
        await Send(Pnl(450, day.AddMinutes(2)));   // drawdown 450: within
        await Send(Pnl(350, day.AddMinutes(3)));   // drawdown 550: breach
        await Send(Pnl(300, day.AddMinutes(4)));   // continuing: no new alert

        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal("drawdown:acct:carry", alert.DedupKey);
        Assert.Equal("550", alert.Labels["drawdown"]);
        Assert.Equal("900", alert.Labels["session_peak"]);
    }

    [Fact]
    public async Task A_new_session_starts_a_new_peak()
    {
        var day = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
        await Send(Pnl(2000, day));
        await Send(Pnl(1600, day.AddDays(1))); // 400 below yesterday's peak, but a new day
        Assert.Empty(await AlertsAsync()); // both were consumed: no alert at all, not merely none yet
    }

    [Fact]
    public async Task Kill_switch_engaged_raises_a_critical_incident_and_the_release_resolves_it_with_no_alert()
    {
        var engagedAt = DateTimeOffset.UtcNow;
        await Send(new KillSwitchChanged { CorrelationId = Guid.NewGuid(), Timestamp = engagedAt, Engaged = true, Scope = "global", Source = "trading_kill_switch" });
        var release = new KillSwitchChanged { CorrelationId = Guid.NewGuid(), Timestamp = engagedAt.AddMinutes(3), Engaged = false, Scope = "global", Source = "trading_kill_switch" };
        await Send(release);
        var engaged = Assert.Single(await AlertsAsync()); // the release raises no alert any more (it was a warning "kill-switch:global:released")
        Assert.Equal(("kill-switch:global", AlertSeverity.Critical), (engaged.DedupKey, engaged.Severity));
        Assert.Contains("ENGAGED", engaged.Title);
        var resolved = Assert.Single(_harness.Published.Select<AlertResolved>()).Context.Message;
        Assert.Equal("kill-switch:global", resolved.DedupKey);
        Assert.Equal(release.CorrelationId, resolved.CorrelationId);
        Assert.Equal(release.Timestamp, resolved.Timestamp);
        Assert.Equal("false", resolved.Labels["engaged"]);
        Assert.Equal(engaged.Labels.Keys.Order(), resolved.Labels.Keys.Order());
        Assert.Contains("released", resolved.Reason);
    }

    [Fact]
    public async Task A_loss_and_its_recovery_on_the_consumer_give_one_alert_and_one_resolution_beyond_the_hysteresis()
    {
        var day = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
        await Send(Pnl(-1200, day));
        await Send(Pnl(-960, day.AddMinutes(1)));  // above −1,000 but below −950 (the default hysteresis: 10 % of the smaller limit, 500)
        await Send(Pnl(-1100, day.AddMinutes(2))); // below again: the same incident, no new alert
        await Send(Pnl(-955, day.AddMinutes(3)));  // still below −950: open
        await Send(Pnl(-950, day.AddMinutes(4)));  // resolved
        await Send(Pnl(-800, day.AddMinutes(5)));
        Assert.Single(await AlertsAsync(), a => a.DedupKey == "pnl-loss:acct:carry");
        var resolved = Assert.Single(_harness.Published.Select<AlertResolved>(), r => r.Context.Message.DedupKey == "pnl-loss:acct:carry").Context.Message;
        Assert.Equal("-950", resolved.Labels["pnl_total"]);
    }

    [Fact]
    public async Task A_price_back_inside_its_band_for_sixty_seconds_of_exchange_time_resolves_its_side_once_on_the_consumer()
    {
        decimal price = 100m;
        for (var i = 1; i <= 12; i++)
        {
            price *= i % 2 == 0 ? 1.001m : 0.999m;
            await Send(Tick(i, price));
        }
        var jump = price * 1.03m;
        await Send(Tick(13, jump));              // above the band: the incident opens
        await Send(Tick(14, jump));              // back inside (the band is around the jump now): the clock starts at T0 + 14 ms
        await Send(Tick(30_000, jump * 1.0001m)); // 30 s: still open
        await Send(Tick(60_014, jump));          // 60 s after the return: resolved
        await Send(Tick(60_015, jump * 1.0001m)); // nothing more
        Assert.Single(await AlertsAsync(), a => a.DedupKey == "price-band:BTC-USD:above");
        var resolved = Assert.Single(_harness.Published.Select<AlertResolved>()).Context.Message;
        Assert.Equal("price-band:BTC-USD:above", resolved.DedupKey);
        Assert.Equal(T0.AddMilliseconds(60_014), resolved.Timestamp);
        Assert.Equal("60014", resolved.Labels["sequence"]);
    }

    [Fact]
    public async Task A_drawdown_open_at_the_end_of_a_session_is_resolved_by_the_first_pnl_of_the_next_one()
    {
        var day = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
        await Send(Pnl(900, day));
        await Send(Pnl(300, day.AddMinutes(1)));  // 600 off the peak: breach
        await Send(Pnl(250, day.AddDays(1)));     // a new session
        Assert.Single(await AlertsAsync(), a => a.DedupKey == "drawdown:acct:carry");
        var resolved = Assert.Single(_harness.Published.Select<AlertResolved>()).Context.Message;
        Assert.Equal("drawdown:acct:carry", resolved.DedupKey);
        Assert.Contains("new session (2026-11-28 UTC)", resolved.Reason);
        Assert.Equal("250", resolved.Labels["session_peak"]);
    }

    [Fact]
    public void Resolve_settings_default_to_ten_percent_of_the_smaller_limit_and_sixty_seconds()
    {
        var options = RiskEvaluatorOptions.From(new Settings(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ALERT_PNL_THRESHOLD"] = "1000",
            ["ALERT_DRAWDOWN_THRESHOLD"] = "400",
        }).Build()));
        Assert.Equal(40m, options.ResolveHysteresis);
        Assert.Equal(TimeSpan.FromSeconds(60), options.BandResolveAfter);
        Assert.Equal(100m, RiskEvaluatorOptions.From(new Settings(new ConfigurationBuilder().Build())).ResolveHysteresis);
    }

    [Theory]
    [InlineData("VOLATILITY_METHOD", "garchh", "VOLATILITY_METHOD must be one of std | ewma | atr | garch, got 'garchh'.")]
    [InlineData("EWMA_LAMBDA", "1.5", "EWMA_LAMBDA must be between 0.5 and 0.9999, got 1.5.")]
    [InlineData("ATR_WINDOW", "zero", "ATR_WINDOW must be a whole number, got 'zero'.")]
    [InlineData("RISK_RESOLVE_HYSTERESIS", "1000", "RISK_RESOLVE_HYSTERESIS (1000) must be below ALERT_PNL_THRESHOLD (1000), or a loss would resolve only above zero.")]
    [InlineData("RISK_RESOLVE_HYSTERESIS", "-1", "RISK_RESOLVE_HYSTERESIS must be between 0 and 79228162514264337593543950335, got -1.")]
    [InlineData("RISK_BAND_RESOLVE_AFTER", "1m", "RISK_BAND_RESOLVE_AFTER must be a whole number, got '1m'.")]
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
