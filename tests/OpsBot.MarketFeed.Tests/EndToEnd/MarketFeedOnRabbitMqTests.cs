using System.Collections.Concurrent;
using MassTransit;
using OpsBot.Contracts;
using OpsBot.FakeExchange;
using OpsBot.ServiceDefaults;
using OpsBot.Testing;

namespace OpsBot.MarketFeed.Tests.EndToEnd;

/// <summary>
/// The services as processes on real RabbitMQ (an isolated virtual host per test): market-feed against the
/// in-process fake exchange publishes TickerReceived / UserUpdateReceived; with both clients running, the
/// parity-checker process publishes a PASS ParityReport.
/// </summary>
[Collection(InfraFixture.Collection)]
public sealed class MarketFeedOnRabbitMqTests(InfraFixture infra) : IAsyncLifetime
{
    private readonly List<ServiceProcess> _services = [];
    private readonly List<IBusControl> _buses = [];
    private FakeExchangeServer _exchange = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    [Trait("Matrix", "USE_OFFICIAL_SDK")] // reads the switch from the environment: scripts/test.sh runs it once per value
    public async Task The_configured_market_feed_process_publishes_the_scripts_events_on_rabbitmq()
    {
        var useSdk = Environment.GetEnvironmentVariable(MarketFeedSettingNames.UseOfficialSdk) is { } v && v.Trim().ToLowerInvariant() is "true" or "1" or "yes" or "on";
        var client = useSdk ? "sdk" : "raw";
        var script = ExchangeScript.Standard(extraTicks: 20);
        _exchange = await FakeExchangeServer.StartAsync(new FakeExchangeOptions { Script = script });
        var rabbit = await infra.CreateVirtualHostAsync();
        var tickers = new ConcurrentQueue<TickerReceived>();
        var updates = new ConcurrentQueue<UserUpdateReceived>();
        await StartTestBusAsync(rabbit, "test-feed", e =>
        {
            e.Handler<TickerReceived>(c => { tickers.Enqueue(c.Message); return Task.CompletedTask; });
            e.Handler<UserUpdateReceived>(c => { updates.Enqueue(c.Message); return Task.CompletedTask; });
        });

        var feed = StartFeed(rabbit, _exchange.SessionUrl("configured"), useSdk ? "true" : "false");
        await feed.WaitReadyAsync(TimeSpan.FromSeconds(60));
        var (expectedTickers, expectedUpdates) = script.ExpectedCounts();
        await WaitAsync(() => tickers.Count >= expectedTickers && updates.Count >= expectedUpdates, TimeSpan.FromSeconds(30),
            () => $"tickers {tickers.Count}/{expectedTickers}, user updates {updates.Count}/{expectedUpdates}\n{string.Join('\n', feed.Output.TakeLast(20))}");

        Assert.Equal(expectedTickers, tickers.Count);
        Assert.Equal(expectedUpdates, updates.Count);
        Assert.All(tickers, t => Assert.Equal(client, t.Client));
        Assert.Contains(updates, u => u is { OrderId: "o-1", Status: "FILLED", FilledSize: 0.001m });
        var metrics = await feed.GetStringAsync("metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("opsbot_feed_malformed_total{", StringComparison.Ordinal)
            && l.Contains($"client=\"{client}\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_both_clients_running_the_parity_checker_publishes_PASS()
    {
        // The script is held until both processes are up, so the windows' exchange times start when both can read them.
        var script = ExchangeScript.Standard(extraTicks: 20);
        _exchange = await FakeExchangeServer.StartAsync(new FakeExchangeOptions { Script = script, HoldPlayback = true });
        var rabbit = await infra.CreateVirtualHostAsync();
        var reports = new ConcurrentQueue<ParityReport>();
        var alerts = new ConcurrentQueue<AlertRaised>();
        await StartTestBusAsync(rabbit, "test-parity", e =>
        {
            e.Handler<ParityReport>(c => { reports.Enqueue(c.Message); return Task.CompletedTask; });
            e.Handler<AlertRaised>(c => { alerts.Enqueue(c.Message); return Task.CompletedTask; });
        });

        var checker = ServiceProcess.Start("parity-checker", "services/parity-checker", "OpsBot.ParityChecker", new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbit,
            ["PARITY_WINDOW_SECONDS"] = "5",
            ["PARITY_GRACE_SECONDS"] = "5",
            ["LOG_FORMAT"] = "text",
        });
        _services.Add(checker);
        await checker.WaitReadyAsync(TimeSpan.FromSeconds(60)); // its queues are bound before anything is published
        var raw = StartFeed(rabbit, _exchange.SessionUrl("raw"), "false", heartbeatTimeoutSeconds: 120); // the held exchange is silent
        var sdk = StartFeed(rabbit, _exchange.SessionUrl("sdk"), "true", heartbeatTimeoutSeconds: 120);
        await Task.WhenAll(raw.WaitReadyAsync(TimeSpan.FromSeconds(60)), sdk.WaitReadyAsync(TimeSpan.FromSeconds(60)));
        _exchange.StartPlayback();

        var (tickers, updates) = script.ExpectedCounts();
        await WaitAsync(() => reports.Sum(r => r.Counts.GetValueOrDefault("raw")?.GetValueOrDefault("ticker") ?? 0) >= tickers, TimeSpan.FromSeconds(60),
            () => $"reports: {string.Join("; ", reports.Select(r => $"{r.Status} {string.Join(",", r.Differences)}"))}\n{string.Join('\n', checker.Output.TakeLast(20))}");

        Assert.All(reports, r => Assert.True(r.Status == "PASS", string.Join("\n", r.Differences)));
        foreach (var client in new[] { "raw", "sdk" })
        {
            Assert.Equal(tickers, reports.Sum(r => r.Counts[client]["ticker"]));
            Assert.Equal(updates, reports.Sum(r => r.Counts[client]["user_update"]));
        }
        Assert.Empty(alerts);
    }

    private ServiceProcess StartFeed(string rabbit, Uri url, string useSdk, int heartbeatTimeoutSeconds = 10)
    {
        var feed = ServiceProcess.Start($"market-feed ({useSdk})", "services/market-feed", "OpsBot.MarketFeed", new Dictionary<string, string>
        {
            ["RABBITMQ_URL"] = rabbit,
            ["EXCHANGE_WS_URL"] = url.ToString(),
            ["USE_OFFICIAL_SDK"] = useSdk,
            ["FEED_RECONNECT_MIN_MS"] = "100",
            ["FEED_HEARTBEAT_TIMEOUT_SECONDS"] = heartbeatTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LOG_FORMAT"] = "text",
        });
        _services.Add(feed);
        return feed;
    }

    private async Task StartTestBusAsync(string rabbitUrl, string queue, Action<IRabbitMqReceiveEndpointConfigurator> configure)
    {
        var address = RabbitMqAddress.Parse(rabbitUrl);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(address.Host, address.Port, address.VirtualHost, h => { h.Username(address.Username); h.Password(address.Password); });
            cfg.ReceiveEndpoint(queue, configure);
        });
        await bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        _buses.Add(bus);
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return;
            await Task.Delay(100);
        }
        throw new TimeoutException(describe());
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _services) await s.DisposeAsync();
        foreach (var b in _buses) await b.StopAsync();
        if (_exchange is not null) await _exchange.DisposeAsync();
    }
}
