using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpsBot.Contracts;
using OpsBot.RiskEvaluator;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;

namespace OpsBot.RiskEvaluator.Tests;

/// <summary>
/// An alert is never lost between a rule and the bus. risk-evaluator runs in this test's process, wired exactly as
/// its Program.cs wires it (real RabbitMQ, real Redis), with one addition per test: a MassTransit publish observer
/// that makes the first AlertRaised publish throw (the fault: a publish or its confirm failing after the breach was
/// found), or a fake clock (to make a band publication due on an absurd price).
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class AlertPublishFailureTests(InfraFixture infra) : IAsyncLifetime
{
    private readonly List<WebApplication> _hosts = [];
    private RiskProbe _probe = null!;
    private string _vhost = "";

    public async Task InitializeAsync()
    {
        _vhost = await infra.CreateVirtualHostAsync();
        _probe = await RiskProbe.StartAsync(_vhost);
    }

    private async Task<WebApplication> StartHostAsync(Action<IServiceCollection> extra)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RABBITMQ_URL"] = _vhost,
            ["REDIS_URL"] = infra.RedisUrl,
            ["RISK_REDIS_PREFIX"] = $"opsbot:risk-test:{Guid.NewGuid():N}:",
            ["HEALTH_PORT"] = ServiceProcess.FreePort().ToString(),
            ["LOG_FORMAT"] = "text",
            ["ALERT_PNL_THRESHOLD"] = "1000",
            ["VOLATILITY_METHOD"] = "std",
            ["VOLATILITY_WINDOW"] = "10",
            ["BAND_MULTIPLIER"] = "4",
        });
        builder.AddServiceDefaults("risk-evaluator");
        builder.AddRiskEvaluator();
        builder.AddOpsBotBus(bus => bus.AddRiskConsumers());
        extra(builder.Services);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        _hosts.Add(app);
        var bus = app.Services.GetRequiredService<IBusControl>();
        await RiskProbe.Until(() => bus.CheckHealth().Status == BusHealthStatus.Healthy, () => "bus not healthy");
        return app;
    }

    /// <summary>Fault injection: the first AlertRaised publish throws before it reaches the broker.</summary>
    private sealed class FailFirstAlertPublish : IPublishObserver
    {
        private int _alerts;
        public int Failed { get; private set; }

        public Task PrePublish<T>(PublishContext<T> context) where T : class
        {
            if (context.Message is AlertRaised && Interlocked.Increment(ref _alerts) == 1)
            {
                Failed++;
                throw new InvalidOperationException("injected: the broker did not confirm the first AlertRaised");
            }
            return Task.CompletedTask;
        }

        public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    [Fact]
    public async Task A_failed_alert_publish_after_the_breach_is_found_is_retried_and_the_alert_still_arrives()
    {
        var observer = new FailFirstAlertPublish();
        var host = await StartHostAsync(s => s.AddPublishObserver(_ => observer));
        await host.Services.GetRequiredService<IBus>().Publish(RiskProbe.Pnl("pf", -1500, DateTimeOffset.UtcNow));

        // Before the rules were pure, the state advanced before the publish: the retry saw "already a warning" and the alert was lost.
        var alert = await _probe.WaitForAsync("pnl-loss:acct-r:pf", AlertSeverity.Warning);
        Assert.Equal(1, observer.Failed);
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
    }

    [Fact]
    public async Task An_absurd_price_still_raises_its_alert_and_the_band_edges_are_clamped_and_counted()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var host = await StartHostAsync(s => s.AddSingleton<TimeProvider>(clock));
        var port = host.Configuration["HEALTH_PORT"];
        using var http = new HttpClient();
        Task<string> Metrics() => http.GetStringAsync($"http://127.0.0.1:{port}/metrics");

        long absurd = 0; // the counter, read in-process (other tests' meters of the same name live in this process too)
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "opsbot.risk.absurd_prices") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref absurd, value));
        listener.Start();

        var t = DateTimeOffset.UtcNow;
        await _probe.SendInOrderAsync(Metrics, "ticker",
            Enumerable.Range(0, 12).Select(i => RiskProbe.Tick("ABS-USD", RiskProbe.QuietPrice(i), i, t.AddMilliseconds(i))));
        clock.Advance(TimeSpan.FromSeconds(10)); // the symbol's band is due again with the next tick
        // Near decimal's maximum: the band around it after this tick lies far beyond the decimal range.
        await _probe.Publish(RiskProbe.Tick("ABS-USD", 70_000_000_000_000_000_000_000_000_000m, 12, t.AddMilliseconds(12)));

        var alert = await _probe.WaitForAsync("price-band:ABS-USD:above");
        Assert.Equal("std", alert.Labels["model"]);
        await RiskProbe.Until(() => _probe.Bands.Any(b => b.Symbol == "ABS-USD" && b.Upper == decimal.MaxValue), () => "no clamped band published");
        Assert.True(Interlocked.Read(ref absurd) >= 1);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            await host.DisposeAsync();
        }
        await _probe.DisposeAsync();
    }
}
